"""Real browser: register for an event, confirm from the mail, cancel, the waiting list moves up."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from counselling.models import OutboxMessage
from publications import services
from publications.models import Registration
from tests.axe import assert_no_axe_violations
from tests.conftest import enter_second_factor
from tests.factories import UserFactory
from tests.publications.registration_helpers import registration_event, run_worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
S = Registration.Status


def _link(messages, to, kind):
    """The path of the confirm/cancel link in the latest sent mail to `to`."""
    bodies = [m.body for m in messages if m.to == [to]]
    assert bodies, f"no mail to {to}"
    match = re.search(rf"https?://[^/\s]+(/\S*/anmeldung/\S+/{kind}/)", bodies[-1])
    assert match, bodies[-1]
    return match.group(1)


def _register(page, live_server, event, name, email, prefix=""):
    page.goto(f"{live_server.url}{prefix}{event.get_absolute_url()}")
    page.fill("#id_name", name)
    page.fill("#id_email", email)
    page.check("#id_consent")
    page.click("#submit-id-submit")
    page.wait_for_url(f"**/veranstaltungen/{event.slug}/anmelden/danke/")


def _confirm(page, live_server, email):
    link = _link(run_worker(), email, "bestaetigen")
    page.goto(live_server.url + link)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Anmeldung bestätigen").click()
    page.wait_for_selector("h1")
    return page.locator("h1").inner_text()


def test_register_confirm_cancel_and_the_waiting_list_moves_up(page, live_server):
    event = registration_event(capacity=1, ask_organisation=True, ask_accessibility=True)

    # A first mistake: the form answers with a summary and keeps what was typed.
    page.goto(live_server.url + event.get_absolute_url())
    assert_no_axe_violations(page)
    page.fill("#id_name", "Erika Mustermann")
    page.fill("#id_email", "erika-at-musterdorf")
    page.click("#submit-id-submit")
    page.wait_for_selector("#error-summary")
    assert page.title().startswith("Fehler: ")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.input_value("#id_name") == "Erika Mustermann"
    assert_no_axe_violations(page)
    page.fill("#id_email", "erika@musterdorf.example")
    page.fill("#id_organisation", "Gemeinde Musterdorf")
    page.check("#id_consent")
    page.click("#submit-id-submit")
    page.wait_for_url(f"**/veranstaltungen/{event.slug}/anmelden/danke/")
    assert_no_axe_violations(page)
    assert Registration.objects.get().status == S.PENDING

    assert _confirm(page, live_server, "erika@musterdorf.example") == "Anmeldung bestätigt"
    assert_no_axe_violations(page)
    # Queued by the confirmation; the worker sends it.
    assert not any("bestätigt" in m.subject for m in mail.outbox)
    sent = run_worker()
    [confirmed] = [m for m in sent if m.to == ["erika@musterdorf.example"]]
    assert confirmed.attachments and "geheim-4711" in confirmed.body

    # The event is full now: the second person lands on the waiting list.
    page.goto(live_server.url + event.get_absolute_url())
    assert "Alle Plätze sind vergeben" in page.locator("#anmeldung").inner_text()
    _register(page, live_server, event, "Max Beispiel", "max@beispielstadt.example")
    assert (
        _confirm(page, live_server, "max@beispielstadt.example") == "Sie stehen auf der Warteliste"
    )

    # Erika cancels from the link in her mail; Max moves up and is told by mail.
    page.goto(live_server.url + _link([confirmed], "erika@musterdorf.example", "abmelden"))
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Jetzt abmelden").click()
    page.wait_for_selector("text=Sie sind von der Veranstaltung abgemeldet")
    assert_no_axe_violations(page)
    sent = run_worker()
    to_max = [m for m in sent if m.to == ["max@beispielstadt.example"]]
    assert [m.subject.split(":")[0] for m in to_max] == [
        "Sie stehen auf der Warteliste",
        "Sie haben einen Platz",
    ]
    moved = to_max[-1]
    assert "geheim-4711" in moved.body
    assert dict(Registration.objects.values_list("email", "status")) == {
        "erika@musterdorf.example": S.CANCELLED,
        "max@beispielstadt.example": S.CONFIRMED,
    }

    # The used cancel link answers with a clear page.
    page.goto(live_server.url + _link([confirmed], "erika@musterdorf.example", "abmelden"))
    assert page.locator("h1").inner_text() == "Dieser Link kann nicht verwendet werden"
    assert_no_axe_violations(page)


def test_english_visitor_registers_in_english(page, live_server):
    event = registration_event(title_en="Online seminar")
    _register(page, live_server, event, "Jane Doe", "jane@example.org", prefix="/en")
    assert_no_axe_violations(page)
    link = _link(run_worker(), "jane@example.org", "bestaetigen")
    assert link.startswith("/en/")
    page.goto(live_server.url + link)
    assert page.locator("html").get_attribute("lang") == "en"
    assert_no_axe_violations(page)


def test_registration_works_without_javascript(browser, live_server):
    event = registration_event()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + event.get_absolute_url())
    page.click("#submit-id-submit")
    assert page.title().startswith("Fehler: ")
    assert page.locator("#error-summary").is_visible()
    page.fill("#id_name", "Erika Mustermann")
    page.fill("#id_email", "erika@musterdorf.example")
    page.check("#id_consent")
    page.click("#submit-id-submit")
    page.wait_for_url(f"**/veranstaltungen/{event.slug}/anmelden/danke/")
    link = _link(run_worker(), "erika@musterdorf.example", "bestaetigen")
    page.goto(live_server.url + link)
    page.get_by_role("button", name="Anmeldung bestätigen").click()
    assert page.locator("h1").inner_text() == "Anmeldung bestätigt"
    assert Registration.objects.get().status == S.CONFIRMED
    context.close()


def test_leitung_sees_counts_checks_in_and_messages_all_confirmed(page, live_server):
    user = UserFactory(username="lea")
    user.groups.add(Group.objects.get(name="Leitung"))
    event = registration_event(capacity=1, title="Fachtag Beteiligung")
    for email in ["a@example.org", "b@example.org"]:
        registration = services.registration_submit(event=event, name=email, email=email)
        services.registration_confirm(token=registration.token)

    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "lea")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("input[type=submit]")
    enter_second_factor(page, user)
    page.goto(live_server.url + "/admin/")
    assert "Fachtag Beteiligung" in page.locator("#registrations-module").inner_text()

    page.goto(live_server.url + f"/admin/publications/event/{event.pk}/change/")
    assert "bestätigt: 1 von 1 Plätzen · Warteliste: 1" in page.content()
    page.get_by_role("link", name="Nachricht an alle Bestätigten").click()
    page.fill("#id_subject", "Raumänderung")
    page.fill("#id_body", "Wir treffen uns in Raum 2.")
    page.get_by_role("button", name="Nachricht senden").click()
    page.wait_for_selector(".messagelist")
    assert OutboxMessage.objects.filter(kind="rundmail", to="a@example.org").count() == 1

    # After the event: check-in from the filtered list.
    event.start = timezone.now() - datetime.timedelta(hours=3)
    event.end = timezone.now() - datetime.timedelta(hours=1)
    event.save()
    page.goto(
        live_server.url + f"/admin/publications/registration/?event__id__exact={event.pk}"
        "&status__exact=bestaetigt"
    )
    page.check("#action-toggle")
    page.select_option("select[name=action]", "mark_attended")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist")
    assert Registration.objects.get(email="a@example.org").attended is True
