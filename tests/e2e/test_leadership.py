"""Real browser: Leitung opens the dashboard, downloads the case CSV, prints a funder report."""

import datetime

import pytest
from django.contrib.auth.models import Group

from counselling.models import Case
from tests.axe import assert_no_axe_violations
from tests.conftest import enter_second_factor
from tests.factories import (
    ActivityFactory,
    CaseFactory,
    FunderFactory,
    FundingFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"  # set by UserFactory


@pytest.fixture
def leitung(transactional_db):
    user = UserFactory(username="lea", first_name="Lea", last_name="Leitung")
    user.groups.add(Group.objects.get_or_create(name="Leitung")[0])
    funding = FundingFactory(
        funder=FunderFactory(name="Bundesministerium für Familie"), programme="Demokratie leben!"
    )
    topic = TopicFactory(name="Migration")
    for number, state in enumerate(["ST", "ST", "ST", "SN"], start=1):
        case = CaseFactory(
            year=2025,
            number=number,
            state=state,
            status=Case.Status.COUNSELLING,
            project=funding.project,
            start_date=datetime.date(2025, 2, 1),
        )
        case.topics.set([topic])
        ActivityFactory(case=case, date=datetime.date(2025, 3, 1), participants=10)
    return user


def _log_in(page, live_server, user):
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.get_by_label("Benutzername").fill(user.username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    enter_second_factor(page, user)
    page.wait_for_url("**/admin/")


@pytest.mark.parametrize("width", [360, 1280])
def test_leitung_uses_dashboard_export_and_funder_report(page, live_server, leitung, width):
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, live_server, leitung)

    assert page.get_by_role("table", name="Leitung").is_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Übersicht und Statistik").click()
    page.wait_for_url("**/admin/leitung/")
    assert page.locator("h1").inner_text() == "Leitung: Übersicht"
    status_table = page.get_by_role("table", name="Fälle nach Status")
    assert status_table.get_by_role("row", name="Beratung").inner_text().split() == [
        "Beratung",
        "4",
    ]
    assert_no_axe_violations(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Alle Fälle als CSV-Datei herunterladen").click()
    download = download_info.value
    assert download.suggested_filename.startswith("faelle-")
    with open(download.path(), encoding="utf-8") as csv_file:
        lines = csv_file.read().splitlines()
    assert lines[0].startswith("\ufeffAktenzeichen;Titel;Status;Bundesland;")
    assert [line.split(";")[0] for line in lines[1:]] == [
        "KKB-2025-0001",
        "KKB-2025-0002",
        "KKB-2025-0003",
        "KKB-2025-0004",
    ]

    page.get_by_role("link", name="Förderbericht erstellen").click()
    page.wait_for_url("**/admin/leitung/foerderbericht/")
    page.get_by_label("Förderprogramm").select_option(
        label="Bundesministerium für Familie – Demokratie leben!"
    )
    page.get_by_label("von").fill("2025-01-01")
    page.get_by_label("bis").fill("2025-12-31")
    page.get_by_role("button", name="Bericht anzeigen").click()
    page.wait_for_url("**/foerderbericht/?programme=*")
    by_state = page.get_by_role(
        "table", name="Fälle, Aktivitäten, Teilnehmende und Stunden nach Bundesland"
    )
    # Sachsen has one case: "< 3" beside Sachsen-Anhalt (hidden, so at least 3) and a
    # total of 4 would give both away, so the table is not broken down at all.
    assert "Zum Schutz der beratenen Kommunen nicht aufgeschlüsselt." in by_state.inner_text()
    assert "Sachsen" not in by_state.inner_text()
    by_topic = page.get_by_role(
        "table", name="Fälle, Aktivitäten, Teilnehmende und Stunden nach Thema"
    )
    assert by_topic.get_by_role("row", name="Migration").inner_text().split() == [
        "Migration",
        "4",
        "4",
        "40",
        "0,0",
    ]
    assert_no_axe_violations(page)

    # The printed page: figures only, no form, no admin header.
    page.emulate_media(media="print")
    assert by_state.is_visible()
    assert not page.get_by_role("button", name="Bericht anzeigen").is_visible()
    assert not page.locator("#header").is_visible()
    page.emulate_media(media="screen")
