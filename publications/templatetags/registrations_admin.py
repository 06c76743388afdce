"""Admin start page: registrations for the coming events (holders of view_registration)."""

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from publications.models import Event, Registration
from publications.services import registration_counts

register = template.Library()

START_BOX_EVENTS = 5
S = Registration.Status


@register.simple_tag
def upcoming_registrations(user) -> list[dict] | None:
    """The next events taking registrations with their counts; None without the permission."""
    if not user.has_perm("publications.view_registration"):
        return None
    events = list(
        Event.objects.filter(registration_enabled=True, end__gte=timezone.now()).order_by("start")[
            :START_BOX_EVENTS
        ]
    )
    counts = registration_counts(events=events)
    return [{"event": event, "counts": counts.get(event.pk)} for event in events]


DASHBOARD_EVENTS = 20


@register.simple_tag
def registration_totals() -> dict:
    """For the leadership dashboard: the latest events with portal registration and their
    counts (confirmed, waiting, attended, absent), plus totals over all such events.
    Three queries whatever the number of events and registrations."""
    events = list(
        Event.objects.filter(registration_enabled=True).order_by("-start")[:DASHBOARD_EVENTS]
    )
    counts = registration_counts(events=events)
    rows = [{"event": event, "counts": counts.get(event.pk)} for event in events]
    # Aliases must not be column names ("attended"): SQLite would read them as the column.
    totals = Registration.objects.filter(event__registration_enabled=True).aggregate(
        n_confirmed=Count("pk", filter=Q(status=S.CONFIRMED)),
        n_attended=Count("pk", filter=Q(status=S.CONFIRMED, attended=True)),
        n_absent=Count("pk", filter=Q(status=S.CONFIRMED, attended=False)),
        n_waiting=Count("pk", filter=Q(status=S.WAITING)),
        n_cancelled=Count("pk", filter=Q(status=S.CANCELLED)),
    )
    totals = {key[2:]: value for key, value in totals.items()}
    return {"rows": rows, "totals": totals}
