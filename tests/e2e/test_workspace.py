"""Real browser at 1280 px: the counsellors' start page, request and case pages, and a day's work.

Every page here: zero axe-core violations (WCAG 2.1 A/AA) and no horizontal scrolling.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from counselling import services
from counselling.models import Activity, Case, OutboxMessage
from tests.axe import WCAG, _axe_source
from tests.conftest import enter_second_factor
from tests.factories import (
    ActivityFactory,
    CounsellingRequestFactory,
    EventFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"  # set by UserFactory
WIDTH = 1280


def _member(username: str, first: str, last: str, group: str):
    user = UserFactory(username=username, first_name=first, last_name=last)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def beratung(transactional_db):
    return _member("bea", "Bea", "Berater", "Beratung")


@pytest.fixture
def leitung(transactional_db):
    return _member("lea", "Lea", "Leitung", "Leitung")


@pytest.fixture
def workload(beratung):
    """A new request, and a case of Bea's with an appointment and a follow-up due today."""
    CounsellingRequestFactory(
        reference="ANF-NEU-0001",
        institution="Gemeinde Neudorf",
        created_at=timezone.now() - datetime.timedelta(days=3),
    )
    case = services.case_create_from_request(
        request=CounsellingRequestFactory(
            institution="Stadt Musterstadt",
            situation="Streit um die Nutzung des Jugendzentrums.",
            involved="Stadtrat, Jugendverband, Anwohnende",
        ),
        by=beratung,
    )
    ActivityFactory(
        case=case,
        author=beratung,
        date=timezone.localdate(),
        start_time=datetime.time(14, 0),
        duration_minutes=90,
        place="Rathaus Musterstadt",
        note="Erstgespräch",
    )
    Case.objects.filter(pk=case.pk).update(
        follow_up_on=timezone.localdate(), follow_up_note="Protokoll schicken"
    )
    return case


def _log_in(page, live_server, user):
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.get_by_label("Benutzername").fill(user.username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    enter_second_factor(page, user)
    page.wait_for_url("**/admin/")


def _axe_violations(page) -> list[dict]:
    """tests/axe.py's check with axe's CSS preload off.

    The preload fetches stylesheets again and resolves admin/css/forms.css's
    `@import url('widgets.css')` against the page URL (a 404), then injects a <style>,
    which the page's CSP rightly blocks. Only the CSSOM rule css-orientation-lock
    needs the preload; every other WCAG rule runs.
    """
    page.evaluate(_axe_source())
    result = page.evaluate("opts => axe.run(document, opts)", {**WCAG, "preload": False})
    return [
        {"id": v["id"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def _assert_fits_and_accessible(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways: {width}px"
    assert _axe_violations(page) == [], page.url


def test_start_case_and_request_pages_fit_1280_and_pass_axe(
    page, live_server, beratung, leitung, workload
):
    _log_in(page, live_server, beratung)
    new_requests = page.get_by_role("table", name="Neue Anfragen, die älteste zuerst")
    assert new_requests.get_by_role("row", name="ANF-NEU-0001").inner_text().split("\t") == [
        "ANF-NEU-0001",
        "Gemeinde Neudorf",
        "3",
    ]
    due = page.get_by_role("table", name="Heute oder früher fällige Wiedervorlagen")
    assert workload.reference in due.inner_text()
    _assert_fits_and_accessible(page)

    page.goto(live_server.url + f"/admin/counselling/case/{workload.pk}/change/")
    timeline = page.get_by_role("region", name="Chronik: alles zu diesem Fall, das Neueste zuerst")
    assert "Bea Berater" in timeline.inner_text()
    assert "Rathaus Musterstadt" in timeline.inner_text()
    _assert_fits_and_accessible(page)

    page.goto(
        live_server.url + f"/admin/counselling/counsellingrequest/{workload.request.pk}/change/"
    )
    _assert_fits_and_accessible(page)


def test_leitung_start_page_case_page_speaks_german_and_fits(
    page, live_server, beratung, leitung, workload
):
    _log_in(page, live_server, leitung)
    per_person = page.get_by_role("table", name="Offene Fälle je Person")
    assert per_person.get_by_role("row", name="Bea Berater").inner_text().split() == [
        "Bea",
        "Berater",
        "1",
    ]
    _assert_fits_and_accessible(page)

    page.goto(live_server.url + f"/admin/counselling/case/{workload.pk}/change/")
    # The two-box selector's buttons in German (Django's German JS catalog lacks these).
    assert page.locator("#id_counsellors_add_all").inner_text() == "Alle Berater*innen auswählen"
    assert page.locator("#id_counsellors_remove_all").inner_text() == "Alle Berater*innen entfernen"
    lead_options = page.locator("#id_lead_counsellor option").all_inner_texts()
    assert lead_options[1:] == ["Bea Berater", "Lea Leitung"]
    _assert_fits_and_accessible(page)


def test_project_and_event_change_pages_fit_1280(page, live_server, leitung):
    project = ProjectFactory()
    event = EventFactory()
    _log_in(page, live_server, leitung)

    for url in [
        f"/admin/projects/project/{project.pk}/change/",
        f"/admin/publications/event/{event.pk}/change/",
    ]:
        page.goto(live_server.url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTH, f"{url} scrolls sideways: {width}px"


def test_a_counsellors_day(page, live_server, beratung):
    """New request on the start page -> case -> reply from a template -> appointment and
    follow-up -> due the next day (the follow-up date is moved back by a day in the
    database instead of moving the clock forward)."""
    request = CounsellingRequestFactory(reference="ANF-TAG-0001", institution="Gemeinde Tagdorf")
    services.reply_templates_ensure()
    _log_in(page, live_server, beratung)

    page.get_by_role("link", name="ANF-TAG-0001").click()
    page.get_by_role("button", name="Fall anlegen").click()
    page.wait_for_url("**/admin/counselling/case/*/change/")
    case = Case.objects.get(request=request)
    assert page.get_by_text(f"Fall {case.reference} angelegt.").is_visible()

    # A reply from a template (the mails feature's view), sent through the outbox.
    page.get_by_role("link", name="Antwort schreiben").click()
    page.get_by_label("Vorlage").select_option(label="Terminvorschläge")
    page.get_by_role("button", name="Vorlage übernehmen").click()
    assert page.get_by_label("Betreff").input_value().endswith("Terminvorschläge")
    page.get_by_role("button", name="Antwort senden").click()
    page.wait_for_url(f"**/admin/counselling/case/{case.pk}/change/")
    assert OutboxMessage.objects.get(case=case, kind=OutboxMessage.Kind.REPLY).to == request.email

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.get_by_role("button", name="Aktivität hinzufügen").click()  # no empty row before
    page.locator("#id_activities-0-date").fill(tomorrow.strftime("%d.%m.%Y"))
    page.locator("#id_activities-0-start_time").fill("10:00")
    page.locator("#id_activities-0-duration_minutes").fill("60")
    page.locator("#id_activities-0-place").fill("Rathaus Tagdorf")
    page.locator("#id_activities-0-kind").select_option("gespraech")
    page.locator("#id_follow_up_on").fill(tomorrow.strftime("%d.%m.%Y"))
    page.locator("#id_follow_up_note").fill("Gespräch nachbereiten")
    page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    page.wait_for_url(f"**/admin/counselling/case/{case.pk}/change/")

    activity = Activity.objects.get(case=case)
    assert (activity.start_time, activity.place, activity.author) == (
        datetime.time(10, 0),
        "Rathaus Tagdorf",
        beratung,
    )
    page.goto(live_server.url + "/admin/")
    due = page.locator("#workspace-due")
    assert "Nichts fällig." in due.inner_text()

    # The next day: move the follow-up date back by one day instead of the clock forward.
    Case.objects.filter(pk=case.pk).update(follow_up_on=timezone.localdate())
    page.reload()
    assert case.reference in due.inner_text()
    assert "Gespräch nachbereiten" in due.inner_text()
    # The case's timeline holds the reply, the appointment and the follow-up.
    page.goto(live_server.url + f"/admin/counselling/case/{case.pk}/change/")
    timeline = page.get_by_role("region", name="Chronik: alles zu diesem Fall, das Neueste zuerst")
    assert "Terminvorschläge" in timeline.inner_text()
    assert "Rathaus Tagdorf" in timeline.inner_text()
    _assert_fits_and_accessible(page)
