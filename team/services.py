"""Multi-step writes for contact requests: submit, reply, close, delete.

Built on the counselling form's machinery: the request is stored in one
transaction together with its queued mails (outbox rows the worker sends), its
consent is recorded with the privacy notice's version, and deleting it removes
every copy (replies, mails, the admin log's text).
"""

import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from counselling.models import OutboxMessage
from counselling.services import REFERENCE_ALPHABET, admin_log_scrub, privacy_notice_version

from .models import ContactMessage, ContactReply, contact_related_key

REPLY_SUBJECT_MAX = 255
REPLY_BODY_MAX = 10000


def contact_reference_generate(*, year: int | None = None) -> str:
    """A random, unguessable reference such as KON-2026-7KQ2XD (31^6 ≈ 900 million)."""
    year = year or timezone.localdate().year
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"KON-{year}-{code}"


def contact_language(language: str | None = None) -> str:
    """One of settings.LANGUAGES for `language` (default: the active one), else German."""
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def contact_retention_context() -> dict[str, int]:
    """The retention periods `apply_retention` applies, as told on the form and in mails."""
    return {
        "contact_retention_days": settings.CONTACT_RETENTION_DAYS,
        "contact_max_retention_days": settings.CONTACT_MAX_RETENTION_DAYS,
    }


def contact_submit(*, data: dict[str, Any], language: str | None = None) -> ContactMessage:
    """Store a contact request and queue its two mails, all in one transaction.

    `data` holds the cleaned form fields (name, email, organisation, topic,
    message). The confirmation goes to the sender in their language, the
    notification to the centre holds only the reference and the admin link.
    """
    language = contact_language(language)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                message = ContactMessage(
                    **data,
                    reference=contact_reference_generate(),
                    language=language,
                    consent_notice_version=privacy_notice_version(),
                    consent_at=timezone.now(),
                )
                message.full_clean()
                message.save()
                _contact_queue_mails(message=message)
            return message
        except ValidationError as error:
            # A (very unlikely) reference collision: draw a new one.
            if "reference" in error.message_dict and len(error.message_dict) == 1:
                continue
            raise
        except IntegrityError:
            continue
    raise RuntimeError("Could not find a free contact reference.")


def _contact_queue_mails(*, message: ContactMessage) -> list[OutboxMessage]:
    with translation.override(message.language):
        confirmation = OutboxMessage.objects.create(
            kind=OutboxMessage.Kind.CONTACT_CONFIRMATION,
            related_key=message.related_key,
            to=message.email,
            subject=_(
                "Ihre Nachricht an das Kompetenzzentrum Kommunale Konfliktberatung: %(reference)s"
            )
            % {"reference": message.reference},
            body=render_to_string(
                "team/mail/contact_confirmation.txt",
                {
                    "reference": message.reference,
                    "topic": message.get_topic_display(),
                    **contact_retention_context(),
                },
            ),
        )
    # The centre works in German; the link goes to the German admin.
    with translation.override("de"):
        admin_url = settings.SITE_URL.rstrip("/") + reverse(
            "admin:team_contactmessage_change", args=[message.pk]
        )
        notification = OutboxMessage.objects.create(
            kind=OutboxMessage.Kind.CONTACT_NOTIFICATION,
            related_key=message.related_key,
            to=settings.CENTRE_NOTIFICATION_EMAIL,
            subject=_("Neue Kontaktanfrage %(reference)s") % {"reference": message.reference},
            body=render_to_string(
                "team/mail/contact_notification.txt",
                {"reference": message.reference, "admin_url": admin_url},
            ),
        )
    return [confirmation, notification]


def contact_reply_subject_default(*, message: ContactMessage) -> str:
    """The subject a reply starts with: the reference, in the sender's language."""
    with translation.override(message.language):
        return _("Ihre Nachricht %(reference)s") % {"reference": message.reference}


def contact_reply_send(
    *, message: ContactMessage, subject: str, body: str, by: AbstractBaseUser
) -> ContactReply:
    """Queue a reply to the sender and keep the text sent; the request counts as answered.

    The subject always carries the reference (it is put in front when staff removed
    it) and the mail ends with a footer in the sender's language. What is stored
    on the reply is exactly what the mail says.
    """
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    errors = {}
    if not subject:
        errors["subject"] = _("Bitte geben Sie einen Betreff an.")
    if not body:
        errors["body"] = _("Bitte schreiben Sie eine Antwort.")
    elif len(body) > REPLY_BODY_MAX:
        errors["body"] = _("Die Antwort darf höchstens %(max)d Zeichen lang sein.") % {
            "max": REPLY_BODY_MAX
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ContactMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status == ContactMessage.Status.CLOSED:
            raise ValidationError(
                _(
                    "Die Kontaktanfrage %(reference)s ist erledigt und kann nicht mehr "
                    "beantwortet werden."
                )
                % {"reference": locked.reference}
            )
        if locked.reference not in subject:
            subject = f"{contact_reply_subject_default(message=locked)}: {subject}"
        subject = subject[:REPLY_SUBJECT_MAX]
        with translation.override(locked.language):
            text = render_to_string(
                "team/mail/contact_reply.txt", {"body": body, "reference": locked.reference}
            )
        now = timezone.now()
        outbox = OutboxMessage.objects.create(
            kind=OutboxMessage.Kind.CONTACT_REPLY,
            related_key=locked.related_key,
            to=locked.email,
            subject=subject,
            body=text,
        )
        reply = ContactReply.objects.create(
            message=locked, subject=subject, body=text, sent_by=by, sent_at=now, outbox=outbox
        )
        locked.status = ContactMessage.Status.ANSWERED
        locked.answered_at = now
        locked.save(update_fields=["status", "answered_at"])
    message.status, message.answered_at = locked.status, locked.answered_at
    return reply


def contact_close(*, message: ContactMessage) -> ContactMessage:
    """Mark a contact request as done; from then on the retention period runs."""
    with transaction.atomic():
        locked = ContactMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status != ContactMessage.Status.CLOSED:
            locked.status = ContactMessage.Status.CLOSED
            locked.closed_at = timezone.now()
            locked.save(update_fields=["status", "closed_at"])
    message.status, message.closed_at = locked.status, locked.closed_at
    return locked


def contact_messages_delete(*, ids: Iterable[int]) -> int:
    """Delete contact requests with their replies, their mails and the admin log's text.

    Returns how many requests were deleted.
    """
    with transaction.atomic():
        references = dict(
            ContactMessage.objects.filter(pk__in=list(ids)).values_list("pk", "reference")
        )
        OutboxMessage.objects.filter(
            related_key__in=[contact_related_key(pk) for pk in references]
        ).delete()
        # Replies go with their request (CASCADE).
        ContactMessage.objects.filter(pk__in=list(references)).delete()
        admin_log_scrub(model=ContactMessage, references=references)
    return len(references)
