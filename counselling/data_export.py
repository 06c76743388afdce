"""Right of access (Art. 15 DSGVO): everything stored about one requester, as JSON.

A requester is identified by the email address they gave (compared without
regard to case). The export holds their requests with every field, the topics,
the recorded consent, each change in the request's history, the mails sent to
them, and for each request that became a case its reference, status and
dates, and the messages they sent through the contact form with the replies.
Case work itself (titles, notes, documents) is the centre's own
record about a municipality's conflict, not data about the requester, and it
often names third parties; it is therefore not part of this export.
"""

from django.db.models.functions import Lower
from django.utils import timezone

from publications.services import registrations_export
from team.data_export import contact_messages_export

from .models import CounsellingRequest, OutboxMessage

# Every stored field of a request (new fields are included automatically), not the row id.
REQUEST_FIELDS = [f.name for f in CounsellingRequest._meta.concrete_fields if f.name != "id"]


HISTORY_TYPES = {"+": "angelegt", "~": "geändert", "-": "gelöscht"}


def _value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def requester_data_export(*, email):
    """A JSON-serialisable dict of everything stored about the person behind `email`."""
    email = email.strip().lower()
    requests = (
        CounsellingRequest.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=email)
        .select_related("case")
        .prefetch_related("topics")
        .order_by("created_at")
    )
    history = {}
    for record in CounsellingRequest.history.filter(id__in=[r.pk for r in requests]).order_by(
        "history_date"
    ):
        history.setdefault(record.id, []).append(record)
    exported = []
    for request in requests:
        entry = {field: _value(getattr(request, field)) for field in REQUEST_FIELDS}
        entry["topics"] = [topic.name for topic in request.topics.all()]
        entry["history"] = [
            {
                "changed_at": _value(record.history_date),
                "change": HISTORY_TYPES.get(record.history_type, record.history_type),
                "status": record.status,
            }
            for record in history.get(request.pk, [])
        ]
        case = getattr(request, "case", None)
        entry["case"] = (
            None
            if case is None
            else {
                "reference": case.reference,
                "status": case.get_status_display(),
                "start_date": _value(case.start_date),
                "end_date": _value(case.end_date),
            }
        )
        exported.append(entry)
    mails = (
        OutboxMessage.objects.annotate(to_lower=Lower("to"))
        .filter(to_lower=email)
        .order_by("created_at")
    )
    return {
        "subject": email,
        "generated_at": timezone.now().isoformat(),
        "legal_basis": "Art. 15 DSGVO",
        "requests": exported,
        "contact_messages": contact_messages_export(email=email),
        "event_registrations": registrations_export(email=email),
        "emails_sent": [
            {
                "subject": mail.subject,
                "body": mail.body,
                "status": mail.status,
                "created_at": _value(mail.created_at),
                "sent_at": _value(mail.sent_at),
            }
            for mail in mails
        ],
    }
