"""Real browser: a visitor's first journey, with axe-core on every page."""

import pytest
from django.core.management import call_command

from tests.axe import assert_no_axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def content(transactional_db):
    call_command("load_content", verbosity=0)


@pytest.mark.parametrize("width", [360, 1280])
def test_home_to_project_and_back(page, live_server, content, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/")
    # Soft hyphens (U+00AD) let the long words break cleanly on a phone.
    heading = page.locator("h1").inner_text().replace("\xad", "")
    assert heading == "Kompetenzzentrum Kommunale Konfliktberatung"
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Alle Projekte").click()
    page.wait_for_url("**/projekte/")
    assert page.locator("h1").inner_text() == "Projekte"
    assert_no_axe_violations(page)

    page.get_by_role(
        "link", name="Demokratieförderung durch Kommunale Konfliktberatung in der Altmark"
    ).click()
    page.wait_for_url("**/projekte/demokratiefoerderung-altmark/")
    assert "1. September 2017 – 31. Dezember 2019" in page.locator("main").inner_text()
    assert_no_axe_violations(page)

    page.go_back()
    page.wait_for_url("**/projekte/")
    assert page.locator("h1").inner_text() == "Projekte"


def test_navigation_works_without_javascript(browser, live_server, content):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.locator("summary", has_text="Menü").click()  # a <details>: no script needed
    nav_link = nav.get_by_role("link", name="Projekte")
    assert nav_link.is_visible()
    nav_link.click()
    page.wait_for_url("**/projekte/")
    context.close()
