"""iCalendar (RFC 5545) files for events, made with the `icalendar` library.

Times are written in Europe/Berlin with a VTIMEZONE, so calendar apps show
the local wall-clock time the centre announced. Each event's UID is derived
from its primary key and the portal's host name: it stays the same when the
title or time changes, so subscribed calendars update instead of duplicating.
"""

import datetime
import functools
import zoneinfo
from types import SimpleNamespace
from urllib.parse import urlparse

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kkk_portal.richtext import plain_text
from kkk_portal.translation import current_language, translated_text

from .models import Speaker

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Kompetenzzentrum Kommunale Konfliktberatung//Portal//DE"
REFRESH = datetime.timedelta(hours=12)


def _uid_host() -> str:
    return urlparse(settings.SITE_URL).hostname or "localhost"


def event_uid(event, host: str | None = None):
    return f"event-{event.pk}@{host or _uid_host()}"


def event_location(event, gettext=_):
    if event.is_online:
        return gettext("Online")
    return ", ".join(part for part in (event.venue, event.address) if part)


def event_description(event, url, speakers=None, language: str | None = None, gettext=_):
    """The DESCRIPTION text. `speakers` (default: the event's own) may be rows read for
    many events at once; `language` (the active one) and `gettext` (memoised) let the
    feed look its labels up once instead of per event."""
    language = language or current_language()
    parts = [
        translated_text(event, "teaser", language=language),
        plain_text(translated_text(event, "description", language=language)),
    ]
    if speakers is None:
        speakers = event.speakers.all()
    speakers = [
        ", ".join(
            part
            for part in (s.name, translated_text(s, "role", language=language), s.organisation)
            if part
        )
        for s in speakers
    ]
    if speakers:
        parts.append(gettext("Referent*innen:") + "\n" + "\n".join(speakers))
    parts.append(
        gettext("Kosten: kostenfrei") if event.is_free else gettext("Kosten: %s") % event.cost
    )
    if event.registration_info:
        parts.append(event.registration_info)
    if event.registration_url:
        parts.append(gettext("Anmeldung: %s") % event.registration_url)
    parts.append(url)
    return "\n\n".join(part for part in parts if part)


def event_component(event, request, stamp, tz, *, url=None, private_note=""):
    """One VEVENT. `private_note` (the online access link) goes only into the calendar
    file mailed to confirmed participants, never into a public one."""
    url = url or request.build_absolute_uri(event.get_absolute_url())
    component = icalendar.Event()
    component.add("uid", event_uid(event))
    component.add("dtstamp", stamp)
    component.add("dtstart", event.start.astimezone(tz))
    component.add("dtend", event.end.astimezone(tz))
    component.add("summary", translated_text(event, "title"))
    description = event_description(event, url)
    if private_note:
        description = f"{private_note}\n\n{description}"
    component.add("description", description)
    component.add("url", url)
    location = event_location(event)
    if location:
        component.add("location", location)
    if event.organiser:
        component.add("x-organiser-name", event.organiser)
    return component


def event_when_text(event) -> str:
    """Start and end as text in the active language, e.g. for mails."""
    start = timezone.localtime(event.start)
    end = timezone.localtime(event.end)
    begins = formats.date_format(start, "DATETIME_FORMAT")
    if start.date() == end.date():
        return f"{begins} – {formats.time_format(end)}"
    return f"{begins} – {formats.date_format(end, 'DATETIME_FORMAT')}"


def participant_calendar_text(event) -> str:
    """The calendar file for a confirmed participant's mail (with the access link, if any)."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    note = (
        _("Zugangslink: %(link)s") % {"link": event.online_access_link}
        if event.is_online and event.online_access_link
        else ""
    )
    url = settings.SITE_URL.rstrip("/") + event.get_absolute_url()
    component = event_component(event, None, stamp, tz, url=url, private_note=note)
    calendar.add_component(component)
    first = event.start.date() - datetime.timedelta(days=366)
    last = event.end.date() + datetime.timedelta(days=366)
    calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical().decode()


def calendar_bytes(events, request):
    """One VCALENDAR holding `events` (already filtered to the published ones): the
    download of a single event. The feed of many is `feed_bytes`."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    events = list(events.prefetch_related("speakers") if hasattr(events, "query") else events)
    for event in events:
        calendar.add_component(event_component(event, request, stamp, tz))
    if events:
        first = min(e.start for e in events).date() - datetime.timedelta(days=366)
        last = max(e.end for e in events).date() + datetime.timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


# --- The feed of many events, written directly ---------------------------------------
# Building one icalendar component per event costs milliseconds each (encoding and
# line folding in pure Python); the feed holds hundreds. Its VEVENTs are written as
# text here, with the same properties as `event_component`; the calendar around them
# (and the VTIMEZONE) still comes from the library. The tests parse the result back.


def _ical_text(value: str) -> str:
    """A TEXT value (RFC 5545, 3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _folded(line: str) -> bytes:
    """One content line, folded after at most 75 octets without splitting a character."""
    data = line.encode()
    if len(data) <= 75:
        return data + b"\r\n"
    parts, start, width = [], 0, 75
    while start < len(data):
        end = min(start + width, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1  # not inside a UTF-8 sequence
        parts.append(data[start:end])
        start, width = end, 74  # continuation lines begin with a space
    return b"\r\n ".join(parts) + b"\r\n"


def _local(value: datetime.datetime, tz) -> str:
    return value.astimezone(tz).strftime("%Y%m%dT%H%M%S")


def _event_lines(
    event, url: str, stamp: str, tz, tzid: str, *, speakers, language: str, host: str, gettext
) -> list[bytes]:
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{_ical_text(translated_text(event, 'title', language=language))}",
        f"DTSTART;TZID={tzid}:{_local(event.start, tz)}",
        f"DTEND;TZID={tzid}:{_local(event.end, tz)}",
        f"DTSTAMP:{stamp}",
        f"UID:{event_uid(event, host)}",
        f"DESCRIPTION:{_ical_text(event_description(event, url, speakers, language, gettext))}",
        f"URL:{url}",
    ]
    location = event_location(event, gettext)
    if location:
        lines.append(f"LOCATION:{_ical_text(str(location))}")
    if event.organiser:
        lines.append(f"X-ORGANISER-NAME:{_ical_text(event.organiser)}")
    lines.append("END:VEVENT")
    return [_folded(line) for line in lines]


# What the feed reads of an event and a speaker: plain rows, no model instances (their
# construction was most of the feed's time with hundreds of events).
FEED_FIELDS = (
    "pk",
    "slug",
    "title",
    "title_en",
    "start",
    "end",
    "organiser",
    "teaser",
    "teaser_en",
    "description",
    "description_en",
    "is_online",
    "venue",
    "address",
    "is_free",
    "cost",
    "registration_info",
    "registration_url",
)
SPEAKER_FIELDS = ("event_id", "name", "role", "role_en", "organisation")


def feed_bytes(events, request) -> bytes:
    """The public calendar feed: one VCALENDAR with `events` (published, in their window).

    Two queries whatever the number of events: the events' fields and their speakers."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Veranstaltungen – Kompetenzzentrum Kommunale Konfliktberatung"))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    rows = [SimpleNamespace(**row) for row in events.values(*FEED_FIELDS)]
    speakers: dict[int, list[SimpleNamespace]] = {}
    if rows:
        speaker_rows = (
            Speaker.objects.filter(event__in=events.values("pk"))
            .order_by("order", "pk")
            .values(*SPEAKER_FIELDS)
        )
        for speaker in speaker_rows:
            speakers.setdefault(speaker["event_id"], []).append(SimpleNamespace(**speaker))
        first = min(e.start for e in rows).date() - datetime.timedelta(days=366)
        last = max(e.end for e in rows).date() + datetime.timedelta(days=366)
        calendar.add_component(
            icalendar.Timezone.from_tzinfo(
                tz, tzid=settings.TIME_ZONE, first_date=first, last_date=last
            )
        )
    envelope = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    # Each event's address: reversed once, the slug put in (no reverse() per event).
    mark = "0slug0mark0"
    address = request.build_absolute_uri(
        reverse("publications:event_detail", kwargs={"slug": mark})
    )
    language, host = current_language(), _uid_host()
    # The labels in the active language, translated once per feed, not per event.
    labels = functools.cache(_)
    body = b"".join(
        line
        for event in rows
        for line in _event_lines(
            event,
            address.replace(mark, event.slug, 1),
            stamp,
            tz,
            settings.TIME_ZONE,
            speakers=speakers.get(event.pk, ()),
            language=language,
            host=host,
            gettext=labels,
        )
    )
    return envelope.removesuffix(end) + body + end
