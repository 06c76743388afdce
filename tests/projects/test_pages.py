"""Fields of work, project detail and municipality pages, and the map."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from kkk_portal import page_cache
from kkk_portal.enums import Bundesland, MunicipalityKind
from projects.map import DATA_FILE, HEIGHT, WIDTH, project, state_shapes
from projects.views import RELATED_LIMIT
from tests.factories import (
    EventFactory,
    FocusAreaFactory,
    MunicipalityFactory,
    ProjectFactory,
    PublicationFactory,
)
from tests.html import links, texts
from tests.projects.helpers import card_titles, map_places, map_state_codes, section_links, text_of

pytestmark = pytest.mark.django_db

REAL_FOCUS_AREAS = [
    "Beratung von Kommunen",
    "Kooperationen in der Altmark",
    "Forschung zu Herausforderungen",
    "Netzwerk und Lobbyarbeit",
    "Austausch mit Fachöffentlichkeit",
]


def h1(response):
    return text_of(re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S).group(1))


# ---- fields of work ----------------------------------------------------------


def test_focus_area_list_shows_the_five_fields(client, centre_content):
    response = client.get("/arbeitsfelder/")
    assert response.status_code == 200
    assert h1(response) == "Arbeitsfelder"
    html = response.content.decode()
    assert [text_of(t) for t in re.findall(r'<h2 class="h5 card-title">(.*?)</h2>', html)] == (
        REAL_FOCUS_AREAS
    )


def test_focus_area_list_in_english(client, centre_content):
    response = client.get("/en/arbeitsfelder/")
    html = response.content.decode()
    assert [text_of(t) for t in re.findall(r'<h2 class="h5 card-title">(.*?)</h2>', html)] == [
        "Counselling municipalities",
        "Cooperation in the Altmark region",
        "Research on challenges",
        "Network and advocacy",
        "Exchange with professionals",
    ]


def test_focus_area_page_shows_text_projects_publications_and_events(client, centre_content):
    response = client.get("/arbeitsfelder/austausch-mit-fachoeffentlichkeit/")
    assert response.status_code == 200
    assert h1(response) == "Austausch mit Fachöffentlichkeit"
    html = response.content.decode()
    assert "Wir teilen unsere Erfahrungen und tragen dazu bei" in html
    assert card_titles(response) == [
        "Kommunale Integrationsstrategien für Vielfalt und Teilhabe",
        "Nur Dabeisein ist nicht alles: Selbstwirksamkeit im Altmarkkreis Salzwedel erfahrbar "
        "machen",
    ]
    assert section_links(response, "related-publications") == [
        "Nur Dabeisein ist nicht alles: Selbstwirksamkeit im Altmarkkreis Salzwedel "
        "erfahrbar machen"
    ]
    assert section_links(response, "related-events") == [
        "Online-Seminar: Kommunales Konfliktmanagement"
    ]
    assert 'href="/publikationen/nur-dabeisein-ist-nicht-alles-broschuere/"' in html
    assert 'href="/veranstaltungen/online-seminar-kommunales-konfliktmanagement-2022/"' in html


def test_a_crowded_focus_area_page_shows_the_first_items_and_links_to_the_full_lists(client):
    area = FocusAreaFactory(title="Feld", slug="feld")
    start = timezone.now() - datetime.timedelta(days=400)
    for number in range(RELATED_LIMIT + 2):
        ProjectFactory(title=f"Projekt {number}", focus_areas=[area])
        PublicationFactory(title=f"Bericht {number}", focus_areas=[area])
        event = EventFactory(
            title=f"Treffen {number}",
            start=start + datetime.timedelta(days=number),
            end=start + datetime.timedelta(days=number, hours=2),
        )
        event.focus_areas.add(area)

    response = client.get("/arbeitsfelder/feld/")

    assert len(card_titles(response)) == RELATED_LIMIT
    publications = section_links(response, "related-publications")
    events = section_links(response, "related-events")
    assert len(publications) == RELATED_LIMIT + 1  # and the link to all of them
    assert publications[-1] == "Alle Publikationen dieses Arbeitsfelds"
    assert events[-1] == "Alle vergangenen Veranstaltungen"
    assert events[0] == f"Treffen {RELATED_LIMIT + 1}"  # the latest past event first
    hrefs = [href for href, _text in links(response, "main a[href]")]
    assert "/publikationen/?focus_area=feld" in hrefs
    assert "/projekte/?focus_area=feld" in hrefs
    assert "/veranstaltungen/archiv/" in hrefs


def test_focus_area_page_lists_published_items_only_upcoming_events_first(client):
    area = FocusAreaFactory(title="Feld", slug="feld")
    ProjectFactory(title="Öffentlich", focus_areas=[area])
    ProjectFactory(title="Entwurf", focus_areas=[area], is_published=False)
    PublicationFactory(title="Bericht", focus_areas=[area])
    PublicationFactory(title="Geheimer Bericht", focus_areas=[area], is_published=False)
    now = timezone.now()
    for title, days in [("Später", 60), ("Bald", 7), ("Letztes Jahr", -365), ("Neulich", -7)]:
        event = EventFactory(
            title=title,
            start=now + datetime.timedelta(days=days),
            end=now + datetime.timedelta(days=days, hours=2),
        )
        event.focus_areas.add(area)
    hidden = EventFactory(title="Intern", is_published=False)
    hidden.focus_areas.add(area)

    response = client.get("/arbeitsfelder/feld/")
    assert card_titles(response) == ["Öffentlich"]
    assert section_links(response, "related-publications") == ["Bericht"]
    assert section_links(response, "related-events") == [
        "Bald",
        "Später",
        "Neulich",
        "Letztes Jahr",
    ]


def test_unknown_focus_area_is_404(client):
    assert client.get("/arbeitsfelder/gibt-es-nicht/").status_code == 404


# ---- project detail ----------------------------------------------------------


def test_project_detail_shows_facts_places_funding_and_related(client, centre_content):
    response = client.get("/projekte/nur-dabeisein-ist-nicht-alles/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "1. Mai 2017 – 31. August 2017" in html
    places = re.search(r'<ul class="place-list">(.*?)</ul>', html, re.S)
    assert text_of(places.group(1)) == "Altmarkkreis Salzwedel (Sachsen-Anhalt)"
    assert '<a href="/kommunen/altmarkkreis-salzwedel/">Altmarkkreis Salzwedel</a>' in html
    assert section_links(response, "related-publications") == [
        "Nur Dabeisein ist nicht alles: Selbstwirksamkeit im Altmarkkreis Salzwedel "
        "erfahrbar machen"
    ]
    funding = re.search(r'<section aria-labelledby="funding-title".*?</section>', html, re.S)
    # Seed line 85: the Partnerschaft für Demokratie is the funder, not a partner.
    funding_text = text_of(funding.group(0)).replace(" :", ":")
    assert "Partnerschaft für Demokratie des Altmarkkreises Salzwedel" in funding_text
    assert "Bundesprogramm „Demokratie leben!“ des BMFSFJ" in funding_text
    assert "Partnerschaft für Demokratie des Altmarkkreises Salzwedel</li>" not in html
    assert "Zurück zu allen Projekten" in html
    assert map_places(response) == [
        ("/kommunen/altmarkkreis-salzwedel/", "Altmarkkreis Salzwedel (Sachsen-Anhalt)")
    ]


def test_project_detail_shows_district_commissioner_and_state_entries(client, centre_content):
    chemnitz = client.get("/projekte/bedarfsermittlung-konfliktmanagement-chemnitz/")
    html = chemnitz.content.decode()
    assert re.search(r"Auftraggeber</dt>\s*<dd[^>]*>Stadt Chemnitz</dd>", html)
    research = client.get("/projekte/praxis-forschung-praxis-desintegration/")
    places = re.search(r'<ul class="place-list">(.*?)</ul>', research.content.decode(), re.S)
    assert [text_of(li) for li in re.findall(r"<li>(.*?)</li>", places.group(1), re.S)] == [
        "Kommunen in Niedersachsen",
        "Kommunen in Nordrhein-Westfalen",
        "Kommunen in Sachsen",
        "Kommunen in Sachsen-Anhalt",
    ]
    altmark = client.get("/projekte/demokratiefoerderung-altmark/")
    places = re.search(r'<ul class="place-list">(.*?)</ul>', altmark.content.decode(), re.S)
    assert [text_of(li) for li in re.findall(r"<li>(.*?)</li>", places.group(1), re.S)] == [
        "Arneburg-Goldbeck (Landkreis Stendal, Sachsen-Anhalt)",
        "Gardelegen (Altmarkkreis Salzwedel, Sachsen-Anhalt)",
        "Kalbe (Milde) (Altmarkkreis Salzwedel, Sachsen-Anhalt)",
        "Osterburg (Altmark) (Landkreis Stendal, Sachsen-Anhalt)",
    ]


def test_unpublished_project_is_404(client):
    ProjectFactory(slug="entwurf", is_published=False)
    assert client.get("/projekte/entwurf/").status_code == 404


# ---- municipalities ----------------------------------------------------------


def test_municipality_list_groups_places_with_projects_by_state(client, centre_content):
    response = client.get("/kommunen/")
    assert response.status_code == 200
    html = response.content.decode()
    groups = re.findall(
        r'<h3 id="state-\d+" class="h5">(.*?)</h3>\s*<ul class="place-list">(.*?)</ul>', html, re.S
    )
    assert [
        (state, [text_of(li) for li in re.findall(r"<li>(.*?)</li>", items, re.S)])
        for state, items in groups
    ] == [
        (
            "Brandenburg",
            [
                "Fürstenberg/Havel (Stadt · 1 Projekt)",
                "Landkreis Oberhavel (Landkreis · 1 Projekt)",
            ],
        ),
        (
            "Sachsen",
            [
                "Bautzen (Stadt · 2 Projekte)",
                "Chemnitz (Kreisfreie Stadt · 2 Projekte)",
                "Landkreis Bautzen (Landkreis · 2 Projekte)",
                "Plauen (Stadt · 1 Projekt)",
                "Vogtlandkreis (Landkreis · 1 Projekt)",
            ],
        ),
        (
            "Sachsen-Anhalt",
            [
                "Altmarkkreis Salzwedel (Landkreis · 4 Projekte)",
                "Arneburg-Goldbeck (Amt/Verbandsgemeinde · 1 Projekt)",
                "Burgenlandkreis (Landkreis · 1 Projekt)",
                "Gardelegen (Stadt · 1 Projekt)",
                "Hohe Börde (Gemeinde · 1 Projekt)",
                "Kalbe (Milde) (Stadt · 1 Projekt)",
                "Landkreis Börde (Landkreis · 1 Projekt)",
                "Landkreis Stendal (Landkreis · 1 Projekt)",
                "Oschersleben (Bode) (Stadt · 1 Projekt)",
                "Osterburg (Altmark) (Stadt · 1 Projekt)",
                "Weißenfels (Stadt · 1 Projekt)",
            ],
        ),
    ]


def test_map_draws_sixteen_states_and_links_every_place_with_coordinates(client, centre_content):
    response = client.get("/kommunen/")
    assert map_state_codes(response) == list(Bundesland.values)
    assert map_places(response) == [
        ("/kommunen/fuerstenberg-havel/", "Fürstenberg/Havel (Brandenburg)"),
        ("/kommunen/bautzen/", "Bautzen (Sachsen)"),
        ("/kommunen/chemnitz/", "Chemnitz (Sachsen)"),
        ("/kommunen/plauen/", "Plauen (Sachsen)"),
        ("/kommunen/altmarkkreis-salzwedel/", "Altmarkkreis Salzwedel (Sachsen-Anhalt)"),
        ("/kommunen/arneburg-goldbeck/", "Arneburg-Goldbeck (Sachsen-Anhalt)"),
        ("/kommunen/gardelegen/", "Gardelegen (Sachsen-Anhalt)"),
        ("/kommunen/hohe-boerde/", "Hohe Börde (Sachsen-Anhalt)"),
        ("/kommunen/kalbe-milde/", "Kalbe (Milde) (Sachsen-Anhalt)"),
        ("/kommunen/oschersleben-bode/", "Oschersleben (Bode) (Sachsen-Anhalt)"),
        ("/kommunen/osterburg-altmark/", "Osterburg (Altmark) (Sachsen-Anhalt)"),
        ("/kommunen/weissenfels/", "Weißenfels (Sachsen-Anhalt)"),
    ]
    html = response.content.decode()
    assert (
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="group" aria-labelledby="places-map-caption"' in html
    )
    assert "Kartengrundlage: Natural Earth (gemeinfrei)." in html


def test_projection_puts_places_inside_their_state():
    """Leipzig lies east of Halle and south of Magdeburg; all inside the drawing."""
    halle, leipzig, magdeburg = project(11.97, 51.48), project(12.37, 51.34), project(11.63, 52.13)
    assert leipzig[0] > halle[0]
    assert leipzig[1] > magdeburg[1]
    for x, y in [halle, leipzig, magdeburg, project(5.87, 50.76), project(15.04, 54.17)]:
        assert 0 < x < WIDTH
        assert 0 < y < HEIGHT


def test_state_paths_are_cached_and_small():
    assert state_shapes() is state_shapes()
    assert [s.code for s in state_shapes()] == list(Bundesland.values)
    assert sum(len(s.path) for s in state_shapes()) < 12_000


def _absolute_rings(path):
    """The outlines a compact path ("M x y l dx dy dx dy … Z", repeated) draws."""
    rings = []
    for part in path.split("Z")[:-1]:
        move, _, steps = part[1:].partition("l")
        x, y = (int(n) for n in move.split())
        numbers = [int(n) for n in re.findall(r"-?\d+", steps)]
        ring = [(x, y)]
        for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
            x, y = x + dx, y + dy
            ring.append((x, y))
        rings.append(ring)
    return rings


def test_compact_state_paths_draw_the_projected_outlines():
    outlines = json.loads(DATA_FILE.read_text(encoding="utf-8"))["states"]
    for shape in state_shapes():
        expected = []
        for ring in outlines[shape.code]:
            points = [(round(x), round(y)) for x, y in (project(lon, lat) for lon, lat in ring)]
            expected.append([p for i, p in enumerate(points) if i == 0 or p != points[i - 1]])
        assert _absolute_rings(shape.path) == expected


def test_municipality_page_shows_its_projects_and_district(client, centre_content):
    response = client.get("/kommunen/gardelegen/")
    assert response.status_code == 200
    assert h1(response) == "Gardelegen"
    assert card_titles(response) == [
        "Demokratieförderung durch Kommunale Konfliktberatung in der Altmark"
    ]
    assert '<a href="/kommunen/altmarkkreis-salzwedel/">Altmarkkreis Salzwedel</a>' in (
        response.content.decode()
    )
    assert map_places(response) == [("/kommunen/gardelegen/", "Gardelegen (Sachsen-Anhalt)")]


def test_district_page_includes_projects_of_its_towns(client, centre_content):
    response = client.get("/kommunen/altmarkkreis-salzwedel/")
    assert card_titles(response) == [
        "Ehrenamt und Teilhabe in der Arbeit mit Geflüchteten",
        "Integration, Teilhabe, Demokratie – Ressourcen nachhaltiger Entwicklung im Altmarkkreis",
        "Demokratieförderung durch Kommunale Konfliktberatung in der Altmark",
        "Nur Dabeisein ist nicht alles: Selbstwirksamkeit im Altmarkkreis Salzwedel erfahrbar "
        "machen",
    ]


def test_municipality_without_projects_says_so_and_unknown_is_404(client):
    MunicipalityFactory(name="Stilldorf", slug="stilldorf", latitude=None, longitude=None)
    response = client.get("/kommunen/stilldorf/")
    assert response.status_code == 200
    assert "Hier sind noch keine Projekte veröffentlicht." in response.content.decode()
    assert map_places(response) == []
    assert client.get("/kommunen/gibt-es-nicht/").status_code == 404


@pytest.mark.parametrize("count", [3, 200])
def test_municipality_list_query_count_is_constant(client, django_assert_max_num_queries, count):
    district = MunicipalityFactory(kind=MunicipalityKind.LANDKREIS)
    for i in range(count):
        place = MunicipalityFactory(district=district if i % 2 else None)
        ProjectFactory(municipalities=[place])
    # The map and list are kept per content version: the first request after a change
    # also works out when the next scheduled change is due (one query per content type).
    first_after_change = 3 + len(page_cache._scheduled_models())
    with django_assert_max_num_queries(first_after_change):
        response = client.get("/kommunen/")
    markers = map_places(response)
    with django_assert_max_num_queries(1):  # the menus
        assert map_places(client.get("/kommunen/")) == markers
    # Every place is on the map, alone or in a marker for several close places.
    assert len(markers) <= count + 1
    assert len(texts(response, "ul.place-list > li")) == count + 1


@pytest.mark.parametrize("count", [3, 200])
def test_municipality_page_query_count_is_constant(client, django_assert_max_num_queries, count):
    district = MunicipalityFactory(slug="kreis", kind=MunicipalityKind.LANDKREIS)
    for _ in range(count):
        ProjectFactory(municipalities=[MunicipalityFactory(district=district)])
    # The first request after a change also works out when the next scheduled change
    # is due (one query per content type), then keeps the page's body.
    with django_assert_max_num_queries(5 + len(page_cache._scheduled_models())):
        response = client.get("/kommunen/kreis/")
    with django_assert_max_num_queries(2):  # the place, the menus
        assert client.get("/kommunen/kreis/").content == response.content
    # The first RELATED_LIMIT projects, and a link to all of them in the project list.
    assert len(card_titles(response)) == min(count, RELATED_LIMIT)
    more = [href for href, _ in links(response) if href.startswith("/projekte/?municipality=")]
    assert more == (["/projekte/?municipality=kreis"] if count > RELATED_LIMIT else [])
    if more:
        listed = client.get(more[0])
        assert texts(listed, "#result-count") == [f"{count} Projekte gefunden"]


@pytest.mark.parametrize("count", [3, 200])
def test_focus_area_page_query_count_is_constant(client, django_assert_max_num_queries, count):
    area = FocusAreaFactory(slug="feld")
    for _ in range(count):
        ProjectFactory(focus_areas=[area], municipalities=[MunicipalityFactory()])
    # The first request after a change also works out when the next scheduled change
    # is due (one query per content type), then keeps the page's body.
    with django_assert_max_num_queries(7 + len(page_cache._scheduled_models())):  # +1: the menus
        response = client.get("/arbeitsfelder/feld/")
    with django_assert_max_num_queries(3):  # the area, the menus, the schedule's value
        assert client.get("/arbeitsfelder/feld/").content == response.content
    assert len(card_titles(response)) == min(count, RELATED_LIMIT)
