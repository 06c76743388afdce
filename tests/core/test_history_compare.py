"""History pages of public content: compare with the current version, restore a version.

Counselling data has neither: its history stays read-only through every URL.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from kkk_portal.history_admin import EditorialAdminMixin
from kkk_portal.models import SitePage, SlugRedirect
from publications.models import NewsPost
from tests.counselling.case_helpers import case_post, history_url, login, make_case
from tests.factories import (
    EventFactory,
    FocusAreaFactory,
    FunderFactory,
    NewsPostFactory,
    ProjectFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.html import doc, form_fields, links, text, texts

pytestmark = pytest.mark.django_db


def _member(username: str, group: str):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor():
    return _member("redaktion-verlauf", "Redaktion")


@pytest.fixture
def client_for(editor):
    return login(editor)


def _urls(item, version) -> dict[str, str]:
    opts = item._meta
    prefix = f"admin:{opts.app_label}_{opts.model_name}"
    return {
        "history": reverse(f"{prefix}_history", args=[item.pk]),
        "compare": reverse(f"{prefix}_history_compare", args=[item.pk, version.history_id]),
        "restore": reverse(f"{prefix}_history_restore", args=[item.pk, version.history_id]),
        "form": reverse(f"{prefix}_simple_history", args=[item.pk, version.history_id]),
    }


def _edit(item, **changes):
    for name, value in changes.items():
        setattr(item, name, value)
    item.save()
    return item


def _first_version(item):
    return item.history.order_by("history_date", "history_id").first()


# --- compare -----------------------------------------------------------------------------


def test_compare_shows_the_changed_field_and_not_the_unchanged(client_for):
    post = NewsPostFactory(title="Alter Titel", teaser="Bleibt gleich.")
    first = _first_version(post)
    _edit(post, title="Neuer Titel")

    response = client_for.get(_urls(post, first)["compare"])

    assert response.status_code == 200
    rows = doc(response).select("table.history-diff tbody tr")
    assert [text(row, "th") for row in rows] == ["Titel"]
    assert texts(rows[0], "td") == ["Alter Titel", "Neuer Titel"]
    assert "Bleibt gleich." not in text(response, "#content-main")


def test_compare_shows_rich_text_word_by_word_and_escaped(client_for):
    post = NewsPostFactory(body="<p>Der <strong>alte</strong> Text über Konflikte.</p>")
    first = _first_version(post)
    _edit(post, body="<p>Der neue Text über &lt;Konflikte&gt;.</p>")

    page = doc(client_for.get(_urls(post, first)["compare"]))

    cell = page.select_one("tr.history-field-body td.history-words")
    assert texts(cell, "del") == ["alte", "Konflikte."]
    assert texts(cell, "ins") == ["neue", "<Konflikte>."]
    assert cell.select("strong") == []  # compared as text, markup not rendered


def test_compare_marks_what_restoring_keeps(client_for):
    post = NewsPostFactory(title="Entwurf", is_published=False)
    first = _first_version(post)
    _edit(post, title="Veröffentlicht", is_published=True)

    page = doc(client_for.get(_urls(post, first)["compare"]))

    kept = [text(row, "th") for row in page.select("table.history-diff tbody tr")]
    assert kept == ["Titel", "Veröffentlicht (wird nicht wiederhergestellt)"]


def test_history_list_links_every_older_version(client_for):
    post = NewsPostFactory(title="Eins")
    _edit(post, title="Zwei")
    _edit(post, title="Drei")
    versions = list(post.history.all())  # newest first

    response = client_for.get(_urls(post, versions[0])["history"])

    cells = texts(response, "#change-history tbody td.history-actions")
    assert cells[0] == "aktuelle Version"
    expected = []
    for version in versions[1:]:
        urls = _urls(post, version)
        expected += [
            (urls["compare"], "Mit aktueller Version vergleichen"),
            (urls["restore"], "Diese Version wiederherstellen"),
        ]
    assert links(response, "#change-history td.history-actions a") == expected


def test_a_reader_may_compare_but_not_restore(client):
    reader = UserFactory(username="nur-lesen")
    reader.user_permissions.add(Permission.objects.get(codename="view_newspost"))
    post = NewsPostFactory(title="Alt")
    first = _first_version(post)
    _edit(post, title="Neu")
    client.force_login(reader)
    urls = _urls(post, first)

    assert client.get(urls["compare"]).status_code == 200
    assert links(client.get(urls["history"]), "#change-history td.history-actions a") == [
        (urls["compare"], "Mit aktueller Version vergleichen")
    ]
    assert client.get(urls["restore"]).status_code == 403
    assert client.post(urls["restore"]).status_code == 403
    post.refresh_from_db()
    assert post.title == "Neu"


@pytest.mark.parametrize("suffix", ["compare", "restore"])
def test_unknown_or_foreign_versions_are_not_found(client_for, suffix):
    post = NewsPostFactory()
    other = NewsPostFactory()
    foreign = _first_version(other)
    base = reverse("admin:publications_newspost_history", args=[post.pk])
    assert client_for.get(f"{base}{foreign.history_id}/{suffix}/").status_code == 404
    assert client_for.get(f"{base}abc/{suffix}/").status_code == 404
    assert client_for.get(f"{base}999999/{suffix}/").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(client):
    post = NewsPostFactory()
    response = client.get(_urls(post, _first_version(post))["compare"])
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- restore -------------------------------------------------------------------------------


def test_get_on_restore_changes_nothing_and_asks_for_confirmation(client_for):
    post = NewsPostFactory(title="Alt")
    first = _first_version(post)
    _edit(post, title="Neu")
    versions = post.history.count()

    response = client_for.get(_urls(post, first)["restore"])

    assert response.status_code == 200
    form = doc(response).select_one("#content-main form")
    assert form["method"] == "post"
    assert form["action"] == _urls(post, first)["restore"]
    assert [button["value"] for button in form.select("input[type=submit]")] == [
        "Diese Version wiederherstellen"
    ]
    post.refresh_from_db()
    assert post.title == "Neu"
    assert post.history.count() == versions


def test_post_restores_the_old_title_and_records_a_new_version(client_for, editor):
    post = NewsPostFactory(title="Alt", teaser="Alter Anreißer")
    first = _first_version(post)
    _edit(post, title="Neu", teaser="Neuer Anreißer")
    versions = post.history.count()
    urls = _urls(post, first)

    response = client_for.post(urls["restore"])

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:publications_newspost_change", args=[post.pk])
    post.refresh_from_db()
    assert (post.title, post.teaser) == ("Alt", "Alter Anreißer")
    assert post.history.count() == versions + 1
    latest = post.history.first()
    assert latest.history_user == editor
    assert latest.history_change_reason.startswith("Version vom ")
    assert latest.history_change_reason.endswith(" wiederhergestellt")
    # The change page says so, and the admin log has it.
    page = client_for.get(response["Location"])
    assert any("wiederhergestellt" in message for message in texts(page, "ul.messagelist li"))


def test_restore_keeps_the_publication_state_and_times(client_for):
    post = NewsPostFactory(title="Entwurfstext", is_published=False)
    first = _first_version(post)
    _edit(post, title="Öffentlicher Text", is_published=True)
    published_at = post.published_at

    client_for.post(_urls(post, first)["restore"])

    post.refresh_from_db()
    assert post.title == "Entwurfstext"
    assert post.is_published is True  # still public: the restored text shows at once
    assert post.published_at == published_at
    assert NewsPost.objects.published().filter(pk=post.pk).exists()


def test_restore_keeps_the_address_and_its_redirect(client_for, client):
    post = NewsPostFactory(title="Erste Fassung", slug="erste-fassung")
    first = _first_version(post)
    _edit(post, title="Zweite Fassung", slug="zweite-fassung")
    assert SlugRedirect.objects.filter(old_slug="erste-fassung").count() == 1

    client_for.post(_urls(post, first)["restore"])

    post.refresh_from_db()
    assert (post.title, post.slug) == ("Erste Fassung", "zweite-fassung")
    old_address = client.get("/aktuelles/erste-fassung/")
    assert old_address.status_code == 301
    assert old_address["Location"] == "/aktuelles/zweite-fassung/"
    assert client.get("/aktuelles/zweite-fassung/").status_code == 200


def test_restore_brings_back_related_items(client_for):
    first_field, second_field = FocusAreaFactory(), FocusAreaFactory()
    project = ProjectFactory(title="Projekt mit Feldern")
    project.focus_areas.set([first_field])
    version = project.history.first()  # after the relation was set
    project.focus_areas.set([second_field])
    _edit(project, title="Umbenannt")

    client_for.post(_urls(project, version)["restore"])

    project.refresh_from_db()
    assert project.title == "Projekt mit Feldern"
    assert list(project.focus_areas.all()) == [first_field]


def test_a_version_that_no_longer_fits_is_refused_with_a_message(client_for):
    event = EventFactory()
    post = NewsPostFactory(title="Bericht", event=event)
    first = _first_version(post)
    _edit(post, title="Bericht, überarbeitet")
    event.delete()  # the old version points at an event that is gone

    response = client_for.post(_urls(post, first)["restore"])

    assert response.status_code == 200
    note = text(response, ".errornote")
    assert note.startswith("Diese Version lässt sich nicht wiederherstellen")
    assert "Veranstaltung" in note
    post.refresh_from_db()
    assert post.title == "Bericht, überarbeitet"


def test_restoring_the_current_version_changes_nothing(client_for):
    post = NewsPostFactory(title="Eins")
    versions = post.history.count()
    response = client_for.post(_urls(post, post.history.first())["restore"])
    assert response.status_code == 302
    assert post.history.count() == versions


def test_text_pages_can_be_restored_too(client_for):
    page = SitePage.objects.create(slug="angebot", title="Angebot", body="<p>Alt</p>")
    first = _first_version(page)
    _edit(page, body="<p>Neu</p>")

    client_for.post(_urls(page, first)["restore"])

    page.refresh_from_db()
    assert page.body == "<p>Alt</p>"


def test_funders_without_a_schedule_can_be_restored(client_for):
    funder = FunderFactory(name="Stiftung Alt")
    first = _first_version(funder)
    _edit(funder, name="Stiftung Neu")
    assert text(client_for.get(_urls(funder, first)["compare"]), "table.history-diff tbody th") == (
        "Name"
    )

    client_for.post(_urls(funder, first)["restore"])

    funder.refresh_from_db()
    assert funder.name == "Stiftung Alt"


def test_fields_of_work_and_team_members_can_be_compared_and_restored(client_for):
    field = FocusAreaFactory(title="Arbeitsfeld alt")
    member = TeamMemberFactory(role="Beraterin")
    changes = (
        (field, "title", "Arbeitsfeld alt", "Arbeitsfeld neu", "Titel"),
        (member, "role", "Beraterin", "Leiterin", "Funktion"),
    )
    for item, name, old, new, label in changes:
        first = _first_version(item)
        _edit(item, **{name: new})
        history = client_for.get(_urls(item, first)["history"])
        hrefs = [href for href, _text in links(history, "td.history-actions a[href]")]
        assert _urls(item, first)["compare"] in hrefs
        compare = client_for.get(_urls(item, first)["compare"])
        assert text(compare, "table.history-diff tbody th") == label

        client_for.post(_urls(item, first)["restore"])

        item.refresh_from_db()
        assert getattr(item, name) == old


def test_simple_history_revert_form_is_read_only_for_content(client_for):
    post = NewsPostFactory(title="Alt")
    first = _first_version(post)
    _edit(post, title="Neu")
    urls = _urls(post, first)
    assert client_for.get(urls["form"]).status_code == 200
    data = form_fields(client_for.get(urls["form"]), "#content-main form")

    response = client_for.post(urls["form"], dict(data))

    assert response.status_code == 403
    post.refresh_from_db()
    assert post.title == "Neu"


# --- counselling data ---------------------------------------------------------------------------


@pytest.fixture
def leitung():
    return _member("leitung-verlauf", "Leitung")


def test_counselling_history_has_no_compare_or_restore(leitung):
    case = make_case(leitung)
    first = case.history.earliest("history_date")
    case.title = "Geändert"
    case.save()
    client = login(leitung)

    history = client.get(reverse("admin:counselling_case_history", args=[case.pk]))

    assert history.status_code == 200
    assert doc(history).select("td.history-actions") == []
    assert "vergleichen" not in text(history, "#content-main")
    base = reverse("admin:counselling_case_history", args=[case.pk])
    for suffix in ("compare", "restore"):
        # No such page: Django's admin sends unknown addresses to ".../change/", a 404.
        assert client.get(f"{base}{first.history_id}/{suffix}/", follow=True).status_code == 404
        assert client.post(f"{base}{first.history_id}/{suffix}/", follow=True).status_code == 404
    # simple-history's own form stays read-only
    response = client.post(history_url(case, first), case_post(first.instance))
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.title == "Geändert"


def test_no_counselling_admin_offers_compare_or_restore(leitung):
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "counselling":
            continue
        assert not isinstance(model_admin, EditorialAdminMixin), model
        names = {getattr(url, "name", None) for url in model_admin.get_urls()}
        assert not any(name and name.endswith(("_compare", "_restore")) for name in names)
        if hasattr(model_admin, "revert_disabled"):
            assert model_admin.revert_disabled(None) is True, model
    case = make_case(leitung)
    # The rule itself refuses counselling data, even for Leitung, who may change cases.
    assert leitung.has_perm("counselling.change_case", case)
    assert not leitung.has_perm("kkk_portal.restore_version", case)
    assert leitung.has_perm("kkk_portal.restore_version", NewsPostFactory())


def test_every_public_content_admin_has_the_editorial_tools():
    labels = {
        "projects.project",
        "projects.focusarea",
        "projects.funder",
        "publications.newspost",
        "publications.event",
        "publications.publication",
        "team.teammember",
        "kkk_portal.sitepage",
    }
    registered = {
        model._meta.label_lower: model_admin for model, model_admin in admin.site._registry.items()
    }
    for label in labels:
        assert isinstance(registered[label], EditorialAdminMixin), label
