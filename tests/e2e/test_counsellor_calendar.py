"""Real browser: a counsellor switches on their calendar link, subscribes, revokes it."""

import datetime
import urllib.request
from urllib.error import HTTPError

import icalendar
import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from counselling.permissions import BERATUNG
from tests.axe import assert_no_axe_violations
from tests.conftest import enter_second_factor
from tests.factories import ActivityFactory, CaseFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"  # set by UserFactory


@pytest.fixture
def counsellor(transactional_db):
    user = UserFactory(username="bea", first_name="Bea", last_name="Beraterin")
    user.groups.add(Group.objects.get_or_create(name=BERATUNG)[0])
    case = CaseFactory(title="Streit um den Marktplatz", lead_counsellor=user)
    ActivityFactory(
        case=case,
        date=timezone.localdate() + datetime.timedelta(days=2),
        start_time=datetime.time(14, 0),
        duration_minutes=120,
        place="Rathaus",
    )
    return user


def _fetch(url):
    try:
        with urllib.request.urlopen(url) as response:  # noqa: S310 - the test server
            return response.status, response.read()
    except HTTPError as error:
        return error.code, b""


def test_counsellor_manages_the_calendar_link(page, live_server, counsellor, settings):
    settings.SITE_URL = live_server.url
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.get_by_label("Benutzername").fill(counsellor.username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    enter_second_factor(page, counsellor)
    page.wait_for_url("**/admin/")

    page.get_by_role("link", name="Mein Kalender").click()
    page.wait_for_url("**/admin/konto/kalender/")
    assert "Ihr Kalender-Link ist abgeschaltet." in page.locator("#content-main").inner_text()
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Link erzeugen").click()
    page.wait_for_url("**/admin/konto/kalender/")
    first = page.get_by_label("Adresse zum Abonnieren").input_value()
    assert first.startswith(live_server.url + "/kalender/") and first.endswith(".ics")
    assert_no_axe_violations(page)

    status, body = _fetch(first)
    assert status == 200
    (event,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(event["summary"]).endswith(" – Gespräch")
    assert str(event["location"]) == "Rathaus"
    assert b"Marktplatz" not in body

    page.get_by_role("button", name="Neuen Link erzeugen").click()
    page.wait_for_url("**/admin/konto/kalender/")
    second = page.get_by_label("Adresse zum Abonnieren").input_value()
    assert second != first
    assert _fetch(first)[0] == 404
    assert _fetch(second)[0] == 200

    page.get_by_role("button", name="Link abschalten").click()
    page.wait_for_url("**/admin/konto/kalender/")
    assert "Ihr Kalender-Link ist abgeschaltet." in page.locator("#content-main").inner_text()
    assert _fetch(second)[0] == 404
