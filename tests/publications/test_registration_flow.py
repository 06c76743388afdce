"""Event registration, visitor side: states, double opt-in, duplicates, waiting list, links."""

import datetime

import icalendar
import pytest
from django.utils import timezone

from counselling.models import OutboxMessage
from publications import services
from publications.models import Registration
from tests.html import visible_text
from tests.publications.registration_helpers import (
    form_data,
    latest_link,
    mails_to,
    register_and_confirm,
    register_url,
    registration_event,
    run_worker,
)

pytestmark = pytest.mark.django_db
S = Registration.Status


def test_form_stores_unconfirmed_registration_and_mails_confirm_and_cancel_links(client):
    event = registration_event(ask_organisation=True, ask_accessibility=True)
    page = client.get(event.get_absolute_url())
    assert page.status_code == 200
    assert 'id="anmeldung"' in page.content.decode()
    assert "id_organisation" in page.content.decode()
    assert "id_accessibility_needs" in page.content.decode()

    response = client.post(
        register_url(event),
        form_data(organisation="Gemeinde Musterdorf", accessibility_needs="Untertitel"),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/veranstaltungen/{event.slug}/anmelden/danke/"
    done = client.get(response["Location"])
    assert "Bitte bestätigen Sie Ihre Anmeldung" in visible_text(done.content)
    registration = Registration.objects.get()
    assert (registration.status, registration.organisation, registration.accessibility_needs) == (
        S.PENDING,
        "Gemeinde Musterdorf",
        "Untertitel",
    )
    assert registration.consent_notice_version and registration.consent_at
    assert registration.language == "de"
    [message] = mails_to("erika@musterdorf.example")
    assert message.kind == OutboxMessage.Kind.REGISTRATION
    assert message.related_key == f"publications.registration:{registration.pk}"
    assert latest_link("erika@musterdorf.example", "bestaetigen")
    assert latest_link("erika@musterdorf.example", "abmelden")
    # The access link is only for confirmed participants.
    assert "geheim-4711" not in message.body
    assert not message.attachment_content


def test_confirm_link_shows_a_button_and_only_the_post_confirms(client):
    event = registration_event()
    client.post(register_url(event), form_data())
    link = latest_link("erika@musterdorf.example", "bestaetigen")

    page = client.get(link)
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert "Anmeldung bestätigen" in visible_text(page.content)
    assert Registration.objects.get().status == S.PENDING  # a mail gateway's GET does nothing

    confirmed = client.post(link)
    assert confirmed.status_code == 200
    assert "Ihr Platz ist sicher" in visible_text(confirmed.content)
    registration = Registration.objects.get()
    assert registration.status == S.CONFIRMED and registration.confirmed_at


def test_confirmed_mail_carries_the_event_as_ics_with_the_access_link(client):
    event = registration_event(title="Online-Seminar Moderation")
    register_and_confirm(client, event, "erika@musterdorf.example")
    seat_mail = mails_to("erika@musterdorf.example")[-1]
    assert "geheim-4711" in seat_mail.body
    assert latest_link("erika@musterdorf.example", "abmelden")

    sent = [m for m in run_worker() if m.subject == seat_mail.subject]
    [email] = sent
    [(name, content, mimetype)] = email.attachments
    assert name == f"{event.slug}.ics"
    assert mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(content)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == "Online-Seminar Moderation"
    assert vevent.decoded("dtstart") == event.start.replace(microsecond=0)
    assert "geheim-4711" in str(vevent["description"])


def test_access_link_never_on_public_page_feed_or_calendar(client):
    event = registration_event()
    register_and_confirm(client, event, "erika@musterdorf.example")
    for url in [
        event.get_absolute_url(),
        f"/en{event.get_absolute_url()}",
        f"/veranstaltungen/{event.slug}/kalender.ics",
        "/veranstaltungen/kalender.ics",
        "/aktuelles/",
        "/aktuelles/feed/",
        "/sitemap.xml",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response) if response.streaming else response.content
        assert b"geheim-4711" not in body, url


def test_same_address_cannot_hold_two_registrations(client):
    event = registration_event()
    register_and_confirm(client, event, "erika@musterdorf.example")

    again = client.post(register_url(event), form_data(email="ERIKA@musterdorf.example"))

    # The page is the same as for a new registration (nothing reveals who is registered) …
    assert again.status_code == 302
    assert Registration.objects.count() == 1
    # … and the person is told by mail, with the cancel link.
    # It goes to the stored address (the mailbox that confirmed).
    assert mails_to("ERIKA@musterdorf.example") == []
    last = mails_to("erika@musterdorf.example")[-1]
    assert "bereits" in last.subject
    assert "/abmelden/" in last.body


def test_unconfirmed_registration_again_gets_a_fresh_link_and_the_old_one_stops(client):
    event = registration_event()
    client.post(register_url(event), form_data())
    old_link = latest_link("erika@musterdorf.example", "bestaetigen")
    client.post(register_url(event), form_data(name="Erika M."))
    new_link = latest_link("erika@musterdorf.example", "bestaetigen")

    assert old_link != new_link
    assert Registration.objects.get().name == "Erika M."
    assert client.post(old_link).status_code == 404
    assert client.post(new_link).status_code == 200


def test_database_refuses_a_second_active_registration():
    from django.db import IntegrityError, transaction

    event = registration_event()
    first = services.registration_submit(event=event, name="A", email="a@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            event=event,
            name="A",
            email="A@example.org",
            consent_notice_version="x",
            consent_at=timezone.now(),
        )
    # Cancelled: the same address may register again.
    services.registration_cancel(registration=first)
    second = services.registration_submit(event=event, name="A", email="a@example.org")
    assert second.pk != first.pk


def test_full_event_puts_people_on_the_waiting_list_and_a_cancelled_seat_moves_the_first_up(
    client,
):
    event = registration_event(capacity=1)
    register_and_confirm(client, event, "erste@example.org")
    page = client.get(event.get_absolute_url())
    assert "Alle Plätze sind vergeben" in visible_text(page.content)

    second = register_and_confirm(client, event, "zweite@example.org")
    third = register_and_confirm(client, event, "dritte@example.org")
    assert (second.status, third.status) == (S.WAITING, S.WAITING)
    waiting_mail = mails_to("zweite@example.org")[-1]
    assert "Warteliste" in waiting_mail.subject
    assert "geheim-4711" not in waiting_mail.body and not waiting_mail.attachment_content

    cancel = latest_link("erste@example.org", "abmelden")
    assert client.get(cancel).status_code == 200
    assert Registration.objects.get(email="erste@example.org").status == S.CONFIRMED
    response = client.post(cancel)
    assert response.status_code == 200
    assert "abgemeldet" in visible_text(response.content)

    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {
        "erste@example.org": S.CANCELLED,
        "zweite@example.org": S.CONFIRMED,
        "dritte@example.org": S.WAITING,
    }
    moved_mail = mails_to("zweite@example.org")[-1]
    assert "Sie haben einen Platz" in moved_mail.subject
    assert "geheim-4711" in moved_mail.body
    assert moved_mail.attachment_content.startswith("BEGIN:VCALENDAR")
    # The used cancel link now answers with a clear page, not a 500.
    reused = client.post(cancel)
    assert reused.status_code == 410
    assert "bereits abgemeldet" in visible_text(reused.content)


def test_full_event_without_waiting_list_says_so_and_refuses(client):
    event = registration_event(capacity=1, waiting_list_enabled=False)
    register_and_confirm(client, event, "erste@example.org")

    page = client.get(event.get_absolute_url())
    assert "ausgebucht" in visible_text(page.content)
    assert "id_email" not in page.content.decode()
    refused = client.post(register_url(event), form_data(email="zweite@example.org"))
    assert refused.status_code == 409
    assert "ausgebucht" in visible_text(refused.content)
    assert Registration.objects.count() == 1


def test_last_seat_taken_meanwhile_without_waiting_list_ends_the_registration(client):
    event = registration_event(capacity=1, waiting_list_enabled=False)
    client.post(register_url(event), form_data(email="zweite@example.org"))
    register_and_confirm(client, event, "erste@example.org")

    late = client.post(latest_link("zweite@example.org", "bestaetigen"))
    assert late.status_code == 200
    assert "Leider ausgebucht" in visible_text(late.content)
    assert Registration.objects.get(email="zweite@example.org").status == S.CANCELLED


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"registration_enabled": False}, None),
        (
            {"registration_opens_at": timezone.now() + datetime.timedelta(days=2)},
            "Die Anmeldung ist ab",
        ),
        (
            {"registration_closes_at": timezone.now() - datetime.timedelta(hours=1)},
            "Die Anmeldung für diese Veranstaltung ist geschlossen.",
        ),
        (
            {
                "start": timezone.now() - datetime.timedelta(days=3),
                "end": timezone.now() - datetime.timedelta(days=3, hours=-2),
            },
            "Eine Anmeldung ist nicht mehr möglich",
        ),
    ],
    ids=["not-offered", "not-yet-open", "closed", "past"],
)
def test_event_page_states_and_refused_registration(client, fields, text):
    event = registration_event(**fields)
    page = client.get(event.get_absolute_url())
    content = visible_text(page.content)
    assert page.status_code == 200
    assert "id_email" not in page.content.decode()
    if text is None:
        assert 'id="anmeldung"' not in page.content.decode()
    else:
        assert text in content

    response = client.post(register_url(event), form_data())
    assert response.status_code == 409
    assert response.context["registration_refusal"] in visible_text(response.content)
    assert Registration.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_bad_input_gets_messages_not_errors(client):
    event = registration_event()
    response = client.post(register_url(event), {"name": "", "email": "keine-adresse"})
    assert response.status_code == 200
    content = visible_text(response.content)
    assert response.context["form"].errors
    assert "Bitte nennen Sie Ihren Namen." in content
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an" in content
    assert "Bitte stimmen Sie den Datenschutzhinweisen zu" in content
    assert Registration.objects.count() == 0
    # Unknown fields, a GET on the form address, an unknown event: never a 500.
    assert client.get(register_url(event)).status_code == 302
    assert client.post("/veranstaltungen/gibt-es-nicht/anmelden/", form_data()).status_code == 404


def test_honeypot_pretends_success_and_stores_nothing(client):
    event = registration_event()
    response = client.post(register_url(event), form_data(website="http://spam.example"))
    assert response.status_code == 302
    assert Registration.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_rate_limit_answers_429(client, settings):
    settings.REGISTRATION_RATE_LIMIT = 2
    event = registration_event(capacity=None)
    for n in range(2):
        assert (
            client.post(register_url(event), form_data(email=f"p{n}@example.org")).status_code
            == 302
        )
    assert client.post(register_url(event), form_data(email="p9@example.org")).status_code == 429
    assert Registration.objects.count() == 2


@pytest.mark.parametrize("path", ["bestaetigen", "abmelden"])
def test_unknown_token_gives_a_clear_404_page(client, path):
    for method in (client.get, client.post):
        response = method(f"/veranstaltungen/anmeldung/falsch-{'x' * 30}/{path}/")
        assert response.status_code == 404
        assert "Dieser Link ist ungültig" in visible_text(response.content)


def test_expired_and_reused_confirm_links_answer_with_clear_pages(client, settings):
    event = registration_event()
    client.post(register_url(event), form_data())
    link = latest_link("erika@musterdorf.example", "bestaetigen")
    Registration.objects.update(
        created_at=timezone.now()
        - datetime.timedelta(hours=settings.REGISTRATION_CONFIRM_HOURS + 1)
    )
    for method in (client.get, client.post):
        expired = method(link)
        assert expired.status_code == 410
        assert "abgelaufen" in visible_text(expired.content)
    assert Registration.objects.get().status == S.PENDING

    # Registering again gives a fresh link that works once; used again: 409 with a clear text.
    client.post(register_url(event), form_data())
    link = latest_link("erika@musterdorf.example", "bestaetigen")
    assert client.post(link).status_code == 200
    reused = client.post(link)
    assert reused.status_code == 409
    assert "bereits bestätigt" in visible_text(reused.content)
    assert client.get(link).status_code == 409


def test_confirming_after_the_event_began_is_refused(client):
    event = registration_event()
    client.post(register_url(event), form_data())
    link = latest_link("erika@musterdorf.example", "bestaetigen")
    event.start = timezone.now() - datetime.timedelta(minutes=5)
    event.end = timezone.now() + datetime.timedelta(hours=1)
    event.save()
    response = client.post(link)
    assert response.status_code == 410
    assert "bereits begonnen" in visible_text(response.content)
    assert Registration.objects.get().status == S.PENDING


def test_english_visitor_gets_english_pages_and_mails(client):
    event = registration_event(title_en="Online seminar")
    response = client.post(register_url(event, prefix="/en"), form_data())
    assert response.status_code == 302
    assert response["Location"].startswith("/en/")
    registration = Registration.objects.get()
    assert registration.language == "en"
    message = mails_to("erika@musterdorf.example")[-1]
    link = latest_link("erika@musterdorf.example", "bestaetigen")
    assert link.startswith("/en/")
    assert latest_link("erika@musterdorf.example", "abmelden").startswith("/en/")
    assert message.subject  # translated by the lead's catalogue; German source until then
