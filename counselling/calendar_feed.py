"""Each counsellor's private iCal feed of their appointments, and the page to manage it.

The feed lives at /kalender/<token>.ics without a login, so calendar apps can
subscribe to it. The token (StaffProfile.calendar_token, 43 random characters)
is the only key: a new one revokes the old, switching the feed off empties it.
It lists activities with a start time of the cases the person leads or is
assigned to, for as long as they are active staff allowed to see those cases,
from PAST_DAYS ago onwards. Each appointment carries only the case reference,
the kind of activity and the place: no title, municipality, note or name, since
calendar apps copy their feeds to servers the centre does not control.
"""

from __future__ import annotations

import datetime
import re
import secrets
import zoneinfo
from urllib.parse import urlparse

import icalendar
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kkk_portal.accounts import needs_second_factor, second_factor_url

from . import services
from .models import Activity, Case, StaffProfile

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Kompetenzzentrum Kommunale Konfliktberatung//Beratungstermine//DE"
PAST_DAYS = 90
REFRESH = datetime.timedelta(hours=1)
# secrets.token_urlsafe(32) gives 43 characters of this alphabet.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def feed_profile(token: str) -> StaffProfile:
    """The profile whose feed `token` opens, or 404 (unknown, revoked, malformed)."""
    if not TOKEN_PATTERN.fullmatch(token):
        raise Http404
    profile = StaffProfile.objects.select_related("user").filter(calendar_token=token).first()
    if profile is None or not secrets.compare_digest(
        (profile.calendar_token or "").encode(), token.encode()
    ):
        raise Http404
    return profile


def feed_activities(user, *, today: datetime.date | None = None) -> list[dict]:
    """Appointments of the person's own cases: plain values, no personal fields loaded."""
    today = today or timezone.localdate()
    own = (
        Case.objects.visible_to(user)
        .filter(Q(lead_counsellor=user) | Q(counsellors=user))
        .values("pk")
    )
    return list(
        Activity.objects.filter(
            case__in=own,
            start_time__isnull=False,
            date__gte=today - datetime.timedelta(days=PAST_DAYS),
        )
        .order_by("date", "start_time", "pk")
        .values("pk", "date", "start_time", "duration_minutes", "place", "kind", "case__reference")
    )


def calendar_bytes(activities: list[dict]) -> bytes:
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    host = urlparse(settings.SITE_URL).hostname or "localhost"
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    kinds = {value: str(label) for value, label in Activity.Kind.choices}
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Beratungstermine"))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    for item in activities:
        start = datetime.datetime.combine(item["date"], item["start_time"], tzinfo=tz)
        event = icalendar.Event()
        event.add("uid", f"activity-{item['pk']}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        if item["duration_minutes"]:
            # Through UTC, so an appointment across a clock change keeps its length.
            end = start.astimezone(datetime.UTC) + datetime.timedelta(
                minutes=item["duration_minutes"]
            )
            event.add("dtend", end.astimezone(tz))
        kind = kinds.get(item["kind"], item["kind"])
        event.add("summary", f"{item['case__reference']} – {kind}")
        if item["place"]:
            event.add("location", item["place"])
        event.add("class", "PRIVATE")
        calendar.add_component(event)
    if activities:
        calendar.add_missing_timezones(
            first_date=activities[0]["date"] - datetime.timedelta(days=1),
            last_date=activities[-1]["date"] + datetime.timedelta(days=366),
        )
    return calendar.to_ical()


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself: public address, no session; 404 for any token not in use."""
    profile = feed_profile(token)
    user = profile.user
    if not (user.is_active and user.is_staff):
        raise Http404
    response = HttpResponse(calendar_bytes(feed_activities(user)), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="beratungstermine.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def feed_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("counsellor_calendar", args=[token])


def _calendar_settings(request: HttpRequest) -> HttpResponse:
    if needs_second_factor(request.user):
        return redirect(second_factor_url(request.user, request.get_full_path()))
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "enable":
            services.calendar_feed_enable(user=request.user)
            messages.success(
                request,
                _("Ein neuer Kalender-Link ist erzeugt; der bisherige funktioniert nicht mehr."),
            )
        elif action == "disable":
            services.calendar_feed_disable(user=request.user)
            messages.success(request, _("Ihr Kalender-Link ist abgeschaltet."))
        else:
            messages.error(request, _("Diese Aktion gibt es nicht."))
        return redirect("accounts:calendar")
    token = (
        StaffProfile.objects.filter(user=request.user)
        .values_list("calendar_token", flat=True)
        .first()
    )
    context = {
        **admin.site.each_context(request),
        "title": _("Mein Kalender"),
        "feed_url": feed_url(token) if token else "",
        "past_days": PAST_DAYS,
    }
    return TemplateResponse(request, "admin/accounts/calendar.html", context)


# Staff only (admin login otherwise), CSRF-protected, never cached.
calendar_settings = admin.site.admin_view(_calendar_settings)
