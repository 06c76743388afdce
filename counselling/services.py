"""Multi-step writes for requests, cases and the mail outbox.

Every function is keyword-only and runs in one transaction: either all of it
is saved or none of it.
"""

import logging
import secrets

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
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
    OutboxMessage,
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


def request_submit(*, data, topics=(), language=None):
    """Store a request and queue its two emails, all in one transaction.

    `data` holds the cleaned form fields (without topics, consent and honeypot).
    The emails are only *queued* here; they are sent after the commit, so a mail
    server that is down can never cost us a request.
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
                messages = _request_queue_mails(request=request, language=language)
                ids = [m.pk for m in messages]
                transaction.on_commit(lambda ids=ids: outbox_send(ids=ids))
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
            subject=_("Ihre Anfrage beim KKK: %(reference)s") % {"reference": request.reference},
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
        request.status = CounsellingRequest.Status.ACCEPTED
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


# --- Outbox -------------------------------------------------------------------


def outbox_send(*, ids=None, max_tries=None):
    """Send pending outbox messages; returns (sent, failed) counts.

    Each message is claimed with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL,
    sent, and marked in the same transaction: two workers (cron and a request
    finishing) never send the same message, and a sent message is never picked
    again. After `OUTBOX_MAX_TRIES` failures a message is flagged as failed.
    """
    max_tries = max_tries or settings.OUTBOX_MAX_TRIES
    pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    sent = failed = 0
    mail_connection = None
    for pk in list(pending.order_by("created_at", "pk").values_list("pk", flat=True)):
        with transaction.atomic():
            claim = OutboxMessage.objects.filter(pk=pk, status=OutboxMessage.Status.PENDING)
            if connection.features.has_select_for_update_skip_locked:
                claim = claim.select_for_update(skip_locked=True)
            message = claim.first()
            if message is None:  # sent or claimed by another worker meanwhile
                continue
            message.tries += 1
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
                message.last_error = f"{type(error).__name__}: {error}"[:2000]
                if message.tries >= max_tries:
                    message.status = OutboxMessage.Status.FAILED
                    failed += 1
                logger.warning(
                    "Outbox message %s (%s) not sent, try %s of %s: %s",
                    message.pk,
                    message.kind,
                    message.tries,
                    max_tries,
                    message.last_error,
                )
            else:
                message.status = OutboxMessage.Status.SENT
                message.sent_at = timezone.now()
                message.last_error = ""
                sent += 1
            message.save(update_fields=["tries", "status", "sent_at", "last_error"])
    return sent, failed
