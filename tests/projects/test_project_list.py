"""The public project list: filters in the query string, pagination, bad input."""

import datetime

import pytest
from django.utils import timezone

from kkk_portal import page_cache
from kkk_portal.enums import Bundesland, MunicipalityKind
from projects.models import ProjectState
from tests.factories import (
    FocusAreaFactory,
    FunderFactory,
    FundingFactory,
    MunicipalityFactory,
    ProjectFactory,
)
from tests.html import texts
from tests.projects.helpers import alerts, card_titles, ignored_notes, result_count

pytestmark = pytest.mark.django_db

ALL_REAL_PROJECTS = [
    "Aushandlungsräume in der Stadt Bautzen entwickeln",
    "Kommunale Integrationsstrategien für Vielfalt und Teilhabe",
    "Ehrenamt und Teilhabe in der Arbeit mit Geflüchteten",
    "Konflikte im öffentlichen Raum gemeinsam bewältigen – Sicherheitsgefühl stärken",
    "Anlaufstelle für Kommunen in Sachsen-Anhalt: Modellkommune Weißenfels",
    "Bedarfsermittlung für Konfliktmanagement im öffentlichen Raum der Stadt Chemnitz",
    "Praxis – Forschung – Praxis: Desintegration und Konflikte in Kommunen",
    "Integration, Teilhabe, Demokratie – Ressourcen nachhaltiger Entwicklung im Altmarkkreis",
    "Integration und Teilhabe durch Kommunale Konfliktberatung",
    "Demokratieförderung durch Kommunale Konfliktberatung in der Altmark",
    "Nur Dabeisein ist nicht alles: Selbstwirksamkeit im Altmarkkreis Salzwedel erfahrbar machen",
]
SACHSEN_ANHALT_DEMOKRATIE_LEBEN = [
    "Ehrenamt und Teilhabe in der Arbeit mit Geflüchteten",
    "Demokratieförderung durch Kommunale Konfliktberatung in der Altmark",
    "Nur Dabeisein ist nicht alles: Selbstwirksamkeit im Altmarkkreis Salzwedel erfahrbar machen",
]


def titles(client, query=""):
    return card_titles(client.get(f"/projekte/{query}"))


# ---- the real content --------------------------------------------------------


def test_list_shows_all_real_projects_newest_first(client, centre_content):
    response = client.get("/projekte/")
    assert response.status_code == 200
    assert card_titles(response) == ALL_REAL_PROJECTS
    assert result_count(response) == "11 Projekte"
    assert alerts(response) == []


def test_acceptance_sachsen_anhalt_funded_by_demokratie_leben(client, centre_content):
    """The issue's check: all projects in Sachsen-Anhalt funded by 'Demokratie leben!'."""
    response = client.get("/projekte/", {"state": "ST", "programme": "Demokratie leben!"})
    assert card_titles(response) == SACHSEN_ANHALT_DEMOKRATIE_LEBEN
    assert result_count(response) == "3 Projekte gefunden"


def test_acceptance_via_funders_gives_the_same_projects(client, centre_content):
    # "Demokratie leben!" reaches the Altmark projects directly from the BMFSFJ and
    # through the Partnerschaft für Demokratie of the Altmarkkreis Salzwedel (seed 71, 85).
    direct = titles(client, "?state=ST&funder=bmfsfj")
    via_pfd = titles(client, "?state=ST&funder=pfd-altmarkkreis-salzwedel")
    assert direct == ["Demokratieförderung durch Kommunale Konfliktberatung in der Altmark"]
    assert sorted(direct + via_pfd) == sorted(SACHSEN_ANHALT_DEMOKRATIE_LEBEN)


def test_programme_choices_name_the_programmes_of_the_real_content(client, centre_content):
    response = client.get("/projekte/")
    programme_field = response.context["filter"].form.fields["programme"]
    assert [label for value, label in programme_field.choices] == [
        "alle",
        "Asyl-, Migrations- und Integrationsfonds (AMIF)",
        "Demokratie leben!",
    ]


def test_generic_funders_are_not_offered_as_organisations(client, centre_content):
    response = client.get("/projekte/")
    funder_field = response.context["filter"].form.fields["funder"]
    labels = [label for value, label in funder_field.choices]
    assert "Landesprogramme" not in labels
    assert "Stiftungen" not in labels
    assert "Bündnis Brandenburg" in labels


def test_year_choices_cover_every_year_a_real_project_ran(client, centre_content):
    response = client.get("/projekte/")
    year_field = response.context["filter"].form.fields["year"]
    assert [value for value, label in year_field.choices] == [
        "",
        "2022",
        "2021",
        "2020",
        "2019",
        "2018",
        "2017",
    ]


def test_real_projects_in_sachsen_count_municipalities_and_state_entries(client, centre_content):
    assert titles(client, "?state=SN") == [
        "Aushandlungsräume in der Stadt Bautzen entwickeln",
        "Konflikte im öffentlichen Raum gemeinsam bewältigen – Sicherheitsgefühl stärken",
        "Bedarfsermittlung für Konfliktmanagement im öffentlichen Raum der Stadt Chemnitz",
        "Praxis – Forschung – Praxis: Desintegration und Konflikte in Kommunen",
        "Integration und Teilhabe durch Kommunale Konfliktberatung",
    ]


def test_real_projects_of_a_district_include_its_towns(client, centre_content):
    assert titles(client, "?municipality=landkreis-stendal") == [
        "Demokratieförderung durch Kommunale Konfliktberatung in der Altmark",
    ]


def test_english_list_has_the_same_filters(client, centre_content):
    response = client.get("/en/projekte/", {"state": "ST", "programme": "Demokratie leben!"})
    assert response.status_code == 200
    # The real projects have English titles, shown on English pages.
    assert card_titles(response) == [
        "Volunteering and participation in work with refugees",
        "Promoting democracy through municipal conflict counselling in the Altmark",
        "Being there is not enough: experiencing self-efficacy in the Altmarkkreis Salzwedel "
        "district",
    ]


# ---- every filter on its own -------------------------------------------------


def test_filter_by_status_uses_the_dates_against_today(client):
    today = timezone.localdate()
    ProjectFactory(
        title="Geplant",
        start_date=today + datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=400),
    )
    ProjectFactory(
        title="Laufend",
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=30),
    )
    ProjectFactory(title="Offen", start_date=today - datetime.timedelta(days=60), end_date=None)
    ProjectFactory(
        title="Endet heute", start_date=today - datetime.timedelta(days=90), end_date=today
    )
    ProjectFactory(
        title="Vorbei", start_date=datetime.date(2019, 1, 1), end_date=datetime.date(2019, 6, 30)
    )

    assert titles(client, "?status=geplant") == ["Geplant"]
    assert titles(client, "?status=laufend") == ["Laufend", "Offen", "Endet heute"]
    assert titles(client, "?status=abgeschlossen") == ["Vorbei"]


def test_filter_by_state_counts_municipalities_and_state_entries_once(client):
    leipzig = MunicipalityFactory(name="Leipzig", state=Bundesland.SACHSEN)
    halle = MunicipalityFactory(name="Halle", state=Bundesland.SACHSEN_ANHALT)
    ProjectFactory(
        title="In Leipzig", start_date=datetime.date(2021, 1, 1), municipalities=[leipzig]
    )
    in_halle = ProjectFactory(
        title="In Halle", start_date=datetime.date(2020, 1, 1), municipalities=[halle]
    )
    both = ProjectFactory(
        title="Leipzig und Sachsen", start_date=datetime.date(2019, 1, 1), municipalities=[leipzig]
    )
    ProjectState.objects.create(project=both, state=Bundesland.SACHSEN)
    ProjectState.objects.create(project=in_halle, state=Bundesland.SACHSEN)
    ProjectFactory(title="Nirgends", start_date=datetime.date(2018, 1, 1))

    assert titles(client, "?state=SN") == ["In Leipzig", "In Halle", "Leipzig und Sachsen"]
    assert titles(client, "?state=ST") == ["In Halle"]
    assert titles(client, "?state=BY") == []


def test_filter_by_municipality(client):
    district = MunicipalityFactory(name="Landkreis Muster", kind=MunicipalityKind.LANDKREIS)
    town = MunicipalityFactory(name="Musterhausen", district=district)
    other = MunicipalityFactory(name="Anderswo")
    ProjectFactory(title="Im Ort", start_date=datetime.date(2021, 1, 1), municipalities=[town])
    ProjectFactory(
        title="Im Kreis", start_date=datetime.date(2020, 1, 1), municipalities=[district]
    )
    ProjectFactory(title="Anderswo", start_date=datetime.date(2019, 1, 1), municipalities=[other])

    assert titles(client, "?municipality=musterhausen") == ["Im Ort"]
    assert titles(client, "?municipality=landkreis-muster") == ["Im Ort", "Im Kreis"]
    assert titles(client, "?municipality=anderswo") == ["Anderswo"]


def test_filter_by_focus_area(client):
    research = FocusAreaFactory(title="Forschung", slug="forschung")
    counselling = FocusAreaFactory(title="Beratung", slug="beratung")
    ProjectFactory(
        title="Beides", start_date=datetime.date(2021, 1, 1), focus_areas=[research, counselling]
    )
    ProjectFactory(
        title="Nur Forschung", start_date=datetime.date(2020, 1, 1), focus_areas=[research]
    )
    ProjectFactory(title="Ohne", start_date=datetime.date(2019, 1, 1))

    assert titles(client, "?focus_area=forschung") == ["Beides", "Nur Forschung"]
    assert titles(client, "?focus_area=beratung") == ["Beides"]


def test_filter_by_funder_lists_each_project_once(client):
    ministry = FunderFactory(name="Ministerium", slug="ministerium")
    foundation = FunderFactory(name="Stiftung", slug="stiftung")
    twice = ProjectFactory(title="Zwei Linien", start_date=datetime.date(2021, 1, 1))
    FundingFactory(project=twice, funder=ministry, programme="Programm A")
    FundingFactory(project=twice, funder=ministry, programme="Programm B")
    other = ProjectFactory(title="Stiftungsprojekt", start_date=datetime.date(2020, 1, 1))
    FundingFactory(project=other, funder=foundation, programme="")

    assert titles(client, "?funder=ministerium") == ["Zwei Linien"]
    assert titles(client, "?funder=stiftung") == ["Stiftungsprojekt"]


def test_filter_by_programme_matches_every_line_naming_it(client):
    ministry = FunderFactory(name="Ministerium", slug="ministerium")
    model = ProjectFactory(title="Modellprojekt", start_date=datetime.date(2021, 1, 1))
    FundingFactory(
        project=model,
        funder=ministry,
        programme="Modellprojekt im Bundesprogramm „Demokratie leben!“",
    )
    partnership = ProjectFactory(title="Partnerschaft", start_date=datetime.date(2020, 1, 1))
    FundingFactory(
        project=partnership,
        funder=ministry,
        programme="Partnerschaft für Demokratie im Bundesprogramm „Demokratie leben!“",
    )
    eu = ProjectFactory(title="EU-Projekt", start_date=datetime.date(2019, 1, 1))
    FundingFactory(project=eu, funder=ministry, programme="AMIF")

    response = client.get("/projekte/", {"programme": "Demokratie leben!"})
    assert card_titles(response) == ["Modellprojekt", "Partnerschaft"]
    assert titles(client, "?programme=AMIF") == ["EU-Projekt"]


def test_filter_by_year_counts_every_year_a_project_ran(client):
    ProjectFactory(
        title="2019 bis 2021",
        start_date=datetime.date(2019, 3, 1),
        end_date=datetime.date(2021, 2, 28),
    )
    ProjectFactory(
        title="Nur 2020", start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2020, 12, 31)
    )
    ProjectFactory(title="Offen seit 2021", start_date=datetime.date(2021, 6, 1), end_date=None)
    ProjectFactory(
        title="2018", start_date=datetime.date(2018, 5, 1), end_date=datetime.date(2018, 12, 31)
    )

    assert titles(client, "?year=2018") == ["2018"]
    assert titles(client, "?year=2020") == ["Nur 2020", "2019 bis 2021"]
    assert titles(client, "?year=2021") == ["Offen seit 2021", "2019 bis 2021"]
    assert titles(client, f"?year={timezone.localdate().year}") == ["Offen seit 2021"]


def test_filter_by_free_text_searches_title_summary_and_description(client):
    ProjectFactory(
        title="Marktplatz im Wandel", start_date=datetime.date(2022, 1, 1), end_date=None
    )
    ProjectFactory(
        title="B", summary="Streit um den MARKTPLATZ.", start_date=datetime.date(2021, 1, 1)
    )
    ProjectFactory(
        title="C", description="Ein Marktplatzfest.", start_date=datetime.date(2020, 1, 1)
    )
    ProjectFactory(title="D", summary="Anderes Thema.", start_date=datetime.date(2019, 1, 1))

    assert titles(client, "?q=marktplatz") == ["Marktplatz im Wandel", "B", "C"]
    assert titles(client, "?q=++") == ["Marktplatz im Wandel", "B", "C", "D"]


def test_filters_combine(client):
    research = FocusAreaFactory(title="Forschung", slug="forschung")
    halle = MunicipalityFactory(name="Halle", state=Bundesland.SACHSEN_ANHALT)
    leipzig = MunicipalityFactory(name="Leipzig", state=Bundesland.SACHSEN)
    ministry = FunderFactory(name="Ministerium", slug="ministerium")
    match = ProjectFactory(
        title="Treffer",
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2020, 12, 31),
        municipalities=[halle],
        focus_areas=[research],
    )
    FundingFactory(project=match, funder=ministry)
    wrong_state = ProjectFactory(
        title="Falsches Land",
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2020, 12, 31),
        municipalities=[leipzig],
        focus_areas=[research],
    )
    FundingFactory(project=wrong_state, funder=ministry)
    ProjectFactory(
        title="Falsches Jahr",
        start_date=datetime.date(2018, 1, 1),
        end_date=datetime.date(2018, 12, 31),
        municipalities=[halle],
        focus_areas=[research],
    )
    ProjectFactory(
        title="Ohne Förderung",
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2020, 12, 31),
        municipalities=[halle],
        focus_areas=[research],
    )

    query = "?state=ST&year=2020&focus_area=forschung&funder=ministerium&status=abgeschlossen"
    response = client.get(f"/projekte/{query}")
    assert card_titles(response) == ["Treffer"]
    assert result_count(response) == "1 Projekt gefunden"
    assert titles(client, query + "&q=nichts") == []


def test_empty_result_says_so(client):
    ProjectFactory(title="Eins")
    response = client.get("/projekte/?q=gibtesnicht")
    assert card_titles(response) == []
    assert result_count(response) == "0 Projekte gefunden"
    assert (
        "Keine Projekte passen zu diesen Filtern. Ändern Sie die Auswahl oder setzen Sie die "
        "Filter zurück." in response.content.decode()
    )


def test_unpublished_projects_are_never_listed(client):
    ProjectFactory(title="Sichtbar")
    ProjectFactory(title="Entwurf", is_published=False)
    assert titles(client) == ["Sichtbar"]
    assert titles(client, "?q=Entwurf") == []


# ---- nonsense in the query string -------------------------------------------


@pytest.mark.parametrize(
    ("query", "notes"),
    [
        ("?year=abc", ["Ungültige Auswahl bei „Jahr“ wurde ignoriert."]),
        ("?year=1850", ["Ungültige Auswahl bei „Jahr“ wurde ignoriert."]),
        ("?state=xyz", ["Ungültige Auswahl bei „Bundesland“ wurde ignoriert."]),
        ("?status=bald", ["Ungültige Auswahl bei „Status“ wurde ignoriert."]),
        ("?funder=-1", ["Ungültige Auswahl bei „Fördermittelgeber“ wurde ignoriert."]),
        (
            "?municipality=999999",
            ["Zu „999999“ gibt es keine Kommune mit veröffentlichten Projekten."],
        ),
        ("?focus_area=%00", ["Ungültige Auswahl bei „Arbeitsfeld“ wurde ignoriert."]),
        ("?programme=Unbekannt", ["Ungültige Auswahl bei „Förderprogramm“ wurde ignoriert."]),
        ("?q=a%00b", ["Ungültige Auswahl bei „Suchbegriff“ wurde ignoriert."]),
        ("?q=" + "x" * 5000, ["Ungültige Auswahl bei „Suchbegriff“ wurde ignoriert."]),
        (
            "?state=xyz&year=abc&municipality=%00&status=laufend",
            [
                "Ungültige Auswahl bei „Bundesland“ wurde ignoriert.",
                "Ungültige Auswahl bei „Kommune“ wurde ignoriert.",
                "Ungültige Auswahl bei „Jahr“ wurde ignoriert.",
            ],
        ),
        ("?unknown=1&state=", []),
    ],
)
def test_nonsense_in_the_query_string_is_ignored_with_a_note(client, query, notes):
    ProjectFactory(title="Projekt", start_date=datetime.date(2020, 1, 1), end_date=None)
    response = client.get(f"/projekte/{query}")
    assert response.status_code == 200
    assert ignored_notes(response) == notes
    assert card_titles(response) == ["Projekt"]


def test_nonsense_keeps_the_valid_filters(client):
    ProjectFactory(title="Laufend", start_date=datetime.date(2020, 1, 1), end_date=None)
    ProjectFactory(
        title="Vorbei", start_date=datetime.date(2019, 1, 1), end_date=datetime.date(2019, 2, 1)
    )
    response = client.get("/projekte/?status=abgeschlossen&year=abc")
    assert card_titles(response) == ["Vorbei"]
    assert result_count(response) == "1 Projekt gefunden"


# ---- pagination --------------------------------------------------------------


def make_projects(count, **kwargs):
    base = datetime.date(2000, 1, 1)
    return [
        ProjectFactory(
            title=f"Projekt {i:03d}", start_date=base + datetime.timedelta(days=i), **kwargs
        )
        for i in range(count)
    ]


def test_pagination_shows_twenty_per_page_and_keeps_the_filters(client):
    area = FocusAreaFactory(slug="feld")
    make_projects(45, focus_areas=[area])
    ProjectFactory(title="Anderes Feld")

    first = client.get("/projekte/?focus_area=feld")
    assert card_titles(first) == [f"Projekt {i:03d}" for i in range(44, 24, -1)]
    assert result_count(first) == "45 Projekte gefunden"
    html = first.content.decode()
    assert 'href="?focus_area=feld&amp;page=2" rel="next"' in html
    assert "Seite 1 von 3" in html

    third = client.get("/projekte/?focus_area=feld&page=3")
    assert card_titles(third) == [f"Projekt {i:03d}" for i in range(4, -1, -1)]
    assert 'href="?focus_area=feld&amp;page=2" rel="prev"' in third.content.decode()


@pytest.mark.parametrize(
    ("page", "shown", "note"),
    [
        ("99999", 2, "Diese Seite gibt es nicht. Gezeigt wird Seite 2 von 2."),
        ("abc", 1, "Diese Seite gibt es nicht. Gezeigt wird Seite 1 von 2."),
        ("0", 2, "Diese Seite gibt es nicht. Gezeigt wird Seite 2 von 2."),
        ("%00", 1, "Diese Seite gibt es nicht. Gezeigt wird Seite 1 von 2."),
    ],
)
def test_a_page_that_does_not_exist_shows_the_nearest_with_a_note(client, page, shown, note):
    make_projects(25)
    response = client.get(f"/projekte/?page={page}")
    assert response.status_code == 200
    assert alerts(response) == [note]
    assert response.context["page_obj"].number == shown


# ---- constant number of queries ----------------------------------------------


def make_rich_projects(count):
    areas = [FocusAreaFactory() for _ in range(3)]
    funder = FunderFactory(slug="geber")
    places = [MunicipalityFactory() for _ in range(3)]
    for project in make_projects(count, focus_areas=areas, municipalities=places):
        FundingFactory(project=project, funder=funder)
        ProjectState.objects.create(project=project, state=Bundesland.SACHSEN)


@pytest.mark.parametrize("count", [3, 200])
@pytest.mark.parametrize(
    "query", ["", "?state=SN&funder=geber&programme=Demokratie+leben!&year=2000&q=Projekt"]
)
def test_project_list_query_count_is_constant(client, django_assert_max_num_queries, count, query):
    make_rich_projects(count)
    # The filter's choices are kept per content version: the first request after a
    # change works them out and when the next scheduled change is due (one query per
    # content type); later ones need the count, the page and the menus.
    with django_assert_max_num_queries(10 + len(page_cache._scheduled_models())):
        response = client.get(f"/projekte/{query}")
    assert response.status_code == 200
    assert len(card_titles(response)) == min(count, 20)
    with django_assert_max_num_queries(5):  # +1: the menus
        again = client.get(f"/projekte/{query}")
    assert card_titles(again) == card_titles(response)


def test_project_cards_read_neither_long_texts_nor_search_vectors(client):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    place = MunicipalityFactory(name="Kartenstadt", state=Bundesland.SACHSEN)
    area = FocusAreaFactory()
    make_projects(3, focus_areas=[area], municipalities=[place])
    pages = ["/", "/projekte/?state=SN", area.get_absolute_url(), place.get_absolute_url()]

    for url in pages:
        for cache in caches.all():  # no card kept: each is rendered
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert card_titles(response), url
        # Every card names its place, read by name alone, for all cards in one query.
        assert all("Kartenstadt" in card for card in texts(response, ".project-card")), url
        reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
        for column in ("description", "description_en", "search_vector"):
            assert not [sql for sql in reads if f'"projects_project"."{column}"' in sql], url
        card_places = [sql for sql in reads if "_prefetch_related_val_project_id" in sql]
        assert len(card_places) == 1, url
        assert '"projects_project"."search_vector"' not in card_places[0], url

    # Once the cards are kept, another list of the same projects reads no places.
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/projekte/?state=SN&status=")
    assert len(card_titles(response)) == 3
    assert all("Kartenstadt" in card for card in texts(response, ".project-card"))
    assert not [q for q in queries if "_prefetch_related_val_project_id" in q["sql"]]
