"""Contact requests in the Art. 15 export (counselling/data_export.py `requester_data_export`)."""

from typing import Any

from django.db.models import Prefetch
from django.db.models.functions import Lower

from .models import ContactMessage, ContactReply

# Every stored field of a contact request (new fields are included automatically), not the id.
CONTACT_FIELDS = [f.name for f in ContactMessage._meta.concrete_fields if f.name != "id"]


def _value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def contact_messages_export(*, email: str) -> list[dict[str, Any]]:
    """The contact requests sent from `email` (any case), each with the replies sent to it."""
    messages = (
        ContactMessage.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=email.strip().lower())
        .prefetch_related(Prefetch("replies", queryset=ContactReply.objects.order_by("sent_at")))
        .order_by("created_at")
    )
    exported = []
    for message in messages:
        entry = {field: _value(getattr(message, field)) for field in CONTACT_FIELDS}
        entry["replies"] = [
            {"subject": reply.subject, "body": reply.body, "sent_at": _value(reply.sent_at)}
            for reply in message.replies.all()
        ]
        exported.append(entry)
    return exported
