"""Header, footer and page bodies kept per content version (kkk_portal/templatetags/kkk.py).

Once the next scheduled change is known for a content version, the header, the
footer and marked page bodies are rendered once and reused; the pages must still
mark the right navigation item, switch languages to the page at hand and show a
change at once.
"""

import pytest

from kkk_portal import page_cache
from kkk_portal.models import SitePage
from tests.factories import ProjectFactory
from tests.html import attrs, doc, texts


def _know_next_change() -> None:
    """What the page cache does with every page it stores: look up the next scheduled change."""
    cache = page_cache.page_cache()
    page_cache._valid_until(cache, page_cache._current_version(cache), 0.0)


def _current(html: str) -> list[str]:
    return texts(html, "header a[aria-current=page]")


def _switch(html: str) -> list[str]:
    return attrs(html, "header .language-switch a", "href")


@pytest.mark.django_db
def test_kept_header_marks_the_current_page_and_switches_to_it(client):
    ProjectFactory(title="Brücken bauen")
    _know_next_change()
    for _ in range(2):  # the second round comes from the kept copies
        projects = client.get("/projekte/").content.decode()
        team = client.get("/team/").content.decode()
        home = client.get("/").content.decode()
        english = client.get("/en/team/").content.decode()
        assert _current(projects) and set(_current(projects)) == {"Projekte"}
        assert _current(team) and set(_current(team)) == {"Team"}
        assert _current(home) == []
        assert set(_switch(projects)) == {"/en/projekte/"}
        assert set(_switch(team)) == {"/en/team/"}
        assert set(_switch(english)) == {"/team/"}
        assert doc(english).html["lang"] == "en"


@pytest.mark.django_db
def test_kept_copies_show_a_change_at_once(client):
    project = ProjectFactory(title="Brücken bauen")
    _know_next_change()
    client.get("/")
    client.get(project.get_absolute_url())
    project.title = "Neue Wege"
    project.save()
    SitePage.objects.create(slug="angebot", title="Angebot", body="x", menu="haupt")
    _know_next_change()
    home = client.get("/").content.decode()
    detail = client.get(project.get_absolute_url()).content.decode()
    assert "Neue Wege" in texts(home, "main h3")
    assert "Brücken bauen" not in texts(home, "main h3")
    assert texts(detail, "main h1") == ["Neue Wege"]
    assert "Angebot" in texts(home, "header .nav-link")
    assert "Angebot" in texts(detail, "header .nav-link")


@pytest.mark.django_db
def test_kept_project_cards_show_a_change_at_once_in_every_list_and_language(client):
    from kkk_portal.enums import Bundesland
    from tests.factories import MunicipalityFactory

    place = MunicipalityFactory(name="Kartenstadt", state=Bundesland.SACHSEN)
    project = ProjectFactory(title="Brücken bauen", title_en="Building bridges")
    project.municipalities.set([place])
    _know_next_change()
    place_page = place.get_absolute_url()  # German: reverse() follows the active language
    lists = ["/projekte/?state=SN", "/projekte/?q=Br%C3%BCcken", place_page]
    for _ in range(2):  # the second round comes from the kept cards
        for url in lists:
            assert texts(client.get(url), ".project-card h3") == ["Brücken bauen"], url
        assert texts(client.get("/en/projekte/?state=SN"), ".project-card h3") == [
            "Building bridges"
        ]

    project.title = "Neue Wege"
    project.title_en = "New paths"
    project.save()
    other = MunicipalityFactory(name="Nachbarort", state=Bundesland.SACHSEN)
    project.municipalities.add(other)
    _know_next_change()
    assert texts(client.get("/projekte/?state=SN"), ".project-card h3") == ["Neue Wege"]
    assert texts(client.get("/en/projekte/?state=SN"), ".project-card h3") == ["New paths"]
    card = texts(client.get(place_page), ".project-card")
    assert len(card) == 1
    assert "Neue Wege" in card[0]
    assert "Nachbarort" in card[0]


def _queries(client, url: str) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    return len(queries), html


@pytest.mark.django_db
def test_a_filtered_list_is_kept_per_query_string_and_shows_a_change_at_once(client):
    from kkk_portal.enums import Bundesland
    from tests.factories import MunicipalityFactory

    saxony = ProjectFactory(title="Brücken bauen", title_en="Building bridges")
    saxony.municipalities.set([MunicipalityFactory(name="Kartenstadt", state=Bundesland.SACHSEN)])
    bavaria = ProjectFactory(title="Runder Tisch")
    bavaria.municipalities.set([MunicipalityFactory(name="Bergdorf", state=Bundesland.BAYERN)])
    _know_next_change()
    rendered, first = _queries(client, "/projekte/?state=SN")
    kept, second = _queries(client, "/projekte/?state=SN")
    assert kept < rendered  # the body (count line, filter form, cards) came from the copy
    assert second == first
    assert texts(second, ".project-card h3") == ["Brücken bauen"]
    assert attrs(second, "select[name=state] option[selected]", "value") == ["SN"]
    # Another query string, another language: their own copies.
    assert texts(client.get("/projekte/?state=BY"), ".project-card h3") == ["Runder Tisch"]
    assert texts(client.get("/en/projekte/?state=SN"), ".project-card h3") == ["Building bridges"]

    saxony.title = "Neue Wege"
    saxony.save()
    _know_next_change()
    assert texts(client.get("/projekte/?state=SN"), ".project-card h3") == ["Neue Wege"]


@pytest.mark.django_db
def test_kept_query_strings_per_address_are_bounded(client, settings):
    settings.PAGE_CACHE_MAX_VARIANTS = 1
    ProjectFactory(title="Brücken bauen")
    _know_next_change()
    rendered, _ = _queries(client, "/projekte/?q=Br%C3%BCcken")
    kept, _ = _queries(client, "/projekte/?q=Br%C3%BCcken")
    assert kept < rendered
    # The second query string of the hour is rendered every time, never kept.
    first, _ = _queries(client, "/projekte/?q=Br%C3%BCcken&seite=1")
    again, _ = _queries(client, "/projekte/?q=Br%C3%BCcken&seite=1")
    assert again == first > kept
    # The plain list is not a query string: kept as before.
    _queries(client, "/projekte/")
    assert _queries(client, "/projekte/")[0] < first
