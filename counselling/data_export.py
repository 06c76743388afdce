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

import json

from django.contrib import admin, messages
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from publications.services import registrations_export
from team.data_export import contact_messages_export

from .models import CaseAccessLog, CounsellingRequest, OutboxMessage
from .services import access_log_record

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


class RequesterExportActionMixin:
    """Admin action "Auskunft nach Art. 15 DSGVO" for a list of things one person sent.

    The selected rows must share one email address. The download is everything
    stored about that person (`requester_data_export`), and it is written to the
    access log with the references of `export_source` (the export's list of what
    this admin shows). Only for those who may see every request (`see_requester_data`).
    """

    export_source = "requests"
    export_one_person_message = _(
        "Bitte Anfragen genau einer Person (einer E-Mail-Adresse) auswählen."
    )

    @admin.action(
        description=_("Auskunft nach Art. 15 DSGVO (JSON) für diese Person"),
        permissions=["export_requester_data"],
    )
    def export_requester_data(self, request, queryset):
        emails = {e.strip().lower() for e in queryset.values_list("email", flat=True)}
        if len(emails) != 1:
            self.message_user(request, self.export_one_person_message, messages.ERROR)
            return None
        data = requester_data_export(email=emails.pop())
        references = [entry["reference"] for entry in data[self.export_source]]
        access_log_record(
            user=request.user,
            reference=references[0] if references else "–",
            via=CaseAccessLog.Via.EXPORT,
            detail=gettext("Auskunft nach Art. 15 DSGVO: %(references)s")
            % {"references": ", ".join(references) or "–"},
        )
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        filename = f"auskunft-{references[0] if references else 'person'}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def has_export_requester_data_permission(self, request) -> bool:
        # Everything about a person, across requests and cases: Leitung only.
        return request.user.has_perm("counselling.see_requester_data")
