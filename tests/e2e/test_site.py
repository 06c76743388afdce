"""Real browser: search, language switch, text pages, 404, navigation and axe-core."""

import pytest
from django.core.management import call_command

from team.models import ContactDetails
from tests.axe import assert_no_axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROJECT = "/projekte/demokratiefoerderung-altmark/"
LEGAL_PAGES = ["/impressum/", "/datenschutz/", "/barrierefreiheit/", "/leichte-sprache/"]


@pytest.fixture
def content(transactional_db):
    call_command("load_content", verbosity=0)  # the text pages come from the seeds too


def open_nav(page):
    """On narrow screens the navigation is closed behind the "Menü" disclosure."""
    toggle = page.locator("#main-nav > summary")
    if toggle.is_visible():
        toggle.click()
        page.locator("#main-nav[open]").wait_for()


@pytest.mark.parametrize("width", [360, 1280])
def test_search_from_the_header_shows_highlighted_results(page, live_server, content, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/")
    open_nav(page)
    page.get_by_role("searchbox", name="Website durchsuchen").fill("Altmark")
    page.get_by_role("search", name="Schnellsuche").get_by_role("button", name="Suchen").click()
    page.wait_for_url("**/suche/?q=Altmark")
    assert page.locator("h1").inner_text() == "Suche"
    # Fields of work and places are searched too: 1 field of work, 2 places, 4 projects,
    # 1 publication.
    assert page.locator(".search-summary").inner_text() == "8 Treffer für „Altmark“."
    marks = page.locator(".search-snippet mark")
    assert marks.count() >= 1
    assert marks.first.inner_text().lower().startswith("altmark")
    page.get_by_role(
        "link", name="Demokratieförderung durch Kommunale Konfliktberatung in der Altmark"
    ).click()
    page.wait_for_url("**" + PROJECT)


def test_language_switch_keeps_the_page(page, live_server, content):
    page.goto(live_server.url + PROJECT)
    page.get_by_role("link", name="English").click()
    page.wait_for_url(live_server.url + "/en" + PROJECT)
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Deutsch").click()
    page.wait_for_url(live_server.url + PROJECT)
    assert page.locator("html").get_attribute("lang") == "de"


def test_legal_pages_are_linked_in_the_footer(page, live_server, content):
    page.goto(live_server.url + "/")
    footer = page.get_by_role("contentinfo")
    expected = {
        "Impressum": "Impressum",
        "Datenschutz": "Datenschutzerklärung",
        "Barrierefreiheit": "Erklärung zur Barrierefreiheit",
        "Leichte Sprache": "Leichte Sprache",
    }
    for link, heading in expected.items():
        footer.get_by_role("link", name=link, exact=True).click()
        assert page.locator("h1").inner_text() == heading
        footer = page.get_by_role("contentinfo")
    # The seeds give no email; once an editor enters one, barriers can be reported by mail.
    details = ContactDetails.load()
    details.email = "kontakt@zentrum.example.org"
    details.save()
    page.goto(live_server.url + "/barrierefreiheit/")
    report = page.get_by_role("region", name="Barriere melden")
    assert (
        report.get_by_role("link", name="E-Mail an kontakt@zentrum.example.org").get_attribute(
            "href"
        )
        == "mailto:kontakt@zentrum.example.org?subject=Barriere%20auf%20der%20Website"
    )
    page.goto(live_server.url + "/leichte-sprache/")
    assert "Wir halten zu keiner Seite." in page.locator("main").inner_text()


def test_404_page_offers_a_way_back(page, live_server, content):
    response = page.goto(live_server.url + "/gibt-es-nicht/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Seite nicht gefunden"
    page.get_by_role("searchbox", name="Website durchsuchen").last.fill("Altmark")
    page.locator(".error-search").get_by_role("button", name="Suchen").click()
    page.wait_for_url("**/suche/?q=Altmark")
    page.goto(live_server.url + "/en/does-not-exist/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("main").get_by_role("link").first.click()
    page.wait_for_url(live_server.url + "/en/")


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_site_pages_have_no_axe_violations(page, live_server, content, width, prefix):
    page.set_viewport_size({"width": width, "height": 900})
    urls = [
        "/",
        "/suche/?q=Altmark",
        "/suche/?q=Quantenphysik",
        "/suche/?q=" + "x" * 300,
        *LEGAL_PAGES,
        "/gibt-es-nicht/",
    ]
    for url in urls:
        page.goto(live_server.url + prefix + url)
        assert_no_axe_violations(page)


def test_mobile_navigation_opens_and_links_work(page, live_server, content):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server.url + "/")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    projects = nav.get_by_role("link", name="Projekte", exact=True)
    assert not projects.is_visible()
    menu = nav.locator("details#main-nav")
    toggle = menu.locator("summary", has_text="Menü")
    assert menu.get_attribute("open") is None
    toggle.click()
    projects.wait_for(state="visible")
    assert menu.get_attribute("open") == ""
    assert_no_axe_violations(page)
    projects.click()
    page.wait_for_url("**/projekte/")


def test_wide_screen_shows_the_navigation_without_the_toggle(page, live_server, content):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    assert not nav.locator("#main-nav > summary").is_visible()
    nav.get_by_role("link", name="Projekte", exact=True).click()
    page.wait_for_url("**/projekte/")


def test_navigation_search_and_language_work_without_javascript(browser, live_server, content):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    assert not nav.get_by_role("link", name="Beratung anfragen").is_visible()
    nav.locator("summary", has_text="Menü").click()  # a <details>: no script needed
    assert nav.get_by_role("link", name="Beratung anfragen").is_visible()
    page.get_by_role("searchbox", name="Website durchsuchen").fill("Altmark")
    page.get_by_role("search", name="Schnellsuche").get_by_role("button", name="Suchen").click()
    page.wait_for_url("**/suche/?q=Altmark")
    assert page.locator(".search-summary").inner_text() == "8 Treffer für „Altmark“."
    page.locator("#main-nav > summary").click()
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/suche/?q=Altmark")
    context.close()
