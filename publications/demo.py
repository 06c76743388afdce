"""Development demo data: one invented, clearly marked upcoming event with registration open.

Called by `load_demo_data` (which refuses to run without DEBUG). The event is
`is_example=True`, so the public pages hide it unless DEBUG is on; its title and
text say that it is an example and does not take place.
"""

import datetime

from django.utils import timezone

from .models import Event

EXAMPLE_EVENT_SLUG = "beispiel-anmeldung-ausprobieren"


def example_event_ensure(*, now: datetime.datetime | None = None) -> Event:
    """Create the example event, or move it into the future again (three weeks ahead)."""
    now = now or timezone.now()
    start = timezone.localtime(now + datetime.timedelta(days=21)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    event, _created = Event.objects.update_or_create(
        slug=EXAMPLE_EVENT_SLUG,
        defaults={
            "title": "Beispiel: Online-Seminar zum Ausprobieren der Anmeldung",
            "title_en": "Example: online seminar to try out the registration",
            "teaser": (
                "Eine erfundene Beispielveranstaltung für die Entwicklung. Sie findet nicht "
                "statt; hier lässt sich die Anmeldung mit Bestätigung per E-Mail ausprobieren."
            ),
            "teaser_en": (
                "An invented example event for development. It does not take place; use it "
                "to try the registration with confirmation by email."
            ),
            "start": start,
            "end": start + datetime.timedelta(hours=2),
            "is_online": True,
            "is_free": True,
            "registration_enabled": True,
            "registration_opens_at": None,
            "registration_closes_at": None,
            "capacity": 3,
            "waiting_list_enabled": True,
            "ask_organisation": True,
            "ask_accessibility": True,
            # .invalid never resolves: clearly not a real meeting room.
            "online_access_link": "https://zugang.beispiel.invalid/beispielraum",
            "is_published": True,
            "is_example": True,
        },
    )
    return event
