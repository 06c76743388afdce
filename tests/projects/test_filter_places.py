"""The municipality filter as a text field with suggestions; choices kept per content
version; the map's layout for many places."""

import math
import random

import pytest

from kkk_portal.enums import Bundesland
from projects import map as germany
from tests.factories import MunicipalityFactory, ProjectFactory
from tests.html import attrs, doc
from tests.projects.helpers import card_titles, ignored_notes, map_places

pytestmark = pytest.mark.django_db


def suggestions(response) -> list[str]:
    return attrs(response, "datalist#id_municipality_suggestions option", "value")


def municipality_input(response):
    return doc(response).select_one("input#id_municipality")


@pytest.fixture
def places():
    halle = MunicipalityFactory(name="Halle (Saale)", slug="halle", state=Bundesland.SACHSEN_ANHALT)
    neustadt_sn = MunicipalityFactory(name="Neustadt", slug="neustadt-sn", state=Bundesland.SACHSEN)
    neustadt_th = MunicipalityFactory(
        name="Neustadt", slug="neustadt-th", state=Bundesland.THUERINGEN
    )
    MunicipalityFactory(name="Ohne Projekt", slug="ohne-projekt")
    ProjectFactory(title="In Halle", municipalities=[halle])
    ProjectFactory(title="In Neustadt (Sachsen)", municipalities=[neustadt_sn])
    ProjectFactory(title="In Neustadt (Thüringen)", municipalities=[neustadt_th])


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_filter_suggests_places_with_projects_in_a_datalist(client, places, prefix):
    response = client.get(f"{prefix}/projekte/")

    field = municipality_input(response)
    assert (field["type"], field["name"], field["list"]) == (
        "text",
        "municipality",
        "id_municipality_suggestions",
    )
    assert doc(response).select_one("label[for=id_municipality]") is not None
    state = "Sachsen" if not prefix else "Saxony"
    thuringia = "Thüringen" if not prefix else "Thuringia"
    assert suggestions(response) == [
        "Halle (Saale)",
        f"Neustadt ({state})",
        f"Neustadt ({thuringia})",
    ]
    assert doc(response).select("select#id_municipality") == []


@pytest.mark.parametrize("prefix", ["", "/en"])
@pytest.mark.parametrize(
    ("typed", "titles"),
    [
        ("Halle (Saale)", ["In Halle"]),
        ("  halle (saale) ", ["In Halle"]),
        ("Neustadt (Sachsen)", ["In Neustadt (Sachsen)"]),
        ("neustadt (thüringen)", ["In Neustadt (Thüringen)"]),
        ("halle", ["In Halle"]),  # an old link names the place by its slug
    ],
)
def test_a_typed_name_filters_the_list(client, places, prefix, typed, titles):
    response = client.get(f"{prefix}/projekte/", {"municipality": typed})

    assert response.status_code == 200
    assert card_titles(response) == titles
    assert ignored_notes(response) == []


def test_the_chosen_place_is_shown_by_its_name(client, places):
    response = client.get("/projekte/", {"municipality": "neustadt-sn"})

    assert municipality_input(response)["value"] == "Neustadt (Sachsen)"


def test_the_english_names_of_states_work_on_english_pages(client, places):
    response = client.get("/en/projekte/", {"municipality": "Neustadt (Saxony)"})

    assert card_titles(response) == ["In Neustadt (Sachsen)"]


@pytest.mark.parametrize(
    ("typed", "note"),
    [
        ("Atlantis", "Zu „Atlantis“ gibt es keine Kommune mit veröffentlichten Projekten."),
        ("Ohne Projekt", "Zu „Ohne Projekt“ gibt es keine Kommune mit veröffentlichten Projekten."),
        (
            "Neustadt",
            "„Neustadt“ gibt es mehrmals. Bitte wählen Sie mit Bundesland, "
            "z. B. „Neustadt (Sachsen)“.",
        ),
    ],
)
def test_a_name_that_matches_no_single_place_says_so(client, places, typed, note):
    response = client.get("/projekte/", {"municipality": typed, "state": "SN"})

    assert response.status_code == 200
    assert ignored_notes(response) == [note]
    # The other filters still apply; the typed text stays to be corrected.
    assert card_titles(response) == ["In Neustadt (Sachsen)"]
    assert municipality_input(response)["value"] == typed


def test_many_places_are_suggested_only_for_the_chosen_state(client, settings, monkeypatch):
    from projects import filters

    monkeypatch.setattr(filters, "SUGGESTIONS_MAX", 2)
    for name, state in [("A-Dorf", "SN"), ("B-Dorf", "SN"), ("C-Dorf", "TH")]:
        ProjectFactory(municipalities=[MunicipalityFactory(name=name, state=state)])

    assert suggestions(client.get("/projekte/")) == []
    assert suggestions(client.get("/projekte/?state=SN")) == ["A-Dorf", "B-Dorf"]


def test_filter_choices_follow_a_content_change_at_once(client, places):
    assert "Halle (Saale)" in suggestions(client.get("/projekte/"))
    assert "Zeitz" not in suggestions(client.get("/projekte/"))

    ProjectFactory(title="In Zeitz", municipalities=[MunicipalityFactory(name="Zeitz")])
    assert "Zeitz" in suggestions(client.get("/projekte/"))
    assert card_titles(client.get("/projekte/", {"municipality": "Zeitz"})) == ["In Zeitz"]

    project = ProjectFactory(title="Jahr 1999", start_date="1999-01-01", end_date="1999-12-31")
    years = attrs(client.get("/projekte/"), "select#id_year option", "value")
    assert "1999" in years
    project.is_published = False
    project.save()
    years = attrs(client.get("/projekte/"), "select#id_year option", "value")
    assert "1999" not in years


# --- the map with many places -------------------------------------------------------


def random_points(count, seed=7):
    rng = random.Random(seed)
    return tuple(
        germany.project(rng.uniform(6.0, 15.0), rng.uniform(47.5, 55.0)) for _ in range(count)
    )


@pytest.mark.parametrize("count", [2000, 300, 60])
def test_many_places_get_markers_that_never_overlap(count):
    points = random_points(count)

    markers = germany.layout(points)

    positions = [(x, y) for _, x, y in markers]
    for i, a in enumerate(positions):
        for b in positions[i + 1 :]:
            assert math.dist(a, b) >= germany.MARKER_SPACING - 0.1
    # Every place belongs to exactly one marker, and near it.
    members = sorted(i for group, _, _ in markers for i in group)
    assert members == list(range(count))
    for group, x, y in markers:
        for i in group:
            assert math.dist(points[i], (x, y)) <= germany.MAX_MOVE + germany.MARKER_SPACING
    # The same places always give the same map.
    germany.layout.cache_clear()
    assert germany.layout(points) == markers


def test_the_places_page_groups_close_places_into_one_marker(client):
    for i in range(germany.SPREAD_MAX + 10):
        ProjectFactory(
            municipalities=[
                MunicipalityFactory(name=f"Ort {i:02d}", latitude=52.0, longitude=11.0 + i / 1000)
            ]
        )

    response = client.get("/kommunen/")

    markers = map_places(response)
    assert markers == [
        (
            "/kommunen/#places-ST",
            "Ort 00 (Sachsen-Anhalt) und 59 weitere Orte in der Nähe",
        )
    ]
    assert doc(response).select_one("section#places-ST") is not None
    assert len(doc(response).select("#places-ST li")) == germany.SPREAD_MAX + 10
