"""Leadership dashboard in the admin: access, exact figures, constant queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from counselling.models import Case, CounsellingRequest
from tests.counselling.leadership_helpers import (
    _german,  # noqa: F401 - autouse fixture
    html_tables,
)
from tests.factories import (
    ActivityFactory,
    CaseFactory,
    CounsellingRequestFactory,
    FundingFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LEADERSHIP_URLS = [
    "leadership:dashboard",
    "leadership:case_export",
    "leadership:funder_report",
    "leadership:funder_report_csv",
]
STATES = [
    "Baden-Württemberg",
    "Bayern",
    "Berlin",
    "Brandenburg",
    "Bremen",
    "Hamburg",
    "Hessen",
    "Mecklenburg-Vorpommern",
    "Niedersachsen",
    "Nordrhein-Westfalen",
    "Rheinland-Pfalz",
    "Saarland",
    "Sachsen",
    "Sachsen-Anhalt",
    "Schleswig-Holstein",
    "Thüringen",
]


@pytest.mark.parametrize("name", LEADERSHIP_URLS)
def test_leitung_and_superuser_may_open_leadership_pages(client, leitung, name):
    for user in [leitung, UserFactory(username="chefin", is_superuser=True)]:
        client.force_login(user)
        response = client.get(reverse(name))
        assert response.status_code == 200, user


@pytest.mark.parametrize("name", LEADERSHIP_URLS)
def test_beratung_and_redaktion_get_403(client, beratung, redaktion, name):
    for user in [beratung, redaktion]:
        client.force_login(user)
        response = client.get(reverse(name))
        assert response.status_code == 403, user
        assert "<h1>Kein Zugriff</h1>" in response.content.decode()
        assert (
            "Diese Seiten (Übersicht, Export der Fälle und Förderbericht) sind der Leitung "
            "vorbehalten." in response.content.decode()
        )


@pytest.mark.parametrize("name", LEADERSHIP_URLS)
def test_anonymous_visitors_are_sent_to_the_admin_login(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"


def test_inactive_leitung_member_is_sent_to_login(client, leitung):
    leitung.is_active = False
    leitung.save()
    client.force_login(leitung)
    assert client.get(reverse("leadership:dashboard")).status_code == 302


def test_admin_index_links_to_dashboard_for_leitung_only(client, leitung, beratung):
    client.force_login(leitung)
    tables = html_tables(client.get(reverse("admin:index")))
    assert tables["Leitung"] == [
        ["Übersicht und Statistik"],
        ["Fälle als CSV-Datei"],
        ["Förderbericht"],
    ]
    content = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("leadership:dashboard")}"' in content

    client.force_login(beratung)
    assert "Leitung" not in html_tables(client.get(reverse("admin:index")))


@pytest.fixture
def known_cases(db):
    migration = TopicFactory(name="Migration", order=1)
    extremism = TopicFactory(name="Rechtsextremismus", order=2)
    TopicFactory(name="Verwaltung", order=3)
    cases = [
        CaseFactory(year=2025, status=Case.Status.COUNSELLING, state="ST"),
        CaseFactory(year=2025, status=Case.Status.CLOSED, state="SN"),
        CaseFactory(year=2026, status=Case.Status.COUNSELLING, state="ST"),
        CaseFactory(year=2026, status=Case.Status.REQUEST, state=""),
    ]
    cases[0].topics.set([migration, extremism])
    cases[1].topics.set([migration])
    cases[3].topics.set([extremism])
    return cases


def _month_label(day):
    with translation.override("de"):
        return date_format(day, "F Y")


def _months_back(day, months):
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def test_dashboard_shows_exact_case_figures(client, leitung, known_cases):
    client.force_login(leitung)
    response = client.get(reverse("leadership:dashboard"))

    tables = html_tables(response)
    assert tables["Fälle nach Status"] == [
        ["Status", "Fälle", "Balken"],
        ["Anfrage", "1", ""],
        ["Erstgespräch", "0", ""],
        ["Auftragsklärung", "0", ""],
        ["Beratung", "2", ""],
        ["Abschluss", "1", ""],
        ["Abgelehnt", "0", ""],
        ["Gesamt", "4", ""],
    ]
    counts = {"Sachsen": "1", "Sachsen-Anhalt": "2"}
    assert tables["Fälle nach Bundesland"] == [
        ["Bundesland", "Fälle", "Balken"],
        *[[state, counts.get(state, "0"), ""] for state in STATES],
        ["ohne Angabe", "1", ""],
        ["Gesamt", "4", ""],
    ]
    assert tables["Fälle nach Jahr"] == [
        ["Jahr", "Fälle", "Balken"],
        ["2025", "2", ""],
        ["2026", "2", ""],
        ["Gesamt", "4", ""],
    ]
    assert tables["Fälle nach Thema (ein Fall mit mehreren Themen zählt bei jedem)"] == [
        ["Thema", "Fälle", "Balken"],
        ["Migration", "2", ""],
        ["Rechtsextremismus", "2", ""],
        ["Verwaltung", "0", ""],
        ["ohne Thema", "1", ""],
    ]


def test_dashboard_bars_are_scaled_to_the_largest_value(client, leitung, known_cases):
    client.force_login(leitung)
    content = client.get(reverse("leadership:dashboard")).content.decode()
    # Status table: Beratung 2 is the largest, Anfrage 1 is half of it.
    assert content.count('<rect x="0" y="0" width="100" height="10">') >= 1
    assert content.count('<rect x="0" y="0" width="50" height="10">') >= 1
    assert "style=" not in content


def test_dashboard_counts_requests_per_month_without_spam(client, leitung):
    today = timezone.localdate()
    first_month = _months_back(today, 23)
    start = timezone.make_aware(datetime.datetime.combine(first_month, datetime.time.min))
    CounsellingRequestFactory(created_at=timezone.now())
    CounsellingRequestFactory(created_at=timezone.now(), status=CounsellingRequest.Status.DECLINED)
    CounsellingRequestFactory(created_at=timezone.now(), status=CounsellingRequest.Status.SPAM)
    CounsellingRequestFactory(created_at=start)  # first moment of the oldest month shown
    CounsellingRequestFactory(created_at=start - datetime.timedelta(seconds=1))  # too old

    client.force_login(leitung)
    rows = html_tables(client.get(reverse("leadership:dashboard")))[
        "Anfragen je Monat, letzte 24 Monate (ohne Spam)"
    ]

    expected = {first_month: "1", _months_back(today, 0): "2"}
    assert rows == [
        ["Monat", "Anfragen", "Balken"],
        *[
            [_month_label(month), expected.get(month, "0"), ""]
            for month in (_months_back(today, back) for back in range(23, -1, -1))
        ],
        ["Gesamt", "3", ""],
    ]


def test_dashboard_without_data_shows_zeros(client, leitung):
    client.force_login(leitung)
    tables = html_tables(client.get(reverse("leadership:dashboard")))
    assert tables["Fälle nach Jahr"] == [
        ["Jahr", "Fälle", "Balken"],
        ["Noch keine Daten."],
        ["Gesamt", "0", ""],
    ]


def test_dashboard_page_structure(client, leitung):
    client.force_login(leitung)
    content = client.get(reverse("leadership:dashboard")).content.decode()
    assert content.count("<h1") == 1
    assert "<h1>Leitung: Übersicht</h1>" in content
    assert f'href="{reverse("leadership:case_export")}"' in content
    assert f'href="{reverse("leadership:funder_report")}"' in content


def test_dashboard_in_english_keeps_working(client, leitung, known_cases):
    client.force_login(leitung)
    response = client.get("/en/admin/leitung/")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [3, 200])
def test_dashboard_query_count_is_constant(client, leitung, django_assert_max_num_queries, count):
    topics = [TopicFactory(name=f"Thema {n}") for n in range(4)]
    projects = [FundingFactory(programme=f"Programm {n}").project for n in range(3)]
    this_year = timezone.localdate().year
    for n in range(count):
        case = CaseFactory(
            year=2020 + n % 7, state=STATE_CODES[n % 16], project=projects[n % 3] if n % 4 else None
        )
        case.topics.set(topics[: n % 4])
        ActivityFactory(case=case, date=datetime.date(this_year - n % 3, 3, 1), duration_minutes=90)
        CounsellingRequestFactory()
    client.force_login(leitung)
    # 19 for the figures, 2 for the worker's heartbeat and the oldest waiting mail.
    with django_assert_max_num_queries(21):
        response = client.get(reverse("leadership:dashboard"))
    assert response.status_code == 200


STATE_CODES = [
    "BW",
    "BY",
    "BE",
    "BB",
    "HB",
    "HH",
    "HE",
    "MV",
    "NI",
    "NW",
    "RP",
    "SL",
    "SN",
    "ST",
    "SH",
    "TH",
]
