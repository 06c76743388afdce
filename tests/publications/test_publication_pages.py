"""The publication list with its filters, and the publication page."""

import datetime

import pytest
from django.core.files.base import ContentFile

from kkk_portal import page_cache
from tests.factories import FocusAreaFactory, ProjectFactory, PublicationFactory
from tests.publications.helpers import card_titles, texts, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    """Four publications (one unpublished) across kinds, years, fields and projects."""
    konflikt = FocusAreaFactory(title="Konflikte im Raum", slug="konflikte")
    forschung = FocusAreaFactory(title="Forschung", slug="forschung", title_en="Research")
    altmark = ProjectFactory(title="Altmark-Projekt", slug="altmark")
    chemnitz = ProjectFactory(title="Chemnitz-Projekt", slug="chemnitz")
    hidden_project = ProjectFactory(title="Internes Projekt", slug="intern", is_published=False)
    PublicationFactory(
        title="Broschüre Altmark",
        kind="broschuere",
        date=datetime.date(2017, 8, 31),
        focus_areas=[konflikt],
        projects=[altmark],
    )
    PublicationFactory(
        title="Bericht Chemnitz",
        kind="bericht",
        date=datetime.date(2021, 5, 1),
        focus_areas=[forschung],
        projects=[chemnitz, hidden_project],
    )
    PublicationFactory(
        title="Bericht Forschung",
        kind="bericht",
        date=datetime.date(2021, 2, 1),
        focus_areas=[forschung, konflikt],
    )
    PublicationFactory(
        title="Entwurf", kind="bericht", date=datetime.date(2021, 6, 1), is_published=False
    )


def count_line(response):
    return texts(response, 'p.result-count[role="status"]')


def test_list_shows_published_newest_first(client, catalogue):
    response = client.get("/publikationen/")
    assert response.status_code == 200
    assert card_titles(response) == ["Bericht Chemnitz", "Bericht Forschung", "Broschüre Altmark"]
    assert count_line(response) == ["3 Publikationen"]
    assert "1. Mai 2021" in visible_text(response.content)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=bericht", ["Bericht Chemnitz", "Bericht Forschung"]),
        ("kind=broschuere", ["Broschüre Altmark"]),
        ("kind=artikel", []),
        ("year=2021", ["Bericht Chemnitz", "Bericht Forschung"]),
        ("year=2017", ["Broschüre Altmark"]),
        ("focus_area=konflikte", ["Bericht Forschung", "Broschüre Altmark"]),
        ("focus_area=forschung", ["Bericht Chemnitz", "Bericht Forschung"]),
        ("project=altmark", ["Broschüre Altmark"]),
        ("project=chemnitz", ["Bericht Chemnitz"]),
        ("kind=bericht&focus_area=konflikte", ["Bericht Forschung"]),
        ("kind=bericht&year=2021&focus_area=forschung&project=chemnitz", ["Bericht Chemnitz"]),
    ],
)
def test_each_filter_gives_exactly_the_matching_publications(client, catalogue, query, expected):
    response = client.get(f"/publikationen/?{query}")
    assert response.status_code == 200
    assert card_titles(response) == expected
    noun = "Publikation" if len(expected) == 1 else "Publikationen"
    assert count_line(response) == [f"{len(expected)} {noun}"]


def test_empty_filter_result_explains_itself(client, catalogue):
    response = client.get("/publikationen/?kind=artikel")
    assert "Zu diesen Filtern gibt es keine Publikationen." in visible_text(response.content)


def test_filter_form_offers_years_fields_and_only_published_projects(client, catalogue):
    ProjectFactory(title="Projekt ohne Publikation", slug="ohne")  # not offered
    response = client.get("/publikationen/")
    content = response.content.decode()
    assert texts(content, 'select[name="year"]') == ["Alle Jahre 2021 2017"]
    assert texts(content, 'select[name="project"]') == [
        "Alle Projekte Altmark-Projekt Chemnitz-Projekt"
    ]
    assert texts(content, 'label[for="id_kind"]') == ["Art"]
    assert texts(content, 'label[for="id_focus_area"]') == ["Arbeitsfeld"]
    assert '<form method="get" action="/publikationen/"' in content


def test_english_filter_uses_english_field_titles(client, catalogue):
    response = client.get("/en/publikationen/")
    options = texts(response, 'select[name="focus_area"]')
    assert "Research" in options[0]


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("year=abc", "Jahr"),
        ("year=99999999999999999999", "Jahr"),
        ("kind=xyz", "Art"),
        ("project=-1", "Projekt"),
        ("focus_area=%00", "Arbeitsfeld"),
        ("project=%27%3B--", "Projekt"),
    ],
)
def test_nonsense_filter_values_give_a_friendly_message(client, catalogue, query, label):
    response = client.get(f"/publikationen/?{query}")
    assert response.status_code == 200
    warning = texts(response, 'div.alert.alert-warning[role="alert"]')
    assert warning == [
        "Eine Filterangabe in der Adresse konnten wir nicht verstehen und haben sie deshalb "
        f"nicht berücksichtigt: {label}. Bitte wählen Sie im Formular einen gültigen Wert."
    ]
    # The nonsense value is ignored: every published publication is listed.
    assert card_titles(response) == ["Bericht Chemnitz", "Bericht Forschung", "Broschüre Altmark"]


def test_valid_filters_still_apply_beside_a_nonsense_one(client, catalogue):
    response = client.get("/publikationen/?kind=broschuere&year=abc")
    assert card_titles(response) == ["Broschüre Altmark"]


@pytest.mark.parametrize("query", ["page=99999", "page=abc", "page=0", "page=-1"])
def test_nonsense_page_is_404(client, catalogue, query):
    assert client.get(f"/publikationen/?{query}").status_code == 404


def test_list_paginates_twenty_per_page_and_keeps_filters(client):
    for day in range(1, 26):
        PublicationFactory(title=f"Heft {day:02d}", date=datetime.date(2020, 1, day))
    first = client.get("/publikationen/?kind=bericht")
    assert len(card_titles(first)) == 20
    assert card_titles(first)[0] == "Heft 25"
    assert 'href="?kind=bericht&amp;page=2"' in first.content.decode()
    second = client.get("/publikationen/?kind=bericht&page=2")
    assert card_titles(second) == ["Heft 05", "Heft 04", "Heft 03", "Heft 02", "Heft 01"]
    assert count_line(second) == ["25 Publikationen"]


@pytest.mark.parametrize("amount", [3, 200])
def test_list_query_count_is_constant(client, django_assert_max_num_queries, amount):
    areas = FocusAreaFactory.create_batch(3)
    projects = ProjectFactory.create_batch(3)
    for n in range(amount):
        PublicationFactory(
            date=datetime.date(2000 + n % 20, 1, 1), focus_areas=areas, projects=projects
        )
    # The filter's choices are kept per content version: the first request after a
    # change works them out and when the next scheduled change is due (one query per
    # content type); later ones need the count, the page, its relations and the menus.
    with django_assert_max_num_queries(7 + len(page_cache._scheduled_models())):
        response = client.get("/publikationen/?kind=bericht")
    assert response.status_code == 200
    assert len(card_titles(response)) == min(amount, 20)
    with django_assert_max_num_queries(4):  # +1: the menus
        again = client.get("/publikationen/?kind=bericht")
    assert card_titles(again) == card_titles(response)


def test_detail_shows_abstract_authors_date_relations_and_download(client, catalogue):
    publication = PublicationFactory(
        title="Handreichung Konfliktanalyse",
        slug="handreichung",
        kind="handreichung",
        date=datetime.date(2022, 3, 7),
        authors="Erika Muster, Max Beispiel",
        abstract="Wie man einen Konflikt analysiert.",
        focus_areas=[],
    )
    publication.projects.set(ProjectFactory._meta.model.objects.filter(slug__in=["altmark"]))
    publication.file.save("handreichung.pdf", ContentFile(b"%PDF" + b"x" * 1_258_287))
    response = client.get("/publikationen/handreichung/")
    assert response.status_code == 200
    text = visible_text(response.content)
    assert texts(response, "h1") == ["Handreichung Konfliktanalyse"]
    assert "Erscheinungsdatum 7. März 2022" in text
    assert "Autor*innen Erika Muster, Max Beispiel" in text
    assert "Wie man einen Konflikt analysiert." in text
    assert "Projekte Altmark-Projekt" in text
    assert texts(response, "a.btn.btn-primary[download]") == [
        "Publikation herunterladen (PDF, 1,2 MB)"
    ]


def test_detail_in_english_formats_size_in_english(client):
    publication = PublicationFactory(slug="report")
    publication.file.save("report.pdf", ContentFile(b"x" * 1_258_291))
    response = client.get("/en/publikationen/report/")
    assert "(PDF, 1.2" in visible_text(response.content)


def test_detail_without_file_says_so(client, catalogue):
    response = client.get("/publikationen/bericht-forschung/")
    text = visible_text(response.content)
    assert "Zu dieser Publikation gibt es keine Datei zum Herunterladen." in text
    assert "Arbeitsfelder Konflikte im Raum, Forschung" in text


def test_detail_hides_unpublished_projects(client, catalogue):
    text = visible_text(client.get("/publikationen/bericht-chemnitz/").content)
    assert "Projekte Chemnitz-Projekt" in text
    assert "Internes Projekt" not in text


def test_detail_with_lost_file_does_not_crash(client):
    PublicationFactory(slug="verloren", file="publications/gibt-es-nicht.pdf")
    response = client.get("/publikationen/verloren/")
    assert response.status_code == 200
    assert "Zu dieser Publikation gibt es keine Datei zum Herunterladen." in visible_text(
        response.content
    )


def test_unpublished_and_unknown_publications_are_404(client, catalogue):
    assert client.get("/publikationen/entwurf/").status_code == 404
    assert client.get("/publikationen/gibt-es-nicht/").status_code == 404


def test_real_brochure_is_listed_without_an_invented_date(client, centre_content):
    response = client.get("/publikationen/")
    assert card_titles(response) == [
        "Nur Dabeisein ist nicht alles: Selbstwirksamkeit im Altmarkkreis Salzwedel "
        "erfahrbar machen"
    ]
    detail = client.get("/publikationen/nur-dabeisein-ist-nicht-alles-broschuere/")
    # The seeds give no publication date: none is shown.
    assert "Erscheinungsdatum" not in visible_text(detail.content)


def test_dates_follow_the_page_language(client, catalogue):
    PublicationFactory(slug="datiert", date=datetime.date(2022, 3, 7), focus_areas=[])

    german = visible_text(client.get("/publikationen/datiert/").content)
    english = visible_text(client.get("/en/publikationen/datiert/").content)

    assert "7. März 2022" in german
    assert "7 March 2022" in english
    assert "07.03.2022" not in german + english
