"""Real browser: the project filters, the map and axe-core on every project page."""

import re

import pytest
from django.core.management import call_command

from tests.axe import assert_no_axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ALL = "11 Projekte"


@pytest.fixture
def content(transactional_db):
    call_command("load_content", verbosity=0)


def result_count(page):
    return page.locator("#result-count").inner_text()


def titles(page):
    return page.locator(".project-card .card-title").all_inner_texts()


@pytest.mark.parametrize(
    ("label", "option", "param", "expected"),
    [
        ("Status", "abgeschlossen", "status=abgeschlossen", "11 Projekte gefunden"),
        ("Jahr", "2017", "year=2017", "2 Projekte gefunden"),
        ("Bundesland", "Sachsen-Anhalt", "state=ST", "7 Projekte gefunden"),
        ("Arbeitsfeld", "Netzwerk und Lobbyarbeit", "focus_area=netzwerk-und-lobbyarbeit",
         "1 Projekt gefunden"),
        ("Fördermittelgeber", "Bundesministerium für Familie, Senioren, Frauen und Jugend (BMFSFJ)",
         "funder=bmfsfj", "1 Projekt gefunden"),
        ("Förderprogramm", "Demokratie leben!", "programme=Demokratie+leben%21",
         "3 Projekte gefunden"),
    ],
)  # fmt: skip
def test_each_filter_via_the_form_and_back(
    page, live_server, content, label, option, param, expected
):
    page.goto(live_server.url + "/projekte/")
    assert result_count(page) == ALL
    page.get_by_label(label, exact=True).select_option(label=option)
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_url(re.compile(re.escape(param)))
    assert result_count(page) == expected
    assert (
        page.get_by_label(label, exact=True).evaluate("el => el.options[el.selectedIndex].text")
        == option
    )

    page.go_back()
    page.wait_for_url(live_server.url + "/projekte/")
    assert result_count(page) == ALL


def test_municipality_typed_with_suggestions_and_back(page, live_server, content):
    page.goto(live_server.url + "/projekte/")
    field = page.get_by_label("Kommune", exact=True)
    # A text field with the places as suggestions (<datalist>), not a long select list.
    assert field.evaluate("el => [el.type, el.list.options.length]") == ["text", 18]
    field.fill("chemnitz")
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_url(re.compile(r"municipality=chemnitz"))
    assert result_count(page) == "2 Projekte gefunden"
    assert page.get_by_label("Kommune", exact=True).input_value() == "Chemnitz"

    page.get_by_label("Kommune", exact=True).fill("Atlantis")
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_url(re.compile(r"municipality=Atlantis"))
    assert page.locator(".ignored-filter").all_inner_texts() == [
        "Zu „Atlantis“ gibt es keine Kommune mit veröffentlichten Projekten."
    ]
    assert result_count(page) == ALL

    page.go_back()
    page.wait_for_url(re.compile(r"municipality=chemnitz"))


def test_free_text_and_combined_filters_by_keyboard(page, live_server, content):
    page.goto(live_server.url + "/projekte/")
    page.get_by_label("Suchbegriff").fill("Chemnitz")
    page.get_by_label("Suchbegriff").press("Enter")
    page.wait_for_url("**/projekte/?q=Chemnitz*")
    assert result_count(page) == "2 Projekte gefunden"
    assert titles(page) == [
        "Konflikte im öffentlichen Raum gemeinsam bewältigen – Sicherheitsgefühl stärken",
        "Bedarfsermittlung für Konfliktmanagement im öffentlichen Raum der Stadt Chemnitz",
    ]

    page.get_by_role("link", name="Alle Filter zurücksetzen").click()
    page.wait_for_url(live_server.url + "/projekte/")
    page.get_by_label("Bundesland").select_option(label="Sachsen-Anhalt")
    page.get_by_label("Förderprogramm").select_option(label="Demokratie leben!")
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_url("**/projekte/?*state=ST*")
    assert result_count(page) == "3 Projekte gefunden"
    assert titles(page) == [
        "Ehrenamt und Teilhabe in der Arbeit mit Geflüchteten",
        "Demokratieförderung durch Kommunale Konfliktberatung in der Altmark",
        "Nur Dabeisein ist nicht alles: Selbstwirksamkeit im Altmarkkreis Salzwedel "
        "erfahrbar machen",
    ]
    page.go_back()
    page.wait_for_url(live_server.url + "/projekte/")
    assert result_count(page) == ALL


def test_filters_work_without_javascript(browser, live_server, content):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/projekte/")
    page.get_by_label("Bundesland").select_option(label="Brandenburg")
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_url("**/projekte/?*state=BB*")
    assert titles(page) == ["Integration und Teilhabe durch Kommunale Konfliktberatung"]
    context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_map_place_leads_to_the_municipality(page, live_server, content, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/kommunen/")
    figure = page.locator("figure.germany-map")
    assert figure.locator("path.map-state").count() == 16
    figure.get_by_role("link", name="Bautzen (Sachsen)").click()
    page.wait_for_url("**/kommunen/bautzen/")
    assert page.locator("h1").inner_text() == "Bautzen"
    assert titles(page) == [
        "Aushandlungsräume in der Stadt Bautzen entwickeln",
        "Integration und Teilhabe durch Kommunale Konfliktberatung",
    ]


def test_map_place_is_reachable_by_keyboard(page, live_server, content):
    page.goto(live_server.url + "/kommunen/")
    link = page.locator("figure.germany-map").get_by_role("link", name="Chemnitz (Sachsen)")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/kommunen/chemnitz/")
    assert page.locator("h1").inner_text() == "Chemnitz"


PAGES = [
    "/projekte/",
    "/projekte/?state=ST&programme=Demokratie+leben%21",
    "/projekte/?q=gibtesnicht",
    "/projekte/?year=abc&state=xyz",
    "/projekte/demokratiefoerderung-altmark/",
    "/projekte/praxis-forschung-praxis-desintegration/",
    "/arbeitsfelder/",
    "/arbeitsfelder/austausch-mit-fachoeffentlichkeit/",
    "/kommunen/",
    "/kommunen/bautzen/",
    "/kommunen/altmarkkreis-salzwedel/",
]


@pytest.mark.parametrize("prefix", ["", "/en"])
@pytest.mark.parametrize("width", [360, 1280])
def test_project_pages_have_no_axe_violations(page, live_server, content, width, prefix):
    page.set_viewport_size({"width": width, "height": 900})
    for path in PAGES:
        response = page.goto(live_server.url + prefix + path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
        assert_no_axe_violations(page)
