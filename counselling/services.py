"""Multi-step writes for requests, cases and the mail outbox.

Every function is keyword-only and runs in one transaction: either all of it
is saved or none of it.
"""

import logging
import secrets
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Max, Min, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import notifications, replies
from .models import (
    Activity,
    Case,
    CaseAccessLog,
    CaseDocument,
    CaseNumberSequence,
    CaseStatusChange,
    CounsellingRequest,
    Job,
    OutboxMessage,
    ReplyTemplate,
    StaffProfile,
    WorkerHeartbeat,
)

logger = logging.getLogger(__name__)

# No 0/O or 1/I/L: the reference is read out on the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ANONYMISED = "[anonymisiert]"
ANONYMISED_EMAIL = "anonymisiert@example.invalid"


# --- Requests -----------------------------------------------------------------


def request_reference_generate(*, year=None):
    """A random, unguessable reference such as ANF-2026-7KQ2XD (31^6 ≈ 900 million)."""
    year = year or timezone.localdate().year
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"ANF-{year}-{code}"


def privacy_notice_version():
    """The version of the privacy notice a requester agrees to right now.

    The Datenschutz page staff edit in the admin carries it (with its full
    history), so consent can be matched to the exact text later; the setting is
    the fallback before that page exists.
    """
    from kkk_portal.models import SitePage

    return SitePage.current_version("datenschutz") or settings.PRIVACY_NOTICE_VERSION


T = TypeVar("T")

# Errors that mean "the connection to the database broke", not "the data is wrong".
CONNECTION_ERRORS = (OperationalError, InterfaceError)


def retry_on_connection_loss(*, action: Callable[[], T], seconds: float) -> T:
    """Run `action`; if the database connection breaks (a restart, a failover), run
    it again on a fresh connection with back-off for up to `seconds`.

    `action` must be safe to repeat: each of its writes is one transaction, so a
    broken try leaves nothing behind. Inside an outer transaction nothing is retried.
    """
    delays = _backoff_delays(total=seconds)
    while True:
        try:
            return action()
        except CONNECTION_ERRORS:
            if connection.in_atomic_block or not delays:
                raise
            logger.warning("Database connection lost; retrying on a new connection.")
            connection.close()
            time.sleep(delays.pop(0))


def _backoff_delays(*, total: float) -> list[float]:
    """0.25 s, 0.5 s, 1 s, … (at most 2 s each) adding up to at most `total` seconds."""
    delays: list[float] = []
    delay = 0.25
    while sum(delays) + delay <= total:
        delays.append(delay)
        delay = min(delay * 2, 2.0)
    return delays


def request_submit(*, data, topics=(), language=None):
    """Store a request and queue its two emails, all in one transaction.

    `data` holds the cleaned form fields (without topics, consent and honeypot).
    The emails are only *queued* here (outbox rows in the same transaction); the
    worker process sends them, so a mail server that is down or hangs can never
    cost us a request nor slow down the form.
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    for _attempt in range(5):
        try:
            with transaction.atomic():
                request = CounsellingRequest(
                    **data,
                    reference=request_reference_generate(),
                    consent_notice_version=privacy_notice_version(),
                    consent_at=timezone.now(),
                    # Mails to the requester (and the withdrawal page) use this language.
                    language=language[:8],
                )
                request.full_clean()
                request.save()
                request.topics.set(topics)
                # Only queued: the worker (`run_worker`) delivers them. The web
                # request never opens an SMTP connection.
                _request_queue_mails(request=request, language=language)
            return request
        except ValidationError as error:
            # A (very unlikely) reference collision: draw a new one.
            if "reference" in error.message_dict and len(error.message_dict) == 1:
                continue
            raise
        except IntegrityError:
            continue
    raise RuntimeError("Could not find a free request reference.")


def _request_queue_mails(*, request, language):
    with translation.override(language):
        confirmation = OutboxMessage.objects.create(
            kind=OutboxMessage.Kind.CONFIRMATION,
            request=request,
            to=request.email,
            subject=_(
                "Ihre Anfrage beim Kompetenzzentrum Kommunale Konfliktberatung: %(reference)s"
            )
            % {"reference": request.reference},
            body=render_to_string(
                "counselling/mail/confirmation.txt",
                {
                    "reference": request.reference,
                    "retention_days": getattr(settings, "RETENTION_SPAM_DECLINED_DAYS", 90),
                    "retention_months": settings.COUNSELLING_REQUEST_RETENTION_MONTHS,
                    "withdraw_url": request_withdraw_url(request=request),
                },
            ),
        )
    # The centre works in German; the link goes to the German admin.
    with translation.override("de"):
        admin_url = settings.SITE_URL.rstrip("/") + reverse(
            "admin:counselling_counsellingrequest_change", args=[request.pk]
        )
        notification = OutboxMessage.objects.create(
            kind=OutboxMessage.Kind.NOTIFICATION,
            request=request,
            to=settings.CENTRE_NOTIFICATION_EMAIL,
            subject=_("Neue Beratungsanfrage %(reference)s") % {"reference": request.reference},
            body=render_to_string(
                "counselling/mail/notification.txt",
                {"reference": request.reference, "admin_url": admin_url},
            ),
        )
    return [confirmation, notification]


def request_anonymise(*, request: CounsellingRequest) -> CounsellingRequest:
    """Remove everything personal from a request, its history and its queued mails.

    What stays (for statistics): reference, status, body kind, Bundesland, topics,
    conflict type, urgency and dates.
    """
    scrub = {
        "institution": ANONYMISED,
        "contact_name": ANONYMISED,
        "contact_role": "",
        "email": ANONYMISED_EMAIL,
        "phone": "",
        "situation": ANONYMISED,
        "involved": "",
        "heard_from": "",
    }
    with transaction.atomic():
        now = timezone.now()
        CounsellingRequest.objects.filter(pk=request.pk).update(**scrub, anonymised_at=now)
        CounsellingRequest.history.filter(id=request.pk).update(**scrub, anonymised_at=now)
        OutboxMessage.objects.filter(request_id=request.pk).update(
            to=ANONYMISED_EMAIL, body=ANONYMISED, last_error=""
        )
        admin_log_scrub(model=CounsellingRequest, references={request.pk: request.reference})
    request.refresh_from_db()
    return request


# --- Withdrawal by the requester ---------------------------------------------------
#
# The confirmation mail carries a link with a signed token (own salt, so no other
# signed value of the site passes). The link only shows a page; withdrawing is a
# POST with a button, so a mail scanner that follows links withdraws nothing.

WITHDRAW_SALT = "counselling.request.withdraw"


class WithdrawRefused(Exception):
    """A request that cannot be withdrawn (any more); `reason` says why."""

    CASE = "case"
    DONE = "done"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def request_withdraw_max_age() -> timedelta:
    """As long as an open request keeps its data: afterwards nothing is left to withdraw."""
    return timedelta(days=31 * settings.COUNSELLING_REQUEST_RETENTION_MONTHS)


def request_withdraw_token(*, request: CounsellingRequest) -> str:
    return signing.dumps(request.pk, salt=WITHDRAW_SALT, compress=False)


def request_withdraw_url(*, request: CounsellingRequest) -> str:
    """Absolute link to the withdrawal page, in the active language (the request's).

    The token is in the query string: the request log never records that.
    """
    path = reverse("counselling:withdraw")
    token = request_withdraw_token(request=request)
    return f"{settings.SITE_URL.rstrip('/')}{path}?{urlencode({'t': token})}"


def request_from_withdraw_token(*, token: str) -> CounsellingRequest | None:
    """The request a withdrawal token names; None if it is forged, expired or gone."""
    try:
        pk = signing.loads(token, salt=WITHDRAW_SALT, max_age=request_withdraw_max_age())
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(pk, int):
        return None
    return CounsellingRequest.objects.select_related("case").filter(pk=pk).first()


def request_withdraw_refusal(*, request: CounsellingRequest) -> str | None:
    """Why this request can no longer be withdrawn (WithdrawRefused.*), or None."""
    if (
        request.status == CounsellingRequest.Status.CASE
        or Case.objects.filter(request_id=request.pk).exists()
    ):
        return WithdrawRefused.CASE
    if request.withdrawn_at or request.anonymised_at:
        return WithdrawRefused.DONE
    return None


def request_withdraw(*, request: CounsellingRequest) -> CounsellingRequest:
    """The requester withdraws: status "withdrawn" and the personal data go at once.

    Mails still waiting for the request are dropped (they would go to an erased
    address); the centre gets a note with the reference and the admin link only.
    A request that has become a case is left alone (`WithdrawRefused`): the
    centre is already working on it and the requester talks to them.
    """
    with transaction.atomic():
        locked = CounsellingRequest.objects.select_for_update().get(pk=request.pk)
        reason = request_withdraw_refusal(request=locked)
        if reason:
            raise WithdrawRefused(reason)
        if locked.status == CounsellingRequest.Status.NEW:
            locked.status = CounsellingRequest.Status.WITHDRAWN
        locked.withdrawn_at = timezone.now()
        # save() writes a history row; request_anonymise scrubs all of them.
        locked.save(update_fields=["status", "withdrawn_at", "updated_at"])
        OutboxMessage.objects.filter(
            request_id=locked.pk, status=OutboxMessage.Status.PENDING
        ).delete()
        request_anonymise(request=locked)
        with translation.override("de"):
            admin_url = settings.SITE_URL.rstrip("/") + reverse(
                "admin:counselling_counsellingrequest_change", args=[locked.pk]
            )
            OutboxMessage.objects.create(
                kind=OutboxMessage.Kind.NOTIFICATION,
                request=locked,
                to=settings.CENTRE_NOTIFICATION_EMAIL,
                subject=_("Anfrage %(reference)s zurückgezogen") % {"reference": locked.reference},
                body=render_to_string(
                    "counselling/mail/withdrawn_notification.txt",
                    {"reference": locked.reference, "admin_url": admin_url},
                ),
            )
    request.refresh_from_db()
    return request


def request_delete(*, request):
    """Delete a request with everything that copies its content.

    Its history rows (including the one the deletion itself writes) and its
    queued mails go too; the admin's log keeps only that the reference was deleted.
    A case made from it stays (its link is set to empty).
    """
    requests_delete(ids=[request.pk])


def requests_delete(*, ids):
    """Delete requests, then their history rows, mails and the content of their log entries."""
    with transaction.atomic():
        references = dict(
            CounsellingRequest.objects.filter(pk__in=list(ids)).values_list("pk", "reference")
        )
        OutboxMessage.objects.filter(request_id__in=list(references)).delete()
        CounsellingRequest.objects.filter(pk__in=list(references)).delete()
        CounsellingRequest.history.filter(id__in=list(references)).delete()
        admin_log_scrub(model=CounsellingRequest, references=references)


def admin_log_scrub(*, model, references):
    """Reduce the admin's log entries of these objects to who did what when.

    `references` maps primary keys to references: `object_repr` becomes the
    reference, and the change message, which can name inline objects such as
    document titles, is emptied.
    """
    content_type = ContentType.objects.get_for_model(model)
    for pk, reference in references.items():
        LogEntry.objects.filter(content_type=content_type, object_id=str(pk)).update(
            object_repr=reference, change_message=""
        )


# --- Cases --------------------------------------------------------------------


def case_number_next(*, year):
    """Draw the next case number of `year`. Must run inside a transaction.

    The year's counter row is locked (SELECT … FOR UPDATE), so two people
    creating a case at the same moment get consecutive numbers, never the same.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case_number_next must run inside transaction.atomic().")
    highest = Case.objects.filter(year=year).aggregate(n=Max("number"))["n"] or 0
    # Insert the counter row if missing; a concurrent insert is simply ignored.
    CaseNumberSequence.objects.bulk_create(
        [CaseNumberSequence(year=year, last_number=highest)], ignore_conflicts=True
    )
    sequence = CaseNumberSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def case_assign_reference(*, case, year=None):
    """Give an unsaved case its year, number and reference. Inside a transaction."""
    case.year = year or timezone.localdate().year
    case.number = case_number_next(year=case.year)
    case.reference = Case.format_reference(case.year, case.number)
    return case


def case_create(
    *,
    by: AbstractUser | None,
    case: Case | None = None,
    topics: Iterable = (),
    counsellors: Iterable[AbstractUser] = (),
    **fields,
) -> Case:
    """Create a case (from `fields`, or the unsaved `case` a form built) with its reference.

    Whoever may not assign cases (`counselling.assign_case`) becomes its lead
    counsellor and one of its counsellors, so they keep access to what they created.
    `by` is None for cases the system creates (seed data, imports).
    """
    with transaction.atomic():
        case = case if case is not None else Case(**fields)
        counsellors = list(counsellors)
        if by is not None and not by.has_perm("counselling.assign_case"):
            case.lead_counsellor = by
            if by not in counsellors:
                counsellors.append(by)
        case_assign_reference(case=case)
        case.full_clean()
        case.save()
        case.topics.set(topics)
        case.counsellors.set(counsellors)
        CaseStatusChange.objects.create(
            case=case, from_status="", to_status=case.status, changed_by=by
        )
        notifications.notify_assignment(
            case=case, user_ids={case.lead_counsellor_id, *(u.pk for u in counsellors)}, by=by
        )
    return case


def case_create_from_request(*, request, by):
    """Turn a request into a case; the person doing it becomes its lead counsellor."""
    with transaction.atomic():
        request = CounsellingRequest.objects.select_for_update().get(pk=request.pk)
        if Case.objects.filter(request=request).exists():
            raise ValidationError(
                _("Zur Anfrage %(reference)s gibt es bereits einen Fall."),
                params={"reference": request.reference},
            )
        if request.status == CounsellingRequest.Status.SPAM or request.anonymised_at:
            raise ValidationError(
                _("Die Anfrage %(reference)s kann nicht zu einem Fall werden."),
                params={"reference": request.reference},
            )
        case = case_create(
            by=by,
            request=request,
            title=request.institution[:255],
            state=request.state,
            body_kind=request.body_kind,
            conflict_type=request.conflict_type,
            lead_counsellor=by,
            topics=list(request.topics.all()),
            counsellors=[by],
        )
        request.status = CounsellingRequest.Status.CASE
        request.save(update_fields=["status", "updated_at"])
    return case


def case_status_check(*, case: Case, status: str) -> None:
    """The one check of the case workflow (data: `Case.TRANSITIONS`).

    Raises a ValidationError with a German message naming the allowed next steps if
    `case` may not move to `status`; staying in the same status is always allowed.
    Used by `case_change_status` and by forms that offer a status.
    """
    if status == case.status or case.can_change_status_to(status):
        return
    raise ValidationError(
        _("Der Status kann nicht von „%(from)s“ zu „%(to)s“ wechseln. Möglich ist: %(allowed)s.")
        % {
            "from": case.get_status_display(),
            "to": Case.Status(status).label,
            "allowed": ", ".join(str(s.label) for s in case.allowed_next_statuses())
            or _("kein weiterer Wechsel"),
        }
    )


def case_change_status(*, case: Case, status: str, by: AbstractUser | None) -> Case:
    """Move a case along its workflow; refuses transitions the workflow does not allow."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status == status:
            return locked
        try:
            case_status_check(case=locked, status=status)
        except ValidationError as error:
            raise ValidationError({"status": error.messages}) from error
        previous = locked.status
        locked.status = status
        update = ["status", "updated_at"]
        if not locked.is_open and not locked.end_date:
            locked.end_date = timezone.localdate()
            update.append("end_date")
        if status == Case.Status.COUNSELLING and not locked.start_date:
            locked.start_date = timezone.localdate()
            update.append("start_date")
        locked.save(update_fields=update)
        CaseStatusChange.objects.create(
            case=locked, from_status=previous, to_status=status, changed_by=by
        )
        notifications.notify_status_change(case=locked, by=by)
    case.status, case.start_date, case.end_date = locked.status, locked.start_date, locked.end_date
    return locked


def case_assign(
    *,
    case: Case,
    lead_counsellor: AbstractUser | None,
    counsellors: Iterable[AbstractUser],
    by: AbstractUser,
) -> Case:
    """Set who leads and who works on a case: the one place assignments change."""
    from .selectors import counsellors as assignable_users

    if not by.has_perm("counselling.assign_case", case):
        raise PermissionDenied(_("Nur die Leitung weist Fälle zu."))
    counsellors = list(counsellors)
    eligible = set(
        assignable_users()
        .filter(pk__in=[u.pk for u in [lead_counsellor, *counsellors] if u is not None])
        .values_list("pk", flat=True)
    )
    if lead_counsellor is not None and lead_counsellor.pk not in eligible:
        raise ValidationError({"lead_counsellor": _("Diese Person kann keine Fälle übernehmen.")})
    if any(user.pk not in eligible for user in counsellors):
        raise ValidationError({"counsellors": _("Nicht alle Personen können Fälle übernehmen.")})
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        previous = {locked.lead_counsellor_id, *locked.counsellors.values_list("pk", flat=True)}
        locked.lead_counsellor = lead_counsellor
        locked.save(update_fields=["lead_counsellor", "updated_at"])
        locked.counsellors.set(counsellors)
        # Mail whoever is new on the case (queued in this transaction).
        notifications.notify_assignment(
            case=locked,
            user_ids={u.pk for u in [lead_counsellor, *counsellors] if u is not None} - previous,
            by=by,
        )
    case.lead_counsellor = lead_counsellor
    return locked


def document_add(
    *, case: Case, title: str, kind: str, file: File, by: AbstractUser
) -> CaseDocument:
    """Attach a document to a case, uploaded by `by` (validated like the admin's form)."""
    if not by.has_perm("counselling.change_case", case):
        raise PermissionDenied(_("Sie dürfen diesem Fall keine Dokumente hinzufügen."))
    with transaction.atomic():
        document = CaseDocument(case=case, title=title, kind=kind, file=file, uploaded_by=by)
        document.full_clean()
        document.save()
        notifications.notify_document(case=case, by=by)
    return document


def case_access_log(*, case, user, via, detail=""):
    return CaseAccessLog.objects.create(
        case=case, case_reference=case.reference, user=user, via=via, detail=detail[:255]
    )


def access_log_record(
    *, user, reference: str, detail: str, via: str, case: Case | None = None
) -> CaseAccessLog:
    """Write who opened something confidential that is not (only) a case.

    A request opened in the admin (`reference` is the request's, `case` its case
    if it has one, so the case's trail is complete), the CSV export of all
    cases or an Art. 15 export. `detail` says what; it never holds personal data.
    """
    return CaseAccessLog.objects.create(
        case=case,
        case_reference=reference[:20],
        user=user,
        via=via,
        detail=detail[:255],
    )


def case_anonymise(*, case: Case) -> Case:
    """Remove personal content from a case, its activities, documents and their history."""
    with transaction.atomic():
        now = timezone.now()
        scrub = {"title": f"{ANONYMISED} {case.reference}", "outcome": ""}
        Case.objects.filter(pk=case.pk).update(**scrub, anonymised_at=now)
        Case.history.filter(id=case.pk).update(**scrub, anonymised_at=now)
        activity_ids = list(Activity.objects.filter(case=case).values_list("pk", flat=True))
        Activity.objects.filter(pk__in=activity_ids).update(note="")
        Activity.history.filter(id__in=activity_ids).update(note="")
        Activity.history.filter(case_id=case.pk).update(note="")
        # Each deleted document's file is removed after the commit (signal in models.py).
        CaseDocument.objects.filter(case=case).delete()
        # The access log keeps who opened the case, but not document titles it noted.
        CaseAccessLog.objects.filter(case=case).update(detail="")
        admin_log_scrub(model=Case, references={case.pk: case.reference})
        if case.request_id:
            request_anonymise(request=case.request)
    case.refresh_from_db()
    return case


def case_delete(*, case):
    """Delete a case with everything that copies its content.

    Deleting cascades to activities, documents (files removed after the commit)
    and status changes. Then the history rows of the case and its activities go,
    which would otherwise keep full copies; the access log keeps who opened the
    case (by reference) without details, and the admin's log only the reference.
    The request the case came from stays; delete it separately if it must go.
    """
    with transaction.atomic():
        pk, reference = case.pk, case.reference
        CaseAccessLog.objects.filter(case_id=pk).update(detail="")
        Case.objects.filter(pk=pk).delete()
        Case.history.filter(id=pk).delete()
        Activity.history.filter(case_id=pk).delete()
        admin_log_scrub(model=Case, references={pk: reference})


# --- Follow-ups, replies to requesters, staff profiles ---------------------------

FOLLOW_UPS_CACHE_KEY = "counselling:follow-ups-checked"


def follow_ups_due(*, today: date | None = None) -> QuerySet[Case]:
    """Open cases whose follow-up date has come and whose lead was not yet told of it."""
    today = today or timezone.localdate()
    open_statuses = [status for status, following in Case.TRANSITIONS.items() if following]
    return Case.objects.filter(
        Q(follow_up_notified_on__isnull=True) | ~Q(follow_up_notified_on=F("follow_up_on")),
        status__in=open_statuses,
        anonymised_at__isnull=True,
        follow_up_on__lte=today,
    )


def follow_ups_notify(*, today: date | None = None) -> int:
    """Mail the lead counsellor of every case whose follow-up is due; returns the mails queued.

    Once per follow-up date: `follow_up_notified_on` takes the date in the same
    transaction as the mail, claimed with a conditional UPDATE, so two workers (or
    the worker and cron) never both send it. A lead who switched these mails off
    gets none, and the date still counts as handled.
    """
    queued = 0
    for case_id, follow_up_on in follow_ups_due(today=today).values_list("pk", "follow_up_on"):
        with transaction.atomic():
            claimed = (
                follow_ups_due(today=today)
                .filter(pk=case_id, follow_up_on=follow_up_on)
                .update(follow_up_notified_on=follow_up_on)
            )
            if not claimed:
                continue
            case = Case.objects.get(pk=case_id)
            queued += len(notifications.notify_follow_up(case=case))
    return queued


def _follow_ups_queue() -> None:
    """From the worker loop: follow-up reminders, at most every FOLLOW_UPS_CHECK_SECONDS.

    The shared cache says when any worker last looked; without a cache every
    round looks (harmless: reminders go out once per date anyway).
    """
    from django.core.cache import cache

    from kkk_portal.safe_cache import CACHE_ERRORS

    interval = getattr(settings, "FOLLOW_UPS_CHECK_SECONDS", 3600)
    try:
        due = cache.add(FOLLOW_UPS_CACHE_KEY, 1, timeout=interval)
    except CACHE_ERRORS:
        due = True
    if not due:
        return
    try:
        follow_ups_notify()
    except CONNECTION_ERRORS:
        raise
    except Exception:  # a broken reminder must not stop the mail queue
        logger.exception("Follow-up reminders could not be queued.")


REPLY_SUBJECT_MAX = 255


def reply_subject(*, case: Case, subject: str) -> str:
    """The subject of a reply, always with the request's (or the case's) reference in it."""
    subject = " ".join(subject.split())
    references = [r for r in (case.request.reference if case.request else "", case.reference) if r]
    if any(reference in subject for reference in references):
        return subject[:REPLY_SUBJECT_MAX]
    suffix = f" [{references[0]}]"
    return subject[: REPLY_SUBJECT_MAX - len(suffix)].rstrip() + suffix


def case_reply_refusal(*, case: Case) -> str | None:
    """Why no reply can go to the requester of `case` (a German sentence), or None."""
    request = case.request
    if request is None:
        return _("Dieser Fall ist nicht aus einer Anfrage entstanden: Es gibt keine Adresse.")
    if request.anonymised_at or request.email == ANONYMISED_EMAIL:
        return _("Die Angaben der Anfrage sind gelöscht: Es gibt keine Adresse mehr.")
    return None


def case_reply_send(*, case: Case, subject: str, body: str, by: AbstractUser) -> OutboxMessage:
    """Queue a reply to the requester of `case` (it shows in the case's timeline).

    The subject always carries the reference; the requester's address comes from
    the request, never from the form.
    """
    if not by.has_perm("counselling.change_case", case):
        raise PermissionDenied(_("Sie dürfen zu diesem Fall keine Antwort senden."))
    errors = {}
    if not subject.strip():
        errors["subject"] = _("Bitte einen Betreff angeben.")
    if not body.strip():
        errors["body"] = _("Bitte einen Text angeben.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Only the case row is locked (PostgreSQL refuses FOR UPDATE across the outer join).
        locked = (
            Case.objects.select_for_update(of=("self",)).select_related("request").get(pk=case.pk)
        )
        refusal = case_reply_refusal(case=locked)
        if refusal:
            raise ValidationError(refusal)
        message = OutboxMessage(
            kind=OutboxMessage.Kind.REPLY,
            case=locked,
            request=locked.request,
            to=locked.request.email,
            subject=reply_subject(case=locked, subject=subject),
            body=body.strip() + "\n",
        )
        message.full_clean()
        message.save()
    return message


def reply_templates_ensure() -> int:
    """Create the default reply templates that are missing (by name); returns how many.

    Never changes an existing template: staff edit them in the admin.
    """
    existing = set(ReplyTemplate.objects.values_list("name", flat=True))
    missing = [
        ReplyTemplate(
            name=default.name,
            order=default.order,
            subject=default.subject,
            body=default.body,
            subject_en=default.subject_en,
            body_en=default.body_en,
        )
        for default in replies.DEFAULT_TEMPLATES
        if default.name not in existing
    ]
    ReplyTemplate.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def staff_profile_get(*, user: AbstractUser) -> StaffProfile:
    """The person's profile, created with the defaults (every mail on) if missing."""
    profile, _created = StaffProfile.objects.get_or_create(user=user)
    return profile


def staff_profile_update(*, user: AbstractUser, **switches: bool) -> StaffProfile:
    """Switch the person's staff mails on or off (`notify_*` fields only)."""
    unknown = set(switches) - set(notifications.SWITCHES)
    if unknown:
        raise TypeError(f"Unknown notification switches: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        profile = staff_profile_get(user=user)
        for field, value in switches.items():
            setattr(profile, field, bool(value))
        profile.save(update_fields=list(switches) or None)
    return profile


# --- Outbox and worker --------------------------------------------------------
#
# The outbox table is the mail queue (its rows are written in the request's
# transaction and keep what was sent); `Job` holds the other background work
# (image renditions). `run_worker` runs `worker_run_once` in a loop; cron can
# run `send_outbox` instead. Claiming a row is one short transaction (SELECT …
# FOR UPDATE SKIP LOCKED on PostgreSQL, then a conditional UPDATE that moves
# `next_attempt_at` forward by a lease), the slow part (SMTP, Pillow) runs with
# no transaction and no lock open, and a second short transaction records the
# outcome. So concurrent workers never take the same row, and a web request is
# never made to wait for a worker's mail server (important with SQLite's
# database-wide write lock). A worker that dies mid-send leaves the row to be
# taken over after the lease: at-least-once, never twice while it lives.

JOB_MAX_TRIES = 3


def outbox_retry_delay(*, tries: int) -> timedelta:
    """Exponential back-off after the `tries`-th failed attempt, capped."""
    seconds = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(tries - 1, 0)
    return timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def _claim_next(*, model, exclude: set[int], lease: timedelta):
    """Claim the oldest due pending row of `model` (OutboxMessage or Job), or None."""
    for _race in range(5):
        now = timezone.now()
        with transaction.atomic():
            due = (
                model.objects.filter(status=model.Status.PENDING, next_attempt_at__lte=now)
                .exclude(pk__in=exclude)
                .order_by("next_attempt_at", "pk")
            )
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True)
            row = due.first()
            if row is None:
                return None
            # The condition makes the claim safe even where rows cannot be locked:
            # a row another worker claimed meanwhile is no longer due.
            claimed = model.objects.filter(
                pk=row.pk, status=model.Status.PENDING, next_attempt_at__lte=now
            ).update(next_attempt_at=now + lease, tries=F("tries") + 1)
        if claimed:
            row.tries += 1
            return row
        exclude.add(row.pk)
    return None


def outbox_send(
    *, max_tries: int | None = None, should_stop: Callable[[], bool] | None = None
) -> tuple[int, int]:
    """Send every due outbox message once; returns (sent, given up) counts.

    Used by the worker loop and by `send_outbox` (cron). A message that fails
    waits `outbox_retry_delay` before its next try and is flagged as failed
    after `OUTBOX_MAX_TRIES` attempts. `should_stop` is asked before each
    message: the current one is always finished.
    """
    max_tries = max_tries or settings.OUTBOX_MAX_TRIES
    lease = timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    attempted: set[int] = set()
    sent = failed = 0
    mail_connection = None
    while not (should_stop and should_stop()):
        message = _claim_next(model=OutboxMessage, exclude=attempted, lease=lease)
        if message is None:
            break
        attempted.add(message.pk)
        try:
            mail_connection = mail_connection or get_connection(fail_silently=False)
            email = EmailMessage(
                subject=message.subject,
                body=message.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.to],
                connection=mail_connection,
            )
            if message.attachment_content:  # e.g. the event as .ics for a participant
                email.attach(
                    message.attachment_name or "anhang.txt",
                    message.attachment_content,
                    message.attachment_type or "text/plain",
                )
            email.send()
        except Exception as error:  # any mail failure: keep the message, log, retry later
            mail_connection = None
            last_error = f"{type(error).__name__}: {error}"[:2000]
            update = {"last_error": last_error}
            if message.tries >= max_tries:
                update["status"] = OutboxMessage.Status.FAILED
                failed += 1
            else:
                update["next_attempt_at"] = timezone.now() + outbox_retry_delay(tries=message.tries)
            OutboxMessage.objects.filter(pk=message.pk).update(**update)
            # Only the error's type: SMTP errors can quote the recipient's address,
            # which stays in the database (admin) and never reaches the logs.
            logger.warning(
                "Outbox message %s (%s) not sent, try %s of %s: %s",
                message.pk,
                message.kind,
                message.tries,
                max_tries,
                type(error).__name__,
            )
        else:
            OutboxMessage.objects.filter(pk=message.pk).update(
                status=OutboxMessage.Status.SENT, sent_at=timezone.now(), last_error=""
            )
            sent += 1
    return sent, failed


def job_enqueue(*, kind: str, key: str) -> None:
    """Queue a job unless the same one is already waiting (partial unique constraint)."""
    Job.objects.bulk_create([Job(kind=kind, key=key)], ignore_conflicts=True)


def _job_handlers() -> dict[str, Callable[[str], object]]:
    from kkk_portal.images import renditions_make

    return {Job.Kind.RENDITIONS: renditions_make}


def jobs_run(*, should_stop: Callable[[], bool] | None = None) -> tuple[int, int]:
    """Run every due job once; returns (done, given up) counts. Failures are retried."""
    handlers = _job_handlers()
    lease = timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    attempted: set[int] = set()
    done = failed = 0
    while not (should_stop and should_stop()):
        job = _claim_next(model=Job, exclude=attempted, lease=lease)
        if job is None:
            break
        attempted.add(job.pk)
        try:
            handlers[job.kind](job.key)
        except Exception as error:  # a bad job must not stop the worker
            update = {"last_error": f"{type(error).__name__}: {error}"[:2000]}
            if job.tries >= JOB_MAX_TRIES:
                update |= {"status": Job.Status.FAILED, "finished_at": timezone.now()}
                failed += 1
            else:
                update["next_attempt_at"] = timezone.now() + outbox_retry_delay(tries=job.tries)
            Job.objects.filter(pk=job.pk).update(**update)
            logger.warning(
                "Job %s (%s) failed, try %s: %s", job.pk, job.kind, job.tries, type(error).__name__
            )
        else:
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.DONE, finished_at=timezone.now(), last_error=""
            )
            done += 1
    return done, failed


def worker_beat(*, name: str) -> None:
    """Record that the worker `name` is alive (shown on /readyz and the Leitung page)."""
    updated = WorkerHeartbeat.objects.filter(name=name).update(last_seen=timezone.now())
    if not updated:
        WorkerHeartbeat.objects.bulk_create(
            [WorkerHeartbeat(name=name, last_seen=timezone.now())], ignore_conflicts=True
        )


def _event_reminders_queue() -> None:
    """Queue the day-before reminders of event registrations (sent in this same loop)."""
    from publications.services import event_reminders_send

    try:
        event_reminders_send()
    except CONNECTION_ERRORS:
        raise
    except Exception:  # a broken reminder must not stop the mail queue
        logger.exception("Event reminders could not be queued.")


def worker_run_once(
    *, name: str = "worker", should_stop: Callable[[], bool] | None = None
) -> dict[str, int]:
    """One iteration of the worker loop: heartbeat, reminders (event registrations, and
    case follow-ups about once an hour) queued, due mails, due jobs."""
    worker_beat(name=name)
    _event_reminders_queue()
    _follow_ups_queue()
    sent, mails_failed = outbox_send(should_stop=should_stop)
    done, jobs_failed = jobs_run(should_stop=should_stop)
    if sent or mails_failed or done or jobs_failed:
        worker_beat(name=name)
    return {
        "sent": sent,
        "mails_failed": mails_failed,
        "jobs_done": done,
        "jobs_failed": jobs_failed,
    }


def worker_last_heartbeat() -> datetime | None:
    """When any worker last completed a loop, or None if none ever ran."""
    return WorkerHeartbeat.objects.aggregate(last=Max("last_seen"))["last"]


def oldest_pending_mail_age() -> timedelta | None:
    """How long the oldest mail not yet sent (nor given up) has waited, or None."""
    oldest = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).aggregate(
        oldest=Min("created_at")
    )["oldest"]
    return None if oldest is None else max(timezone.now() - oldest, timedelta(0))


# An admin list's sort parameter: column numbers, "-" for descending, joined by ".".
LIST_ORDERING_PATTERN = r"^(-?\d{1,2}(\.-?\d{1,2}){0,9})?$"


def staff_list_ordering_save(*, user: AbstractUser, list_key: str, ordering: str) -> None:
    """Remember how a person last sorted an admin list ("" forgets it); writes only changes."""
    import re

    from .models import StaffProfile

    if not re.fullmatch(LIST_ORDERING_PATTERN, ordering) or not list_key or len(list_key) > 100:
        raise ValidationError(_("Diese Sortierung ist ungültig."))
    with transaction.atomic():
        profile, _created = StaffProfile.objects.select_for_update().get_or_create(user=user)
        orderings = dict(profile.list_orderings or {})
        if ordering:
            orderings[list_key] = ordering
        else:
            orderings.pop(list_key, None)
        if orderings != profile.list_orderings:
            profile.list_orderings = orderings
            profile.save(update_fields=["list_orderings"])


# --- Personal calendar feed ------------------------------------------------------


def calendar_feed_enable(*, user: AbstractUser) -> str:
    """A new secret for the person's iCal feed; the old address stops working at once."""
    from .models import StaffProfile

    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        profile, _created = StaffProfile.objects.select_for_update().get_or_create(user=user)
        profile.calendar_token = token
        profile.save(update_fields=["calendar_token"])
    return token


def calendar_feed_disable(*, user: AbstractUser) -> None:
    """Switch the person's iCal feed off: its address answers 404 from now on."""
    from .models import StaffProfile

    StaffProfile.objects.filter(user=user).update(calendar_token=None)
