"""The public calendar feed writes its events from plain rows, read in two queries:
each of its events must be the very VEVENT the event's own calendar file holds."""

import icalendar
import pytest

from tests.factories import EventFactory, SpeakerFactory

pytestmark = pytest.mark.django_db

COMPARED = ("SUMMARY", "DTSTART", "DTEND", "UID", "DESCRIPTION", "URL", "LOCATION")


def _events(content: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_feed_events_match_the_single_event_files(client, prefix):
    full = EventFactory(
        title="Fachtag",
        title_en="Conference",
        teaser="Worum es geht.",
        teaser_en="What it is about.",
        description="<p>Mit <strong>Programm</strong> &amp; Pause.</p>",
        is_online=False,
        venue="Rathaus",
        address="Markt 1, Haldensleben",
        is_free=False,
        cost="20 €",
        registration_info="Bitte bis Freitag anmelden.",
        registration_url="https://example.org/anmeldung",
        organiser="Landkreis Börde",
    )
    SpeakerFactory(event=full, name="Zweite", role="Moderation", role_en="Host", order=2)
    SpeakerFactory(event=full, name="Erste", role="Vortrag", organisation="", order=1)
    plain = EventFactory(title="Online-Seminar")
    SpeakerFactory(event=EventFactory(title="Entwurf", is_published=False), name="Versteckt")

    feed = _events(client.get(f"{prefix}/veranstaltungen/kalender.ics").content)

    assert len(feed) == 2
    for event in (full, plain):
        (own,) = _events(
            client.get(f"{prefix}/veranstaltungen/{event.slug}/kalender.ics").content
        ).values()
        in_feed = feed[str(own["UID"])]
        for name in COMPARED:
            assert in_feed.get(name) == own.get(name), name
    description = str(feed[str(_uid(client, prefix, full))]["DESCRIPTION"])
    assert "Erste, " in description
    assert description.index("Erste") < description.index("Zweite")
    assert "Versteckt" not in description


def _uid(client, prefix: str, event) -> str:
    content = client.get(f"{prefix}/veranstaltungen/{event.slug}/kalender.ics").content
    (uid,) = _events(content)
    return uid
