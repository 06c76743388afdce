"""Stable addresses: a renamed item's old URL answers with a permanent redirect."""

import pytest
from django.contrib.auth.models import Group

from kkk_portal.models import SitePage, SlugRedirect
from publications.models import Event
from tests.factories import EventFactory, NewsPostFactory, ProjectFactory, UserFactory
from tests.html import form_fields

pytestmark = pytest.mark.django_db


def test_project_renamed_in_the_admin_keeps_its_old_address(client, centre_content):
    editor = UserFactory(username="redaktion-slugs")
    editor.groups.add(Group.objects.get(name="Redaktion"))
    client.force_login(editor)
    project = ProjectFactory(title="Altes Projekt", slug="altes-projekt")
    change = f"/admin/projects/project/{project.pk}/change/"
    # The admin form as the browser sends it, with one changed field: the slug.
    fields: dict[str, list[str]] = {}
    for name, value in form_fields(client.get(change), "#project_form"):
        fields.setdefault(name, []).append(value)
    fields["slug"] = ["neues-projekt"]
    response = client.post(change, fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()

    for old, new in [
        ("/projekte/altes-projekt/", "/projekte/neues-projekt/"),
        ("/en/projekte/altes-projekt/", "/en/projekte/neues-projekt/"),
    ]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new)
        assert client.get(new).status_code == 200


def test_query_string_and_sub_addresses_follow(client):
    event = EventFactory(slug="tagung-alt")
    event.slug = "tagung-neu"
    event.save()
    response = client.get("/veranstaltungen/tagung-alt/kalender.ics")
    assert response["Location"] == "/veranstaltungen/tagung-neu/kalender.ics"
    response = client.get("/veranstaltungen/tagung-alt/", {"ref": "mail"})
    assert response["Location"] == "/veranstaltungen/tagung-neu/?ref=mail"


def test_every_former_slug_leads_to_the_current_one(client):
    post = NewsPostFactory(slug="erste")
    for slug in ["zweite", "dritte"]:
        post.slug = slug
        post.save()
    for old in ["erste", "zweite"]:
        assert client.get(f"/aktuelles/{old}/")["Location"] == "/aktuelles/dritte/"
    # Back to a former slug: it is live again, and no redirect loops.
    post.slug = "erste"
    post.save()
    assert client.get("/aktuelles/erste/").status_code == 200
    assert client.get("/aktuelles/dritte/")["Location"] == "/aktuelles/erste/"


def test_a_slug_taken_by_another_item_belongs_to_it(client):
    old = ProjectFactory(slug="harz")
    old.slug = "harz-2020"
    old.save()
    ProjectFactory(title="Harz heute", slug="harz")
    response = client.get("/projekte/harz/")
    assert response.status_code == 200
    assert "Harz heute" in response.content.decode()


def test_no_redirect_reveals_a_hidden_item(client):
    hidden = ProjectFactory(slug="entwurf-alt", is_published=False)
    hidden.slug = "entwurf-neu"
    hidden.save()
    assert client.get("/projekte/entwurf-alt/").status_code == 404


def test_deleted_item_leaves_no_redirect(client):
    event = EventFactory(slug="weg-alt")
    event.slug = "weg-neu"
    event.save()
    Event.objects.filter(pk=event.pk).get().delete()
    assert not SlugRedirect.objects.exists()
    assert client.get("/veranstaltungen/weg-alt/").status_code == 404


def test_renamed_text_page_and_its_child(client):
    parent = SitePage.objects.create(slug="angebot", title="Angebot", body="x")
    SitePage.objects.create(slug="moderation", title="Moderation", body="x", parent=parent)
    parent.slug = "leistungen"
    parent.save()
    assert client.get("/angebot/")["Location"] == "/leistungen/"
    assert client.get("/angebot/moderation/")["Location"] == "/leistungen/moderation/"


def test_unknown_addresses_stay_not_found(client):
    assert client.get("/projekte/gibt-es-nicht/").status_code == 404
    assert client.post("/projekte/gibt-es-nicht/").status_code in (403, 404, 405)
