"""The .ics files and the RSS/Atom feeds, parsed back and checked."""

import datetime
import time
import xml.etree.ElementTree as ET

import icalendar
import pytest
from django.utils import timezone

from kkk_portal import page_cache
from publications.models import Event, NewsPost
from tests.factories import BERLIN, EventFactory, NewsPostFactory

pytestmark = pytest.mark.django_db

SEMINAR = "/veranstaltungen/online-seminar-kommunales-konfliktmanagement-2022/"
ATOM = "{http://www.w3.org/2005/Atom}"


def parse_xml(content):
    return ET.fromstring(content)  # noqa: S314 - parses our own feed output in a test


def parse(response):
    return icalendar.Calendar.from_ical(response.content)


def test_seminar_ics_has_berlin_times_and_all_fields(client, centre_content):
    response = client.get(SEMINAR + "kalender.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="online-seminar-kommunales-konfliktmanagement-2022.ics"'
    )
    calendar = parse(response)
    assert str(calendar["VERSION"]) == "2.0"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    end = event.decoded("DTEND")
    assert start == datetime.datetime(2022, 11, 16, 10, 30, tzinfo=BERLIN)
    assert start.astimezone(datetime.UTC) == datetime.datetime(
        2022, 11, 16, 9, 30, tzinfo=datetime.UTC
    )
    assert end.astimezone(datetime.UTC) == datetime.datetime(
        2022, 11, 16, 11, 0, tzinfo=datetime.UTC
    )
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert str(event["SUMMARY"]) == "Online-Seminar: Kommunales Konfliktmanagement"
    assert str(event["LOCATION"]) == "Online"
    assert str(event["URL"]) == "http://testserver" + SEMINAR
    pk = Event.objects.get().pk
    assert str(event["UID"]) == f"event-{pk}@127.0.0.1"
    assert isinstance(event.decoded("DTSTAMP"), datetime.datetime)
    description = str(event["DESCRIPTION"])
    assert description.startswith("Kurze Berichte aus dem Bundesprogramm „Demokratie leben!“")
    assert "Michael Matzke, Referent im Referat „Demokratieförderung“" in description
    assert "Kosten: kostenfrei" in description
    assert description.endswith("http://testserver" + SEMINAR)


def test_uid_is_stable_across_downloads_and_edits(client):
    event = EventFactory(slug="stabil", title="Erster Titel")
    first = parse(client.get("/veranstaltungen/stabil/kalender.ics")).walk("VEVENT")[0]["UID"]
    event.title = "Neuer Titel"
    event.start += datetime.timedelta(hours=1)
    event.end += datetime.timedelta(hours=1)
    event.save()
    second = parse(client.get("/veranstaltungen/stabil/kalender.ics")).walk("VEVENT")[0]
    assert str(second["UID"]) == str(first)
    assert str(second["SUMMARY"]) == "Neuer Titel"


def test_venue_event_ics_has_location(client):
    EventFactory(slug="vor-ort", is_online=False, venue="Rathaus", address="Markt 1, Salzwedel")
    event = parse(client.get("/veranstaltungen/vor-ort/kalender.ics")).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == "Rathaus, Markt 1, Salzwedel"


def test_ical_feed_holds_every_published_event_of_its_window(client, centre_content):
    now = timezone.now()
    # The centre's seminar of 2022 is older than twelve months: not in the feed.
    EventFactory(title="Vor einem halben Jahr", start=now - datetime.timedelta(days=182))
    EventFactory(title="Kommt noch", start=now + datetime.timedelta(days=5))
    EventFactory(title="Nicht öffentlich", is_published=False)
    response = client.get("/veranstaltungen/kalender.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="veranstaltungen.ics"'
    calendar = parse(response)
    assert (
        str(calendar["X-WR-CALNAME"])
        == "Veranstaltungen – Kompetenzzentrum Kommunale Konfliktberatung"
    )
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [
        "Vor einem halben Jahr",
        "Kommt noch",
    ]
    assert len({str(e["UID"]) for e in calendar.walk("VEVENT")}) == 2
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_ical_feed_holds_upcoming_events_and_the_last_twelve_months(client):
    now = timezone.now()
    EventFactory(title="Vor zwei Jahren", start=now - datetime.timedelta(days=730))
    EventFactory(title="Vor dreizehn Monaten", start=now - datetime.timedelta(days=396))
    EventFactory(title="Vor sechs Monaten", start=now - datetime.timedelta(days=182))
    EventFactory(title="Läuft gerade", start=now - datetime.timedelta(hours=1))
    EventFactory(title="In einem Jahr", start=now + datetime.timedelta(days=365))

    calendar = parse(client.get("/veranstaltungen/kalender.ics"))

    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [
        "Vor sechs Monaten",
        "Läuft gerade",
        "In einem Jahr",
    ]
    # The single event's file is there whatever its age.
    old = Event.objects.get(title="Vor zwei Jahren")
    assert client.get(f"/veranstaltungen/{old.slug}/kalender.ics").status_code == 200


def test_ical_feed_text_survives_escaping_and_folding(client):
    title = "Fachtag: Streit, Schlichtung; Versöhnung \\ Übergänge – " + "äöü€ " * 30
    EventFactory(
        title=title,
        teaser="Erste Zeile\nZweite Zeile, mit Komma; und Semikolon",
        organiser="Landkreis Börde – Fachdienst „Zusammenleben“",
        is_online=False,
        venue="Rathaus",
        address="Markt 1, Haldensleben",
    )
    response = client.get("/veranstaltungen/kalender.ics")
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))
    (event,) = parse(response).walk("VEVENT")
    assert str(event["SUMMARY"]) == title
    assert str(event["DESCRIPTION"]).startswith(
        "Erste Zeile\nZweite Zeile, mit Komma; und Semikolon\n\n"
    )
    assert str(event["LOCATION"]) == "Rathaus, Markt 1, Haldensleben"
    assert str(event["X-ORGANISER-NAME"]) == "Landkreis Börde – Fachdienst „Zusammenleben“"


def test_ical_feed_without_events_is_a_valid_empty_calendar(client):
    calendar = parse(client.get("/veranstaltungen/kalender.ics"))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["PRODID"]).startswith("-//Kompetenzzentrum")


def test_ical_feed_refuses_post(client):
    assert client.post("/veranstaltungen/kalender.ics").status_code == 405


def test_english_ics_uses_english_title(client):
    EventFactory(slug="en", title="Deutsch", title_en="English")
    event = parse(client.get("/en/veranstaltungen/en/kalender.ics")).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "English"


@pytest.mark.parametrize("amount", [3, 200])
def test_ical_feed_query_count_is_constant(client, django_assert_max_num_queries, amount):
    for _ in range(amount):
        EventFactory()
    # The events and their speakers; the first feed after a change also looks up the
    # next scheduled change (one query per content type), then the feed is kept.
    with django_assert_max_num_queries(2 + len(page_cache._scheduled_models())):
        response = client.get("/veranstaltungen/kalender.ics")
    assert len(parse(response).walk("VEVENT")) == amount
    with django_assert_max_num_queries(0):
        again = client.get("/veranstaltungen/kalender.ics")
    assert again.content == response.content


def test_kept_ical_feed_shows_a_change_and_a_scheduled_event_at_once(client):
    EventFactory(title="Erstes Treffen")
    # Far enough ahead that the first answers come before it, on a slow machine too.
    due = timezone.now() + datetime.timedelta(seconds=3)
    EventFactory(title="Zweites Treffen", publish_at=due)

    def summaries(prefix: str = "") -> list[str]:
        feed = parse(client.get(f"{prefix}/veranstaltungen/kalender.ics"))
        return sorted(str(event["SUMMARY"]) for event in feed.walk("VEVENT"))

    assert summaries() == summaries() == ["Erstes Treffen"]
    first = Event.objects.get(title="Erstes Treffen")
    first.title = "Erstes Treffen (verschoben)"
    first.title_en = "First meeting (moved)"
    first.save()
    assert summaries() == ["Erstes Treffen (verschoben)"]
    assert summaries("/en") == ["First meeting (moved)"]
    # No save: only the clock passes the publication time.
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.1)
    assert summaries() == ["Erstes Treffen (verschoben)", "Zweites Treffen"]


def test_kept_ical_feed_links_to_the_address_it_was_asked_at(client):
    EventFactory(slug="treffen")
    for host in ("example.org", "www.example.org", "example.org"):
        feed = parse(client.get("/veranstaltungen/kalender.ics", HTTP_HOST=host))
        (event,) = feed.walk("VEVENT")
        assert str(event["URL"]) == f"http://{host}/veranstaltungen/treffen/"


@pytest.fixture
def news():
    NewsPostFactory(
        title="Ältere Meldung",
        slug="aeltere",
        teaser="Erster Anreißer.",
        published_at=datetime.datetime(2024, 1, 10, 12, 0, tzinfo=BERLIN),
    )
    NewsPostFactory(
        title="Neueste Meldung",
        slug="neueste",
        teaser="Zweiter Anreißer.",
        published_at=datetime.datetime(2024, 2, 1, 8, 0, tzinfo=BERLIN),
    )
    NewsPostFactory(title="Entwurf", is_published=False)


def test_rss_feed_lists_published_news_newest_first(client, news):
    response = client.get("/aktuelles/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = parse_xml(response.content).find("channel")
    assert channel.findtext("title") == "Aktuelles vom Kompetenzzentrum Kommunale Konfliktberatung"
    assert channel.findtext("link") == "http://testserver/aktuelles/"
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Neueste Meldung", "Ältere Meldung"]
    assert [i.findtext("link") for i in items] == [
        "http://testserver/aktuelles/neueste/",
        "http://testserver/aktuelles/aeltere/",
    ]
    assert items[0].findtext("description") == "Zweiter Anreißer."
    assert items[0].findtext("pubDate") == "Thu, 01 Feb 2024 07:00:00 +0000"


def test_atom_feed_lists_published_news(client, news):
    response = client.get("/aktuelles/atom/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = parse_xml(response.content)
    assert feed.findtext(f"{ATOM}title") == (
        "Aktuelles vom Kompetenzzentrum Kommunale Konfliktberatung"
    )
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Neueste Meldung", "Ältere Meldung"]
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        "http://testserver/aktuelles/neueste/",
        "http://testserver/aktuelles/aeltere/",
    ]
    # <updated> is the post's last change (it was created just now, after publication).
    newest = NewsPost.objects.get(slug="neueste")
    assert entries[0].findtext(f"{ATOM}updated") == newest.updated_at.isoformat()


def test_english_feed_links_to_english_pages(client, news):
    channel = parse_xml(client.get("/en/aktuelles/feed/").content).find("channel")
    assert channel.findtext("link") == "http://testserver/en/aktuelles/"


def test_news_page_announces_its_feeds(client):
    content = client.get("/aktuelles/").content.decode()
    assert (
        '<link rel="alternate" type="application/rss+xml" title="Neuigkeiten (RSS)" '
        'href="/aktuelles/feed/">'
    ) in content


@pytest.mark.parametrize("amount", [3, 200])
def test_rss_query_count_is_constant(client, django_assert_max_num_queries, amount):
    NewsPostFactory.create_batch(amount)
    with django_assert_max_num_queries(1):
        response = client.get("/aktuelles/feed/")
    assert len(parse_xml(response.content).find("channel").findall("item")) == min(amount, 20)
