"""Hours (durations of activities) per programme and period: funder report and dashboard."""

import datetime

import pytest
from django.urls import reverse

from tests.counselling.leadership_helpers import (
    _german,  # noqa: F401 - autouse fixture
    csv_rows,
    html_tables,
)
from tests.factories import ActivityFactory, CaseFactory, FunderFactory, FundingFactory

pytestmark = pytest.mark.django_db

D = datetime.date
THIS_YEAR = datetime.date.today().year
HOURS = "Stunden je Förderprogramm und Jahr (Dauer der Aktivitäten)"


@pytest.fixture
def programme(db):
    """Four cases in Sachsen-Anhalt, three in Sachsen, all in 2025."""
    funding = FundingFactory(
        funder=FunderFactory(name="Land Sachsen-Anhalt"), programme="Demokratie"
    )
    durations = {"ST": [90, 60, 45, 30], "SN": [120, 30, None]}
    for state, minutes in durations.items():
        for duration in minutes:
            case = CaseFactory(project=funding.project, state=state, start_date=D(2025, 1, 1))
            ActivityFactory(case=case, date=D(2025, 5, 1), duration_minutes=duration)
    # Outside the period: not counted.
    ActivityFactory(case=case, date=D(2024, 12, 31), duration_minutes=600)
    return {"programme": str(funding.pk), "date_from": "2025-01-01", "date_to": "2025-12-31"}


def test_funder_report_shows_hours_per_row_and_in_total(client, leitung, programme):
    client.force_login(leitung)
    response = client.get(reverse("leadership:funder_report"), programme)
    table = html_tables(response)["Fälle, Aktivitäten, Teilnehmende und Stunden nach Bundesland"]
    assert table == [
        ["Bundesland", "Fälle", "Aktivitäten", "Teilnehmende", "Stunden"],
        ["Sachsen", "3", "3", "15", "2,5"],
        ["Sachsen-Anhalt", "4", "4", "20", "3,8"],
        ["Gesamt", "7", "7", "35", "6,3"],
    ]
    content = response.content.decode()
    assert "<dt>Stunden</dt><dd>6,3</dd>" in content

    rows = csv_rows(client.get(reverse("leadership:funder_report_csv"), programme))
    assert rows[3][-1] == "Stunden"
    assert ["Bundesland", "Sachsen-Anhalt", "4", "4", "20", "3,8"] in rows
    assert ["Gesamt", "", "7", "7", "35", "6,3"] in rows


def test_funder_report_hours_of_a_shorter_period(client, leitung, programme):
    client.force_login(leitung)
    response = client.get(
        reverse("leadership:funder_report"),
        {**programme, "date_from": "2024-12-31", "date_to": "2024-12-31"},
    )
    assert response.context["report"]["total"].minutes == 600
    assert "<dt>Stunden</dt><dd>10,0</dd>" in response.content.decode()


def _dashboard_hours(client, leitung):
    client.force_login(leitung)
    return html_tables(client.get(reverse("leadership:dashboard")))[HOURS]


def test_dashboard_hours_per_programme_and_year(client, leitung):
    alpha = FundingFactory(funder=FunderFactory(name="Bund"), programme="Alpha")
    beta = FundingFactory(funder=FunderFactory(name="Land"), programme="Beta")
    for project, year, minutes in [
        (alpha.project, THIS_YEAR, [60, 60, 90]),
        (alpha.project, THIS_YEAR - 1, [30, 30, 30]),
        (beta.project, THIS_YEAR, [120, 60, 60, 60]),
        (beta.project, THIS_YEAR - 1, [60, 60, 60]),
        (None, THIS_YEAR, [45, 45, 30]),
        (alpha.project, THIS_YEAR - 4, [600]),  # older than the table
    ]:
        for duration in minutes:
            case = CaseFactory(project=project)
            ActivityFactory(case=case, date=D(year, 3, 1), duration_minutes=duration)
    # No duration: counts as a case, adds no hours.
    ActivityFactory(case=case, date=D(THIS_YEAR, 4, 1), duration_minutes=None)

    years = [str(THIS_YEAR - n) for n in (3, 2, 1, 0)]
    assert _dashboard_hours(client, leitung) == [
        ["Förderprogramm", *years, "Summe"],
        ["Bund – Alpha", "0,0", "0,0", "1,5", "3,5", "5,0"],
        ["Land – Beta", "0,0", "0,0", "3,0", "5,0", "8,0"],
        ["ohne Förderprogramm", "0,0", "0,0", "0,0", "2,0", "2,0"],
        ["Gesamt", "0,0", "0,0", "4,5", "10,5", "15,0"],
    ]


def test_dashboard_hours_hide_a_small_programme(client, leitung):
    alpha = FundingFactory(funder=FunderFactory(name="Bund"), programme="Alpha")
    beta = FundingFactory(funder=FunderFactory(name="Land"), programme="Beta")
    gamma = FundingFactory(funder=FunderFactory(name="Stiftung"), programme="Gamma")
    for project, minutes in [
        (alpha.project, [60, 60, 60]),
        (beta.project, [120, 120, 120]),
        (gamma.project, [30]),
    ]:
        for duration in minutes:
            ActivityFactory(
                case=CaseFactory(project=project),
                date=D(THIS_YEAR, 3, 1),
                duration_minutes=duration,
            )
    rows = _dashboard_hours(client, leitung)
    # Gamma's one case is hidden, and so is Alpha (the smallest other programme):
    # otherwise Gamma = Gesamt − Alpha − Beta.
    assert [row[-2:] for row in rows[1:]] == [
        ["x", "x"],
        ["6,0", "6,0"],
        ["x", "x"],
        ["9,5", "9,5"],
    ]
    content = client.get(reverse("leadership:dashboard")).content.decode()
    assert "weniger als 3 Fällen beruht" in content


def test_empty_dashboard_hours_table(client, leitung):
    rows = _dashboard_hours(client, leitung)
    assert rows[1] == ["Noch keine Daten."]
