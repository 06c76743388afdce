"""Event registration, staff side: counts, CSV, message to all, check-in, dashboard,
reminders, retention, Art. 15 export, permissions."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from counselling.data_export import requester_data_export
from counselling.models import OutboxMessage
from counselling.permissions import LEITUNG, REDAKTION
from counselling.retention import apply_retention
from publications import services
from publications.models import Registration
from tests.counselling.leadership_helpers import csv_rows, html_tables
from tests.factories import UserFactory
from tests.html import visible_text
from tests.publications.registration_helpers import (
    registration_event,
    run_worker,
)

pytestmark = pytest.mark.django_db
S = Registration.Status


def _member(username, group):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def leitung(db):
    return _member("leitung", LEITUNG)


@pytest.fixture
def redaktion(db):
    return _member("redaktion", REDAKTION)


def _confirmed(event, email, name="Teilnehmerin", **fields):
    registration = services.registration_submit(event=event, name=name, email=email, **fields)
    return services.registration_confirm(token=registration.token)


def _past(event):
    event.start = timezone.now() - datetime.timedelta(hours=3)
    event.end = timezone.now() - datetime.timedelta(hours=1)
    event.save()


def test_redaktion_gets_no_registration_permission_leitung_does(redaktion, leitung, client):
    assert not redaktion.has_perm("publications.view_registration")
    assert redaktion.has_perm("publications.change_event")
    assert leitung.has_perm("publications.view_registration")
    assert leitung.has_perm("publications.change_registration")
    event = registration_event()
    client.force_login(redaktion)
    assert client.get("/admin/publications/registration/").status_code == 403
    assert client.get(f"/admin/publications/event/{event.pk}/teilnehmende.csv").status_code == 403
    assert client.get(f"/admin/publications/event/{event.pk}/nachricht/").status_code == 403
    start = client.get("/admin/")
    assert 'id="registrations-module"' not in start.content.decode()


def test_event_list_and_change_page_show_counts_against_capacity(
    leitung, client, django_assert_max_num_queries
):
    event = registration_event(capacity=2)
    _confirmed(event, "a@example.org")
    _confirmed(event, "b@example.org")
    _confirmed(event, "c@example.org")  # waiting list
    services.registration_submit(event=event, name="D", email="d@example.org")  # unconfirmed
    for n in range(3):
        registration_event(title=f"Weitere {n}", capacity=5)
    client.force_login(leitung)

    with django_assert_max_num_queries(25):
        listing = client.get("/admin/publications/event/")
    assert "2 / 2 (+1 Warteliste)" in visible_text(listing.content)

    change = client.get(f"/admin/publications/event/{event.pk}/change/")
    text = visible_text(change.content)
    assert "bestätigt: 2 von 2 Plätzen · Warteliste: 1 · unbestätigt: 1" in text
    assert "Teilnehmende als CSV" in text and "Nachricht an alle Bestätigten" in text

    start = client.get("/admin/")
    box = html_tables(start)["Anmeldungen zu Veranstaltungen"]
    assert box[1][1:] == ["2 / 2", "1", "1"]


def test_participants_csv_is_formula_safe(leitung, client):
    event = registration_event(ask_organisation=True, capacity=5)
    _confirmed(event, "a@example.org", name='=HYPERLINK("http://evil")', organisation="+49 Amt")
    _confirmed(event, "b@example.org", name="Bernd Beispiel", organisation="@Verein")
    services.registration_submit(event=event, name="Unbestätigt", email="c@example.org")
    client.force_login(leitung)

    response = client.get(f"/admin/publications/event/{event.pk}/teilnehmende.csv")

    assert response.status_code == 200
    rows = csv_rows(response)
    assert rows[0][:3] == ["Name", "E-Mail-Adresse", "Organisation"]
    names = {row[0]: row for row in rows[1:]}
    assert set(names) == {'\'=HYPERLINK("http://evil")', "Bernd Beispiel"}
    assert names['\'=HYPERLINK("http://evil")'][2] == "'+49 Amt"
    assert names["Bernd Beispiel"][2] == "'@Verein"


def test_message_to_all_confirmed_goes_through_the_outbox_with_cancel_links(leitung, client):
    event = registration_event(capacity=1)
    first = _confirmed(event, "a@example.org")
    _confirmed(event, "b@example.org")  # waiting list: not addressed
    client.force_login(leitung)
    url = f"/admin/publications/event/{event.pk}/nachricht/"
    assert "geht an 1 bestätigte Person" in visible_text(client.get(url).content)

    bad = client.post(url, {"subject": "", "body": ""})
    assert bad.status_code == 200
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.ANNOUNCEMENT).count() == 0

    response = client.post(url, {"subject": "Raumänderung", "body": "Wir treffen uns in Raum 2."})
    assert response.status_code == 302
    [message] = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.ANNOUNCEMENT)
    assert message.to == "a@example.org"
    assert message.related_key == first.related_key
    assert "Wir treffen uns in Raum 2." in message.body
    assert f"/veranstaltungen/anmeldung/{first.token}/abmelden/" in message.body
    sent = run_worker()
    assert [m.subject for m in sent if m.to == ["a@example.org"]][-1] == "Raumänderung"


def test_check_in_after_the_event_feeds_the_dashboard(leitung, client):
    event = registration_event(capacity=5, title="Fachtag Beteiligung")
    a = _confirmed(event, "a@example.org")
    b = _confirmed(event, "b@example.org")
    _confirmed(event, "c@example.org")
    client.force_login(leitung)
    changelist = "/admin/publications/registration/"

    # Before the event: refused with a message.
    response = client.post(
        changelist,
        {"action": "mark_attended", "_selected_action": [a.pk]},
        follow=True,
    )
    assert "erst ab Beginn" in visible_text(response.content)
    assert Registration.objects.get(pk=a.pk).attended is None

    _past(event)
    client.post(changelist, {"action": "mark_attended", "_selected_action": [a.pk, b.pk]})
    client.post(changelist, {"action": "mark_absent", "_selected_action": [b.pk]})
    assert dict(Registration.objects.values_list("email", "attended")) == {
        "a@example.org": True,
        "b@example.org": False,
        "c@example.org": None,
    }
    dashboard = client.get("/admin/leitung/")
    assert dashboard.status_code == 200
    [table] = [rows for caption, rows in html_tables(dashboard).items() if "Anwesenheit" in caption]
    assert table[1] == ["Summe", "", "", "3", "0", "1", "1"]
    assert table[2][0] == "Fachtag Beteiligung"
    assert table[2][3:] == ["3", "0", "1", "1"]


def test_staff_cancel_moves_the_waiting_list_up(leitung, client):
    event = registration_event(capacity=1)
    first = _confirmed(event, "a@example.org")
    second = _confirmed(event, "b@example.org")
    client.force_login(leitung)
    client.post(
        "/admin/publications/registration/",
        {"action": "cancel_selected", "_selected_action": [first.pk]},
    )
    second.refresh_from_db()
    assert second.status == S.CONFIRMED
    assert (
        "Sie haben einen Platz" in OutboxMessage.objects.filter(to="b@example.org").first().subject
    )


def test_more_seats_move_the_waiting_list_up():
    event = registration_event(capacity=1)
    _confirmed(event, "a@example.org")
    _confirmed(event, "b@example.org")
    _confirmed(event, "c@example.org")
    event.capacity = 2
    event.save()
    moved = services.registrations_fill_seats(event=event)
    assert [r.email for r in moved] == ["b@example.org"]


def test_reminder_once_a_day_before_with_access_link_and_cancel_link():
    event = registration_event(start=timezone.now() + datetime.timedelta(days=3))
    confirmed = _confirmed(event, "a@example.org")
    services.registration_submit(event=event, name="U", email="u@example.org")  # unconfirmed
    assert services.event_reminders_send() == 0  # three days ahead: not yet

    event.start = timezone.now() + datetime.timedelta(hours=20)
    event.end = event.start + datetime.timedelta(hours=2)
    event.save()
    sent = run_worker()  # the worker queues and sends the reminder in the same loop
    reminders = [m for m in sent if m.subject.startswith("Erinnerung")]
    assert [m.to for m in reminders] == [["a@example.org"]]
    assert "geheim-4711" in reminders[0].body
    assert f"/veranstaltungen/anmeldung/{confirmed.token}/abmelden/" in reminders[0].body

    assert services.event_reminders_send() == 0
    call_command("send_event_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REMINDER).count() == 1


def test_retention_blanks_personal_data_after_the_event_and_keeps_the_counts(settings):
    settings.REGISTRATION_RETENTION_DAYS = 30
    event = registration_event(capacity=5, ask_organisation=True, ask_accessibility=True)
    a = _confirmed(event, "a@example.org", organisation="Amt", accessibility_needs="Rampe")
    _confirmed(event, "b@example.org")
    _past(event)
    services.registration_check_in(
        registrations=Registration.objects.filter(pk=a.pk), attended=True
    )
    recent = registration_event(title="Noch nicht fällig", capacity=5)
    _confirmed(recent, "a@example.org")
    _past(recent)

    # Within the period: nothing happens.
    assert (
        apply_retention(now=timezone.now() + datetime.timedelta(days=29)).registrations_anonymised
        == 0
    )
    later = timezone.now() + datetime.timedelta(days=31)
    assert apply_retention(dry_run=True, now=later).registrations_anonymised == 3
    assert Registration.objects.filter(anonymised_at__isnull=False).count() == 0
    Registration.objects.filter(event=recent).update()  # untouched below: same period
    result = apply_retention(now=later)
    assert result.registrations_anonymised == 3
    counts = services.registration_counts(events=[event])[event.pk]
    assert (counts.confirmed, counts.attended) == (2, 1)
    stored = Registration.objects.get(pk=a.pk)
    assert (stored.name, stored.email, stored.organisation, stored.accessibility_needs) == (
        "[anonymisiert]",
        "anonymisiert@example.invalid",
        "",
        "",
    )
    mails = OutboxMessage.objects.filter(related_key=a.related_key)
    assert mails and all(
        m.to == "anonymisiert@example.invalid" and "a@example.org" not in m.body for m in mails
    )
    assert all(not m.attachment_content for m in mails)
    # The old links stop working; running again changes nothing.
    assert apply_retention(now=later).registrations_anonymised == 0


def test_art_15_export_lists_registrations():
    event = registration_event(title="Fachtag Beteiligung")
    _confirmed(event, "Erika@Musterdorf.example", name="Erika Mustermann")
    export = requester_data_export(email="erika@musterdorf.example")
    [entry] = export["event_registrations"]
    assert entry["event"] == "Fachtag Beteiligung"
    assert entry["name"] == "Erika Mustermann"
    assert entry["status"] == S.CONFIRMED
    assert "token" not in entry
    assert any("Fachtag Beteiligung" in mail["subject"] for mail in export["emails_sent"])


def test_registrations_cannot_be_added_in_the_admin_and_deleting_removes_their_mails(
    leitung, client
):
    event = registration_event(capacity=1)
    first = _confirmed(event, "a@example.org")
    _confirmed(event, "b@example.org")
    client.force_login(leitung)
    assert client.get("/admin/publications/registration/add/").status_code == 403
    response = client.post(f"/admin/publications/registration/{first.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not OutboxMessage.objects.filter(related_key=first.related_key).exists()
    assert Registration.objects.get(email="b@example.org").status == S.CONFIRMED


def _many(n_events, n_registrations, prefix):
    for e in range(n_events):
        event = registration_event(title=f"Reihe {prefix} {e}", capacity=3)
        for r in range(n_registrations):
            _confirmed(event, f"{prefix}{e}-{r}@example.org")
    return event


PAGES = [
    "/admin/",
    "/admin/publications/registration/",
    "/admin/publications/event/",
    "/admin/leitung/",
]


def _query_counts(client, urls):
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts.append(len(queries))
    return counts


def test_pages_with_registrations_need_the_same_number_of_queries(leitung, client):
    """Constant queries whatever the number of events and registrations."""
    client.force_login(leitung)
    small = _many(1, 1, prefix="a")
    client.get("/admin/")  # warm-up: session, content types
    counts_small = _query_counts(client, [small.get_absolute_url(), *PAGES])
    large = _many(6, 6, prefix="b")
    counts_large = _query_counts(client, [large.get_absolute_url(), *PAGES])
    assert counts_small == counts_large


def test_admin_log_keeps_no_names_of_deleted_or_anonymised_registrations(leitung, client):
    from django.contrib.admin.models import LogEntry

    event = registration_event(capacity=5)
    gone = _confirmed(event, "a@example.org", name="Erika Mustermann")
    client.force_login(leitung)
    client.post(f"/admin/publications/registration/{gone.pk}/delete/", {"post": "yes"})
    assert LogEntry.objects.filter(object_id=str(gone.pk)).exists()
    assert not LogEntry.objects.filter(object_repr__contains="Mustermann").exists()
