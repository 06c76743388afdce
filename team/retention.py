"""Retention of contact requests, run by `manage.py apply_retention` (counselling/retention.py).

* Closed contact requests are deleted `CONTACT_RETENTION_DAYS` days after they
  were closed.
* Every contact request, closed or not (a new one nobody took up, an answered
  one nobody closed), is deleted at the latest `CONTACT_MAX_RETENTION_DAYS`
  days after it arrived.

Deleting takes the replies, every queued or sent mail about the request
(`OutboxMessage.related_key`) and the text of the admin's log entries with it
(`services.contact_messages_delete`). Contact requests keep no history rows.
"""

import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import services
from .models import ContactMessage


def contact_messages_due(*, now: datetime.datetime | None = None) -> QuerySet[ContactMessage]:
    """Contact requests past their retention period."""
    now = now or timezone.now()
    closed_before = now - datetime.timedelta(days=settings.CONTACT_RETENTION_DAYS)
    arrived_before = now - datetime.timedelta(days=settings.CONTACT_MAX_RETENTION_DAYS)
    return ContactMessage.objects.filter(
        Q(status=ContactMessage.Status.CLOSED, closed_at__lt=closed_before)
        | Q(created_at__lt=arrived_before)
    )


def contact_retention_apply(*, dry_run: bool = False, now: datetime.datetime | None = None) -> int:
    """Delete the contact requests that are due; with `dry_run`, only count them."""
    ids = list(contact_messages_due(now=now).values_list("pk", flat=True))
    if not dry_run:
        services.contact_messages_delete(ids=ids)
    return len(ids)
