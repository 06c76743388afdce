"""Event registration: double opt-in, seats, waiting list, mails, check-in, retention.

Every function is keyword-only and runs in one transaction. Mails are only
queued (outbox rows written in the same transaction); the worker sends them.
Seats are handed out with the event row locked (SELECT … FOR UPDATE on
PostgreSQL; on SQLite every transaction takes the write lock at its start,
`transaction_mode = IMMEDIATE`), so the last seat goes to exactly one person.
"""

import dataclasses
import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from counselling.models import OutboxMessage
from counselling.services import (
    ANONYMISED,
    ANONYMISED_EMAIL,
    admin_log_scrub,
    privacy_notice_version,
)
from kkk_portal.translation import translated_text

from . import ical
from .models import Event, Registration, RegistrationState, registration_token

logger = logging.getLogger(__name__)

S = Registration.Status
ICS_TYPE = "text/calendar"


class RegistrationRefused(Exception):
    """A registration (or a link) cannot be acted on; `message` says why, in German/English."""

    def __init__(self, message: str, *, code: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


@dataclasses.dataclass(frozen=True)
class RegistrationCounts:
    pending: int = 0
    confirmed: int = 0
    waiting: int = 0
    cancelled: int = 0
    attended: int = 0
    absent: int = 0


def registration_counts(*, events: list[Event] | QuerySet) -> dict[int, RegistrationCounts]:
    """Counts per event id in one query (anonymised rows count too)."""
    # Aliases must not be column names ("attended"): SQLite would read them as the column.
    rows = (
        Registration.objects.filter(event__in=events)
        .order_by()
        .values("event_id")
        .annotate(
            n_pending=Count("pk", filter=Q(status=S.PENDING)),
            n_confirmed=Count("pk", filter=Q(status=S.CONFIRMED)),
            n_waiting=Count("pk", filter=Q(status=S.WAITING)),
            n_cancelled=Count("pk", filter=Q(status=S.CANCELLED)),
            n_attended=Count("pk", filter=Q(status=S.CONFIRMED, attended=True)),
            n_absent=Count("pk", filter=Q(status=S.CONFIRMED, attended=False)),
        )
    )
    return {
        row.pop("event_id"): RegistrationCounts(**{k[2:]: v for k, v in row.items()})
        for row in rows
    }


def confirmed_count(*, event: Event) -> int:
    return Registration.objects.filter(event=event, status=S.CONFIRMED).count()


def event_registration_state(*, event: Event, now: datetime.datetime | None = None) -> str:
    return event.registration_state(confirmed=confirmed_count(event=event), now=now)


# --- Links and mails ----------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def registration_links(*, registration: Registration) -> dict[str, str]:
    """Confirm and cancel links, in the registration's language (call inside an override)."""
    with translation.override(registration.language):
        return {
            "confirm_url": _absolute(
                reverse("publications:registration_confirm", args=[registration.token])
            ),
            "cancel_url": _absolute(
                reverse("publications:registration_cancel", args=[registration.token])
            ),
            "event_url": _absolute(registration.event.get_absolute_url()),
        }


def _queue_mail(
    *,
    registration: Registration,
    kind: str,
    subject: str,
    template: str,
    context: dict | None = None,
    with_calendar: bool = False,
) -> OutboxMessage:
    """Queue one mail to the registrant, in their language, always with the cancel link."""
    event = registration.event
    with translation.override(registration.language):
        ctx = {
            "registration": registration,
            "event": event,
            "event_title": translated_text(event, "title"),
            "when": ical.event_when_text(event),
            "where": ical.event_location(event),
            **registration_links(registration=registration),
            **(context or {}),
        }
        attachment = {}
        if with_calendar:
            attachment = {
                "attachment_name": f"{event.slug}.ics"[:100],
                "attachment_type": ICS_TYPE,
                "attachment_content": ical.participant_calendar_text(event),
            }
        return OutboxMessage.objects.create(
            kind=kind,
            related_key=registration.related_key,
            to=registration.email,
            subject=subject[:255],
            body=render_to_string(template, ctx),
            **attachment,
        )


def _subject(text: str, event: Event) -> str:
    return text % {"title": translated_text(event, "title")}


def _queue_confirm_request(*, registration: Registration) -> OutboxMessage:
    with translation.override(registration.language):
        subject = _subject(_("Bitte bestätigen Sie Ihre Anmeldung: %(title)s"), registration.event)
    return _queue_mail(
        registration=registration,
        kind=OutboxMessage.Kind.REGISTRATION,
        subject=subject,
        template="publications/mail/registration_confirm_request.txt",
        context={"confirm_hours": settings.REGISTRATION_CONFIRM_HOURS},
    )


def _queue_already_registered(*, registration: Registration) -> OutboxMessage:
    with translation.override(registration.language):
        subject = _subject(_("Sie sind bereits angemeldet: %(title)s"), registration.event)
    return _queue_mail(
        registration=registration,
        kind=OutboxMessage.Kind.REGISTRATION,
        subject=subject,
        template="publications/mail/registration_already.txt",
    )


def _queue_seat_mail(*, registration: Registration, moved_up: bool = False) -> OutboxMessage:
    """The confirmed participant's mail: the calendar file and, online, the access link."""
    with translation.override(registration.language):
        subject = _subject(
            _("Sie haben einen Platz: %(title)s")
            if moved_up
            else _("Ihre Anmeldung ist bestätigt: %(title)s"),
            registration.event,
        )
    return _queue_mail(
        registration=registration,
        kind=OutboxMessage.Kind.REGISTRATION,
        subject=subject,
        template="publications/mail/registration_confirmed.txt",
        context={"moved_up": moved_up, "access_link": registration.event.online_access_link},
        with_calendar=True,
    )


def _queue_waiting_mail(*, registration: Registration) -> OutboxMessage:
    with translation.override(registration.language):
        subject = _subject(_("Sie stehen auf der Warteliste: %(title)s"), registration.event)
    return _queue_mail(
        registration=registration,
        kind=OutboxMessage.Kind.REGISTRATION,
        subject=subject,
        template="publications/mail/registration_waiting.txt",
    )


# --- Visitor side -------------------------------------------------------------

OPEN_STATES = {RegistrationState.OPEN, RegistrationState.WAITING_LIST}


def refusal_for_state(state: str) -> RegistrationRefused:
    messages = {
        RegistrationState.NOT_OFFERED: _("Für diese Veranstaltung ist keine Anmeldung möglich."),
        RegistrationState.NOT_YET_OPEN: _(
            "Die Anmeldung für diese Veranstaltung ist noch nicht geöffnet."
        ),
        RegistrationState.FULL: _("Diese Veranstaltung ist leider ausgebucht."),
        RegistrationState.CLOSED: _("Die Anmeldung für diese Veranstaltung ist geschlossen."),
        RegistrationState.PAST: _(
            "Diese Veranstaltung hat bereits begonnen oder stattgefunden; eine Anmeldung ist "
            "nicht mehr möglich."
        ),
    }
    return RegistrationRefused(messages[state], code=state)


def registration_submit(
    *,
    event: Event,
    name: str,
    email: str,
    organisation: str = "",
    accessibility_needs: str = "",
    language: str | None = None,
    now: datetime.datetime | None = None,
) -> Registration:
    """Store a registration (unconfirmed) and queue the mail with the confirmation link.

    The same address cannot hold two registrations for one event. Someone who
    registers again while unconfirmed gets a fresh link (the old one stops
    working); someone already confirmed or waiting gets a mail saying so, with
    the cancel link. The visitor's page is the same in every case, so the form
    does not reveal who is registered.
    """
    now = now or timezone.now()
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:8]
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    for _attempt in range(3):
        try:
            with transaction.atomic():
                state = event_registration_state(event=event, now=now)
                if state not in OPEN_STATES:
                    raise refusal_for_state(state)
                existing = (
                    Registration.objects.select_for_update()
                    .annotate(email_lower=Lower("email"))
                    .filter(event=event, email_lower=email.strip().lower(), anonymised_at=None)
                    .exclude(status=S.CANCELLED)
                    .first()
                )
                fields = {
                    "name": name.strip(),
                    "organisation": organisation.strip() if event.ask_organisation else "",
                    "accessibility_needs": (
                        accessibility_needs.strip() if event.ask_accessibility else ""
                    ),
                    "language": language,
                    "consent_notice_version": privacy_notice_version(),
                    "consent_at": now,
                }
                if existing is not None and existing.status != S.PENDING:
                    _queue_already_registered(registration=existing)
                    return existing
                if existing is not None:
                    for key, value in fields.items():
                        setattr(existing, key, value)
                    existing.email = email.strip()
                    existing.token = registration_token()
                    existing.created_at = now
                    existing.save()
                    registration = existing
                else:
                    registration = Registration(
                        event=event, email=email.strip(), created_at=now, **fields
                    )
                    registration.full_clean(validate_constraints=False)
                    registration.save()
                _queue_confirm_request(registration=registration)
            return registration
        except IntegrityError:
            # The same address sent twice at the same moment: the second try finds the first.
            continue
    raise RegistrationRefused(
        _("Die Anmeldung konnte gerade nicht gespeichert werden. Bitte versuchen Sie es erneut."),
        code="conflict",
    )


def registration_by_token(*, token: str) -> Registration:
    registration = (
        Registration.objects.select_related("event").filter(token=token, anonymised_at=None).first()
        if token
        else None
    )
    if registration is None:
        raise RegistrationRefused(
            _(
                "Dieser Link ist ungültig. Vielleicht wurde er nicht vollständig kopiert, "
                "oder Sie haben sich inzwischen erneut angemeldet und einen neuen Link erhalten."
            ),
            code="invalid",
            status=404,
        )
    return registration


def _lock_event(event_id: int) -> Event:
    return Event.objects.select_for_update().get(pk=event_id)


def _seats_free(*, event: Event) -> bool:
    return event.capacity is None or confirmed_count(event=event) < event.capacity


def confirm_link_expired(*, registration: Registration, now: datetime.datetime) -> bool:
    limit = datetime.timedelta(hours=settings.REGISTRATION_CONFIRM_HOURS)
    return registration.status == S.PENDING and registration.created_at + limit < now


def confirm_refusal(
    *, registration: Registration, now: datetime.datetime
) -> RegistrationRefused | None:
    """Why this registration's confirmation link cannot be used now, or None."""
    if registration.status == S.CONFIRMED:
        return RegistrationRefused(
            _("Diese Anmeldung ist bereits bestätigt; Ihr Platz ist sicher."),
            code="already_confirmed",
        )
    if registration.status == S.WAITING:
        return RegistrationRefused(
            _("Diese Anmeldung ist bereits bestätigt; Sie stehen auf der Warteliste."),
            code="already_waiting",
        )
    if registration.status == S.CANCELLED:
        return RegistrationRefused(
            _(
                "Diese Anmeldung wurde abgemeldet. Sie können sich auf der "
                "Veranstaltungsseite neu anmelden."
            ),
            code="cancelled",
            status=410,
        )
    if registration.event.start <= now:
        return RegistrationRefused(
            _(
                "Die Veranstaltung hat bereits begonnen; die Anmeldung kann nicht mehr "
                "bestätigt werden."
            ),
            code="past",
            status=410,
        )
    if confirm_link_expired(registration=registration, now=now):
        return RegistrationRefused(
            _(
                "Dieser Bestätigungslink ist abgelaufen. Bitte melden Sie sich auf der "
                "Veranstaltungsseite erneut an; Sie erhalten dann einen neuen Link."
            ),
            code="expired",
            status=410,
        )
    return None


def registration_confirm(*, token: str, now: datetime.datetime | None = None) -> Registration:
    """Confirm a registration: a seat while one is free, else the waiting list (if any).

    Refuses links that are unknown, expired or already used, and events that have
    begun, with a `RegistrationRefused` explaining it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        registration = registration_by_token(token=token)
        event = _lock_event(registration.event_id)
        registration = Registration.objects.select_related("event").get(pk=registration.pk)
        refusal = confirm_refusal(registration=registration, now=now)
        if refusal is not None:
            raise refusal
        registration.confirmed_at = now
        if _seats_free(event=event):
            registration.status = S.CONFIRMED
            registration.seated_at = now
            registration.save(update_fields=["status", "confirmed_at", "seated_at"])
            _queue_seat_mail(registration=registration)
        elif event.waiting_list_enabled:
            registration.status = S.WAITING
            registration.save(update_fields=["status", "confirmed_at"])
            _queue_waiting_mail(registration=registration)
        else:
            registration.status = S.CANCELLED
            registration.cancelled_at = now
            registration.save(update_fields=["status", "confirmed_at", "cancelled_at"])
            # Full and no waiting list: the registration ends here (the page says so).
            return registration
    return registration


def registration_cancel(
    *, registration: Registration, now: datetime.datetime | None = None
) -> list[Registration]:
    """Cancel a registration; a freed seat goes to the first on the waiting list.

    Returns the registrations that moved up (each is told by mail).
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(registration.event_id)
        locked = Registration.objects.get(pk=registration.pk)
        if locked.status == S.CANCELLED:
            raise RegistrationRefused(
                _("Diese Anmeldung ist bereits abgemeldet."), code="already_cancelled", status=410
            )
        if locked.anonymised_at or event.end < now:
            raise RegistrationRefused(
                _("Die Veranstaltung ist vorbei; eine Abmeldung ist nicht mehr nötig."),
                code="past",
                status=410,
            )
        locked.status = S.CANCELLED
        locked.cancelled_at = now
        locked.save(update_fields=["status", "cancelled_at"])
        moved = _fill_seats(event=event, now=now)
    registration.status, registration.cancelled_at = locked.status, locked.cancelled_at
    return moved


def registration_cancel_by_token(
    *, token: str, now: datetime.datetime | None = None
) -> tuple[Registration, list[Registration]]:
    registration = registration_by_token(token=token)
    moved = registration_cancel(registration=registration, now=now)
    return registration, moved


def _fill_seats(*, event: Event, now: datetime.datetime) -> list[Registration]:
    """Move waiting people up, first confirmed first, while seats are free.

    The caller holds the event row lock. Nobody moves up once the event has begun.
    """
    if event.start <= now:
        return []
    waiting = (
        Registration.objects.filter(event=event, status=S.WAITING, anonymised_at=None)
        .select_related("event")
        .order_by("confirmed_at", "pk")
    )
    if event.capacity is not None:
        free = event.capacity - confirmed_count(event=event)
        if free <= 0:
            return []
        waiting = waiting[:free]
    moved = list(waiting)
    for registration in moved:
        registration.status = S.CONFIRMED
        registration.seated_at = now
        registration.save(update_fields=["status", "seated_at"])
        _queue_seat_mail(registration=registration, moved_up=True)
    return moved


def registrations_fill_seats(
    *, event: Event, now: datetime.datetime | None = None
) -> list[Registration]:
    """After staff added seats: the waiting list moves up (each is told by mail)."""
    now = now or timezone.now()
    with transaction.atomic():
        return _fill_seats(event=_lock_event(event.pk), now=now)


# --- Staff side ---------------------------------------------------------------


def registration_message_all(*, event: Event, subject: str, body: str) -> int:
    """Queue a message to every confirmed participant; returns how many were queued."""
    subject, body = subject.strip(), body.strip()
    if not subject or not body or any(c in subject for c in "\r\n"):
        raise ValidationError(_("Bitte Betreff (eine Zeile) und Text angeben."))
    with transaction.atomic():
        recipients = list(
            Registration.objects.filter(
                event=event, status=S.CONFIRMED, anonymised_at=None
            ).select_related("event")
        )
        for registration in recipients:
            _queue_mail(
                registration=registration,
                kind=OutboxMessage.Kind.ANNOUNCEMENT,
                subject=subject,
                template="publications/mail/registration_announcement.txt",
                context={"message": body},
            )
    return len(recipients)


def registration_check_in(
    *, registrations: QuerySet, attended: bool | None, now: datetime.datetime | None = None
) -> int:
    """Record who came (True/False/None = unknown), only for confirmed participants of
    events that have begun. Returns the number of registrations changed."""
    now = now or timezone.now()
    with transaction.atomic():
        selected = registrations.select_related("event")
        if any(r.event.start > now for r in selected):
            raise ValidationError(
                _("Die Anwesenheit kann erst ab Beginn der Veranstaltung erfasst werden.")
            )
        return Registration.objects.filter(
            pk__in=[r.pk for r in selected if r.status == S.CONFIRMED]
        ).update(attended=attended)


def participants_rows(*, event: Event) -> list[list[str]]:
    """The participants' list for the CSV export (header first); cells are made safe there."""
    rows = [
        [
            _("Name"),
            _("E-Mail-Adresse"),
            _("Organisation"),
            _("Bedarfe für Barrierefreiheit"),
            _("Status"),
            _("bestätigt am"),
            _("teilgenommen"),
        ]
    ]
    attended = {True: _("ja"), False: _("nein"), None: ""}
    for r in Registration.objects.filter(event=event, status__in=[S.CONFIRMED, S.WAITING]).order_by(
        "status", "confirmed_at", "pk"
    ):
        rows.append(
            [
                r.name,
                r.email,
                r.organisation,
                r.accessibility_needs,
                r.get_status_display(),
                timezone.localtime(r.confirmed_at).strftime("%d.%m.%Y %H:%M")
                if r.confirmed_at
                else "",
                attended[r.attended],
            ]
        )
    return rows


def registrations_delete(*, registrations: QuerySet) -> int:
    """Delete registrations (e.g. on request) with their mails; freed seats are refilled."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(registrations.values_list("pk", "event_id"))
        OutboxMessage.objects.filter(
            related_key__in=[f"publications.registration:{pk}" for pk, _event in rows]
        ).delete()
        Registration.objects.filter(pk__in=[pk for pk, _event in rows]).delete()
        _admin_log_scrub(ids=[pk for pk, _event in rows])
        for event_id in sorted({event_id for _pk, event_id in rows}):
            _fill_seats(event=_lock_event(event_id), now=now)
    return len(rows)


# --- Background: reminders and retention --------------------------------------


def event_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Queue the reminder for confirmed participants of events starting within
    REGISTRATION_REMINDER_HOURS; once per registration, even with several workers."""
    now = now or timezone.now()
    horizon = now + datetime.timedelta(hours=settings.REGISTRATION_REMINDER_HOURS)
    due = Registration.objects.filter(
        status=S.CONFIRMED,
        reminder_sent_at=None,
        anonymised_at=None,
        event__start__gt=now,
        event__start__lte=horizon,
    ).select_related("event")
    queued = 0
    for registration in due:
        with transaction.atomic():
            claimed = Registration.objects.filter(
                pk=registration.pk, status=S.CONFIRMED, reminder_sent_at=None
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            with translation.override(registration.language):
                subject = _subject(_("Erinnerung: %(title)s"), registration.event)
            _queue_mail(
                registration=registration,
                kind=OutboxMessage.Kind.REMINDER,
                subject=subject,
                template="publications/mail/registration_reminder.txt",
                context={"access_link": registration.event.online_access_link},
                with_calendar=True,
            )
            queued += 1
    return queued


def registrations_due_for_anonymising(*, now: datetime.datetime | None = None) -> QuerySet:
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.REGISTRATION_RETENTION_DAYS)
    return Registration.objects.filter(anonymised_at=None, event__end__lt=cutoff)


def registrations_anonymise_due(
    *, now: datetime.datetime | None = None, dry_run: bool = False
) -> int:
    """Blank the personal data of registrations REGISTRATION_RETENTION_DAYS after their
    event, and of the mails sent about them. Status and attendance stay (the counts)."""
    now = now or timezone.now()
    due = registrations_due_for_anonymising(now=now)
    ids = list(due.values_list("pk", flat=True))
    if dry_run or not ids:
        return len(ids)
    with transaction.atomic():
        for pk in ids:
            Registration.objects.filter(pk=pk).update(
                name=ANONYMISED,
                email=ANONYMISED_EMAIL,
                organisation="",
                accessibility_needs="",
                token=registration_token(),
                anonymised_at=now,
            )
        OutboxMessage.objects.filter(
            related_key__in=[f"publications.registration:{pk}" for pk in ids]
        ).update(to=ANONYMISED_EMAIL, body=ANONYMISED, attachment_content="", last_error="")
        _admin_log_scrub(ids=ids)
    return len(ids)


def _admin_log_scrub(*, ids: list[int]) -> None:
    """The admin's log names a registration by person and event: keep only its number."""
    admin_log_scrub(model=Registration, references={pk: f"Anmeldung {pk}" for pk in ids})


def registrations_export(*, email: str) -> list[dict]:
    """Art. 15: every registration stored under `email` (compared without case)."""
    email = email.strip().lower()
    registrations = (
        Registration.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=email)
        .select_related("event")
        .order_by("created_at")
    )
    fields = [
        f.name for f in Registration._meta.concrete_fields if f.name not in {"id", "event", "token"}
    ]

    def value(v):
        return v.isoformat() if hasattr(v, "isoformat") else v

    return [
        {"event": r.event.title, **{name: value(getattr(r, name)) for name in fields}}
        for r in registrations
    ]
