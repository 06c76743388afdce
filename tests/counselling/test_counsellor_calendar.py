"""A counsellor's private iCal feed: only own appointments, only reference/kind/place, revocable."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from counselling import services
from counselling.models import Activity, StaffProfile
from counselling.permissions import BERATUNG
from tests.factories import ActivityFactory, CaseFactory, MunicipalityFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
SECRETS = ["Streit um den Marktplatz", "Geheimdorf", "Bürgermeister Hinz", "Notiz: Kunz weint"]


@pytest.fixture
def cases(beratung, beratung2):
    today = timezone.localdate()
    place = MunicipalityFactory(name="Geheimdorf")
    led = CaseFactory(
        title="Streit um den Marktplatz", municipality=place, lead_counsellor=beratung
    )
    assigned = CaseFactory(title="Streit um den Marktplatz 2", municipality=place)
    assigned.counsellors.add(beratung)
    foreign = CaseFactory(title="Streit in Geheimdorf", lead_counsellor=beratung2)

    def activity(case, days, time=datetime.time(10, 0), **fields):
        return ActivityFactory(
            case=case,
            date=today + datetime.timedelta(days=days),
            start_time=time,
            note="Notiz: Kunz weint mit Bürgermeister Hinz",
            **fields,
        )

    return {
        "led": led,
        "assigned": assigned,
        "foreign": foreign,
        "upcoming": activity(
            led, 7, duration_minutes=90, place="Rathaus, Saal 2", kind=Activity.Kind.WORKSHOP
        ),
        "recent": activity(assigned, -30, time=datetime.time(18, 30), duration_minutes=60),
        "old": activity(led, -120, duration_minutes=60),
        "untimed": activity(led, 3, time=None),
        "other": activity(foreign, 5, duration_minutes=30, place="Rathaus Geheimdorf"),
    }


def _enable(client, user):
    client.force_login(user)
    response = client.post(reverse("accounts:calendar"), {"action": "enable"})
    assert response.status_code == 302
    return StaffProfile.objects.get(user=user).calendar_token


def _feed(token):
    return Client().get(f"/kalender/{token}.ics")


def _events(response):
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_counsellor_subscribes_to_own_appointments(client, beratung, cases):
    token = _enable(client, beratung)
    assert len(token) == 43
    page = client.get(reverse("accounts:calendar")).content.decode()
    assert f'value="{settings.SITE_URL}/kalender/{token}.ics"' in page

    response = _feed(token)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response

    events = _events(response)
    led, assigned = cases["led"].reference, cases["assigned"].reference
    assert sorted(events) == sorted([f"{led} – Workshop", f"{assigned} – Gespräch"])
    upcoming = events[f"{led} – Workshop"]
    start = datetime.datetime.combine(cases["upcoming"].date, datetime.time(10, 0), tzinfo=BERLIN)
    assert upcoming.decoded("dtstart") == start
    assert upcoming.decoded("dtend") == start + datetime.timedelta(minutes=90)
    assert str(upcoming["location"]) == "Rathaus, Saal 2"
    recent = events[f"{assigned} – Gespräch"]
    assert recent.decoded("dtstart").astimezone(BERLIN).time() == datetime.time(18, 30)
    assert "location" not in recent
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_feed_holds_no_personal_content(client, beratung, cases):
    beratung.first_name, beratung.last_name = "Berta", "Beraterin"
    beratung.save()
    body = _feed(_enable(client, beratung)).content.decode()
    for secret in [
        *SECRETS,
        cases["foreign"].reference,
        "Rathaus Geheimdorf",
        "Berta",
        beratung.email,
    ]:
        assert secret not in body
    for event in icalendar.Calendar.from_ical(body).walk("VEVENT"):
        assert set(event) <= {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "CLASS"}


def test_new_link_revokes_the_old_and_switching_off_empties_it(client, beratung, cases):
    first = _enable(client, beratung)
    second = _enable(client, beratung)
    assert first != second
    assert _feed(first).status_code == 404
    assert _feed(second).status_code == 200

    response = client.post(reverse("accounts:calendar"), {"action": "disable"})
    assert response.status_code == 302
    assert StaffProfile.objects.get(user=beratung).calendar_token is None
    assert _feed(second).status_code == 404
    assert (
        "Ihr Kalender-Link ist abgeschaltet."
        in client.get(reverse("accounts:calendar")).content.decode()
    )


@pytest.mark.parametrize(
    "token", ["x" * 43, "kurz", "A" * 80, "%3Cscript%3E" + "a" * 40, "a" * 42 + "!"]
)
def test_unknown_or_malformed_token_is_404(client, beratung, cases, token):
    _enable(client, beratung)
    assert Client().get(f"/kalender/{token}.ics").status_code == 404


def test_feed_follows_access_rights(client, beratung, cases):
    token = _enable(client, beratung)
    led, assigned = cases["led"].reference, cases["assigned"].reference

    cases["assigned"].counsellors.remove(beratung)
    assert sorted(_events(_feed(token))) == [f"{led} – Workshop"]

    beratung.groups.remove(Group.objects.get(name=BERATUNG))
    assert _events(_feed(token)) == {}

    beratung.groups.add(Group.objects.get(name=BERATUNG))
    beratung.is_active = False
    beratung.save()
    assert _feed(token).status_code == 404
    beratung.is_active = True
    beratung.is_staff = False
    beratung.save()
    assert _feed(token).status_code == 404
    assert assigned not in _feed(token).content.decode()


def test_services_enable_and_disable(beratung):
    token = services.calendar_feed_enable(user=beratung)
    assert StaffProfile.objects.get(user=beratung).calendar_token == token
    again = services.calendar_feed_enable(user=beratung)
    assert again != token
    services.calendar_feed_disable(user=beratung)
    assert StaffProfile.objects.get(user=beratung).calendar_token is None


@pytest.mark.parametrize("count", [2, 40])
def test_feed_query_count_is_constant(client, beratung, django_assert_max_num_queries, count):
    token = _enable(client, beratung)
    today = timezone.localdate()
    for n in range(count):
        case = CaseFactory(lead_counsellor=beratung)
        case.counsellors.add(beratung, UserFactory())
        ActivityFactory(
            case=case, date=today + datetime.timedelta(days=n), start_time=datetime.time(9, 0)
        )
    feed_client = Client()
    # Profile + user, the user's and groups' permissions, the activities.
    with django_assert_max_num_queries(4):
        response = feed_client.get(f"/kalender/{token}.ics")
    assert len(_events(response)) == count


def test_calendar_page_needs_a_staff_login(client, beratung):
    url = reverse("accounts:calendar")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

    client.force_login(beratung, otp=False)
    response = client.get(url)
    assert response.status_code == 302
    assert "/admin/konto/zwei-faktor/" in response["Location"]
    assert client.post(url, {"action": "enable"}).status_code == 302
    assert not StaffProfile.objects.filter(user=beratung, calendar_token__isnull=False).exists()


def test_unknown_action_gets_a_german_message(client, beratung):
    client.force_login(beratung)
    response = client.post(reverse("accounts:calendar"), {"action": "alles"}, follow=True)
    assert "Diese Aktion gibt es nicht." in response.content.decode()
    assert not StaffProfile.objects.filter(user=beratung, calendar_token__isnull=False).exists()


def test_admin_user_tools_link_to_the_calendar_page(client, beratung):
    client.force_login(beratung)
    content = client.get(reverse("admin:index")).content.decode()
    assert f'<a href="{reverse("accounts:calendar")}">Mein Kalender</a>' in content
    page = client.get(reverse("accounts:calendar")).content.decode()
    assert "style=" not in page
    assert "<script>" not in page
