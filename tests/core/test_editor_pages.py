"""Pages editors create: one level of nesting, a place in a menu, protected legal pages."""

import pytest
from django.contrib.auth.models import Group

from kkk_portal import page_cache
from kkk_portal.models import SitePage
from tests.factories import UserFactory
from tests.html import doc

ADD_URL = "/admin/kkk_portal/sitepage/add/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(username="redaktion-test")
    user.groups.add(Group.objects.get(name="Redaktion"))
    client.force_login(user)
    return user


def page_form(**values) -> dict:
    data = {
        "title": "Unser Angebot",
        "slug": "angebot",
        "parent": "",
        "body": "Ein Absatz.",
        "version": "",
        "menu": "keine",
        "menu_order": "0",
        "menu_title": "",
        "menu_title_en": "",
        "title_en": "",
        "body_en": "",
        "is_published": "on",
        "publish_at_0": "",
        "publish_at_1": "",
        "unpublish_at_0": "",
        "unpublish_at_1": "",
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def errors(response) -> list[str]:
    return [e.get_text(" ", strip=True) for e in doc(response).select(".errorlist li")]


def nav_links(response, selector: str) -> list[tuple[str, str]]:
    return [(a["href"], a.get_text(strip=True)) for a in doc(response).select(f"{selector} a")]


def test_editor_creates_a_page_in_the_main_navigation(client, editor, centre_content):
    response = client.post(ADD_URL, page_form(menu="haupt", menu_order="5"))
    assert response.status_code == 302, errors(response)
    page = SitePage.objects.get(slug="angebot")
    assert page.role == ""

    response = client.get("/angebot/")
    assert response.status_code == 200
    assert [h.get_text() for h in doc(response).select("h1")] == ["Unser Angebot"]
    assert ("/angebot/", "Unser Angebot") in nav_links(response, "#main-nav")
    # Editors' pages carry no "Stand" line unless they give a version.
    assert "Stand:" not in response.content.decode()


def test_footer_lists_editor_pages_after_the_legal_ones(client, editor, centre_content):
    client.post(ADD_URL, page_form(slug="presse", title="Presse", menu="fuss", menu_order="50"))
    links = [href for href, _ in nav_links(client.get("/"), "footer")]
    assert links.index("/leichte-sprache/") < links.index("/presse/")


def test_english_menu_label_or_german_with_its_language(client, editor, centre_content):
    client.post(ADD_URL, page_form(menu="haupt", title_en="Our offer"))
    client.post(ADD_URL, page_form(slug="zweite", title="Nur Deutsch", menu="haupt"))
    html = doc(client.get("/en/"))
    links = {a["href"]: a for a in html.select("#main-nav a")}
    assert links["/en/angebot/"].get_text(strip=True) == "Our offer"
    assert not links["/en/angebot/"].has_attr("lang")
    assert links["/en/zweite/"].get_text(strip=True) == "Nur Deutsch"
    assert links["/en/zweite/"]["lang"] == "de"


def test_child_page_lives_below_its_parent(client, editor, centre_content):
    client.post(ADD_URL, page_form())
    parent = SitePage.objects.get(slug="angebot")
    response = client.post(
        ADD_URL, page_form(slug="moderation", title="Moderation", parent=str(parent.pk))
    )
    assert response.status_code == 302, errors(response)

    response = client.get("/angebot/moderation/")
    assert response.status_code == 200
    crumbs = nav_links(response, ".site-breadcrumbs")
    assert crumbs[-1] == ("/angebot/", "Unser Angebot")
    # The parent links its children; the child's short address leads to the long one.
    assert ("/angebot/moderation/", "Moderation") in nav_links(client.get("/angebot/"), "main")
    redirect = client.get("/moderation/")
    assert (redirect.status_code, redirect["Location"]) == (301, "/angebot/moderation/")
    wrong_parent = client.get("/anderes/moderation/")
    assert (wrong_parent.status_code, wrong_parent["Location"]) == (301, "/angebot/moderation/")


def test_child_of_a_hidden_parent_is_hidden(client, editor, centre_content):
    parent = SitePage.objects.create(slug="eltern", title="Eltern", body="x", is_published=False)
    SitePage.objects.create(slug="kind", title="Kind", body="x", parent=parent)
    assert client.get("/eltern/kind/").status_code == 404
    assert client.get("/kind/").status_code == 404
    sitemap = client.get("/sitemap-pages.xml").content.decode()
    assert "/kind/" not in sitemap and "/impressum/" in sitemap


@pytest.mark.parametrize("slug", ["projekte", "admin", "suche", "static", "en"])
def test_a_page_cannot_take_an_address_of_another_part(client, editor, slug):
    response = client.post(ADD_URL, page_form(slug=slug))
    assert response.status_code == 200
    assert any("gehört schon zu einem anderen Teil" in e for e in errors(response))
    assert not SitePage.objects.filter(slug=slug).exists()


def test_one_level_of_nesting_and_children_stay_out_of_menus(client, editor):
    top = SitePage.objects.create(slug="oben", title="Oben", body="x")
    middle = SitePage.objects.create(slug="mitte", title="Mitte", body="x", parent=top)
    response = client.post(ADD_URL, page_form(slug="unten", parent=str(middle.pk)))
    assert response.status_code == 200  # "mitte" is not offered as a parent
    assert not SitePage.objects.filter(slug="unten").exists()

    response = client.post(ADD_URL, page_form(slug="unten", parent=str(top.pk), menu="haupt"))
    assert any("stehen in keinem Menü" in e for e in errors(response))

    change = f"/admin/kkk_portal/sitepage/{top.pk}/change/"
    other = SitePage.objects.create(slug="andere", title="Andere", body="x")
    response = client.post(change, page_form(slug="oben", title="Oben", parent=str(other.pk)))
    assert any("hat Unterseiten" in e for e in errors(response))


def test_legal_pages_cannot_be_deleted_or_moved(client, editor, centre_content):
    imprint = SitePage.objects.get(role="impressum")
    change = f"/admin/kkk_portal/sitepage/{imprint.pk}/change/"
    assert client.get(f"/admin/kkk_portal/sitepage/{imprint.pk}/delete/").status_code == 403

    response = client.post(
        "/admin/kkk_portal/sitepage/",
        {"action": "delete_selected", "_selected_action": [imprint.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    assert SitePage.objects.filter(pk=imprint.pk).exists()

    form = page_form(title=imprint.title, body=imprint.body, version=imprint.version, menu="haupt")
    del form["slug"], form["parent"]  # read-only for a page with a role
    response = client.post(change, form)
    assert any("bleibt in der Fußzeile" in e for e in errors(response))
    imprint.refresh_from_db()
    assert (imprint.menu, imprint.slug) == ("fuss", "impressum")

    # Editing its text works as before.
    response = client.post(change, {**form, "menu": "fuss", "body": "Neuer Text."})
    assert response.status_code == 302, errors(response)
    assert client.get("/impressum/").status_code == 200


def test_editor_pages_can_be_deleted(client, editor):
    page = SitePage.objects.create(slug="alt", title="Alt", body="x")
    response = client.post(f"/admin/kkk_portal/sitepage/{page.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert client.get("/alt/").status_code == 404


def test_menus_cost_one_query_whatever_their_size(client, django_assert_max_num_queries):
    SitePage.objects.bulk_create(
        SitePage(slug=f"seite-{n}", title=f"Seite {n}", body="x", menu="haupt") for n in range(30)
    )
    # The page, its children, the menus; the first request after a change also works
    # out when the next scheduled change is due (one query per content type).
    with django_assert_max_num_queries(3 + len(page_cache._scheduled_models())):
        response = client.get("/seite-3/")
    assert len(nav_links(response, "#main-nav")) > 30
