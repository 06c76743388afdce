"""CSV export of all cases: columns, personal data for Leitung only, formula injection."""

import datetime

import pytest
from django.urls import reverse

from counselling import reports
from counselling.leadership_views import csv_response, csv_safe, may_see_requester_data
from counselling.models import Case
from kkk_portal.enums import BodyKind
from tests.counselling.leadership_helpers import (
    _german,  # noqa: F401 - autouse fixture
    csv_rows,
)
from tests.factories import (
    ActivityFactory,
    CaseFactory,
    CounsellingRequestFactory,
    MunicipalityFactory,
    ProjectFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HEADER = [
    "Aktenzeichen",
    "Titel",
    "Status",
    "Bundesland",
    "Kommune",
    "Art der Körperschaft",
    "Themen",
    "Konfliktlage",
    "Berater*innen",
    "Federführung",
    "Finanzierendes Projekt",
    "Beginn",
    "Ende",
    "Anzahl Aktivitäten",
    "Erreichte Teilnehmende",
]
PERSONAL_HEADER = [
    "Institution (Anfrage)",
    "Ansprechperson (Anfrage)",
    "E-Mail (Anfrage)",
    "Telefon (Anfrage)",
]


@pytest.fixture
def export_cases(db):
    lead = UserFactory(username="anna", first_name="Anna", last_name="Albers")
    other = UserFactory(username="bernd", first_name="Bernd", last_name="Bauer")
    request = CounsellingRequestFactory(
        institution="Stadt Musterhausen",
        contact_name="Erika Mustermann",
        email="erika@musterhausen.example",
        phone="+49 30 123456",
    )
    full = CaseFactory(
        year=2025,
        number=1,
        title="Streit um den Marktplatz",
        status=Case.Status.COUNSELLING,
        state="ST",
        municipality=MunicipalityFactory(name="Musterhausen"),
        body_kind=BodyKind.STADT,
        conflict_type="akut",
        lead_counsellor=lead,
        project=ProjectFactory(title="Konfliktberatung Altmark"),
        start_date=datetime.date(2025, 3, 1),
        end_date=datetime.date(2025, 9, 30),
        request=request,
    )
    full.topics.set([TopicFactory(name="Migration", order=1), TopicFactory(name="Jugend", order=2)])
    full.counsellors.set([other, lead])
    ActivityFactory(case=full, participants=5)
    ActivityFactory(case=full, participants=7)
    bare = CaseFactory(year=2025, number=2, title='=HYPERLINK("http://evil.example")', state="")
    CaseFactory(year=2026, number=1, title="-2+3", state="SN")
    CaseFactory(year=2026, number=2, title="@SUMME(A1)", state="SN")
    return full, bare


FULL_ROW = [
    "KKB-2025-0001",
    "Streit um den Marktplatz",
    "Beratung",
    "Sachsen-Anhalt",
    "Musterhausen",
    "Stadt",
    "Migration, Jugend",
    "akut",
    "Anna Albers, Bernd Bauer",
    "Anna Albers",
    "Konfliktberatung Altmark",
    "2025-03-01",
    "2025-09-30",
    "2",
    "12",
]
OTHER_ROWS = [
    [
        "KKB-2025-0002",
        '\'=HYPERLINK("http://evil.example")',
        "Anfrage",
        "",
        "",
        "",
        "",
        "noch unklar",
        "",
        "",
        "",
        "",
        "",
        "0",
        "0",
    ],
    ["KKB-2026-0001", "'-2+3", "Anfrage", "Sachsen", *[""] * 3, "noch unklar", *[""] * 5, "0", "0"],
    [
        "KKB-2026-0002",
        "'@SUMME(A1)",
        "Anfrage",
        "Sachsen",
        *[""] * 3,
        "noch unklar",
        *[""] * 5,
        "0",
        "0",
    ],
]
PERSONAL_ROW = [
    "Stadt Musterhausen",
    "Erika Mustermann",
    "erika@musterhausen.example",
    "'+49 30 123456",
]


def test_leitung_gets_every_case_with_requester_data(client, leitung, export_cases):
    client.force_login(leitung)
    response = client.get(reverse("leadership:case_export"))

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="faelle-')
    assert csv_rows(response) == [
        HEADER + PERSONAL_HEADER,
        [*FULL_ROW, *PERSONAL_ROW],
        *[[*row, "", "", "", ""] for row in OTHER_ROWS],
    ]


def test_superuser_counts_as_leitung(client, export_cases):
    client.force_login(UserFactory(username="root", is_superuser=True))
    rows = csv_rows(client.get(reverse("leadership:case_export")))
    assert rows[0] == HEADER + PERSONAL_HEADER


def test_export_without_permission_for_personal_data_leaves_those_columns_out(export_cases):
    """What a role with access but without the personal-data permission would get."""
    rows = reports.export_rows(include_personal=False)
    response = csv_response(
        [reports.export_header(include_personal=False), *rows], filename="faelle.csv"
    )
    parsed = csv_rows(response)
    assert parsed == [HEADER, FULL_ROW, *OTHER_ROWS]
    flat = ";".join(";".join(row) for row in parsed)
    assert "Erika Mustermann" not in flat
    assert "erika@musterhausen.example" not in flat


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 1", "'+49 30 1"),
        ("-Streit", "'-Streit"),
        ("@A1", "'@A1"),
        ("\tTab", "'\tTab"),
        ("Streit = Konflikt", "Streit = Konflikt"),
        (12, 12),
    ],
)
def test_csv_safe_neutralises_formulas(value, expected):
    assert csv_safe(value) == expected


@pytest.mark.parametrize("count", [3, 200])
def test_export_query_count_is_constant(client, leitung, django_assert_max_num_queries, count):
    topic = TopicFactory(name="Migration")
    for _n in range(count):
        case = CaseFactory(request=CounsellingRequestFactory(), lead_counsellor=leitung)
        case.topics.set([topic])
        case.counsellors.set([leitung])
        ActivityFactory(case=case)
    client.force_login(leitung)
    # 8 for the export, 1 for its entry in the access log.
    with django_assert_max_num_queries(9):
        rows = csv_rows(client.get(reverse("leadership:case_export")))
    assert len(rows) == count + 1


def test_only_leitung_and_superusers_may_see_requester_data(leitung, beratung, redaktion):
    superuser = UserFactory(username="root", is_superuser=True)
    assert [may_see_requester_data(user) for user in [leitung, superuser, beratung, redaktion]] == [
        True,
        True,
        False,
        False,
    ]
