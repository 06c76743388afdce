"""Multi-step writes for requests, cases and the mail outbox.

Every function is keyword-only and runs in one transaction: either all of it
is saved or none of it.
"""

import logging
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Max, Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

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


def request_anonymise(request):
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


def case_create(*, by, topics=(), counsellors=(), **fields):
    with transaction.atomic():
        case = Case(**fields)
        case_assign_reference(case=case)
        case.full_clean()
        case.save()
        case.topics.set(topics)
        case.counsellors.set(counsellors)
        CaseStatusChange.objects.create(
            case=case, from_status="", to_status=case.status, changed_by=by
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


def case_change_status(*, case, status, by):
    """Move a case along its workflow; refuses transitions the workflow does not allow."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status == status:
            return locked
        if not locked.can_change_status_to(status):
            raise ValidationError(
                {
                    "status": _(
                        "Der Status kann nicht von „%(from)s“ zu „%(to)s“ wechseln. "
                        "Möglich ist: %(allowed)s."
                    )
                    % {
                        "from": locked.get_status_display(),
                        "to": Case.Status(status).label,
                        "allowed": ", ".join(str(s.label) for s in locked.allowed_next_statuses())
                        or _("kein weiterer Wechsel"),
                    }
                }
            )
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
    case.status, case.start_date, case.end_date = locked.status, locked.start_date, locked.end_date
    return locked


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


def case_anonymise(case):
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
            request_anonymise(case.request)
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
            EmailMessage(
                subject=message.subject,
                body=message.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.to],
                connection=mail_connection,
            ).send()
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


def worker_run_once(
    *, name: str = "worker", should_stop: Callable[[], bool] | None = None
) -> dict[str, int]:
    """One iteration of the worker loop: heartbeat, due mails, due jobs."""
    worker_beat(name=name)
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
