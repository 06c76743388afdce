"""Public pages: publications, news, events, their feeds and calendar files."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db.models import Count, F, Prefetch, Window, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from counselling.services import privacy_notice_version, retry_on_connection_loss
from counselling.views import client_cache_key, too_large
from kkk_portal import safe_cache
from projects.models import FocusArea, Project
from projects.versioned import per_content_version

from . import ical, services
from .filters import PublicationFilter
from .forms import RegistrationForm
from .models import Event, NewsPost, Publication, Registration, RegistrationState, Speaker

logger = logging.getLogger(__name__)


def published_projects():
    return Prefetch("projects", queryset=Project.objects.published().order_by("title"))


def published_focus_areas():
    return Prefetch("focus_areas", queryset=FocusArea.objects.published())


class PublishedMixin:
    """Owns the queryset of every public page: published items and their relations."""

    model = None
    prefetch = ()

    def _lookups(self) -> list:
        # Callables build their Prefetch per request: "published" depends on the time.
        return [lookup() if callable(lookup) else lookup for lookup in self.prefetch]

    def get_queryset(self):
        return self.model.objects.published().prefetch_related(*self._lookups())


class FragmentDetailMixin(PublishedMixin):
    """A detail page whose body is kept per content version ({% per_content_version %}):
    the relations in `prefetch` are read only when the body is rendered."""

    def get_queryset(self):
        return self.model.objects.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.object

        def prepare_fragment() -> None:
            # A second fragment of the same page finds the relations already read.
            prefetch_related_objects([item], *self._lookups())

        context["prepare_fragment"] = prepare_fragment
        return context


class PublicationMixin(PublishedMixin):
    model = Publication
    prefetch = (published_focus_areas,)


class PublicationListView(PublicationMixin, ListView):
    template_name = "publications/publication_list.html"
    context_object_name = "publications"
    paginate_by = 20

    def get_queryset(self):
        self.filterset = PublicationFilter(
            self.request.GET or None, queryset=super().get_queryset()
        )
        return self.filterset.qs.order_by(F("date").desc(nulls_last=True), "title")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["is_filtered"] = self.filterset.is_bound and any(
            self.filterset.form.cleaned_data.values()
        )
        return context


class PublicationDetailView(FragmentDetailMixin, PublicationMixin, DetailView):
    template_name = "publications/publication_detail.html"
    context_object_name = "publication"
    prefetch = (published_focus_areas, published_projects)


# How many past events "Aktuelles" shows when none is coming up.
RECENT_EVENTS = 3
# How many upcoming events "Aktuelles" lists (the calendar feed holds them all).
UPCOMING_SHOWN = 20


class NewsMixin(PublishedMixin):
    """Published posts whose publication time has come (see `NewsPostQuerySet`)."""

    model = NewsPost


class NewsEventsView(NewsMixin, ListView):
    """Upcoming events first, then the news, newest first (paginated)."""

    template_name = "publications/news_events.html"
    context_object_name = "news"
    paginate_by = 10

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first_page = context["page_obj"].number == 1
        # The page's body is kept per content version ({% per_content_version %}): the
        # events are read only when it is rendered.
        context["prepare_fragment"] = lambda: self._events(first_page=first_page)
        return context

    @staticmethod
    def _events(*, first_page: bool) -> dict[str, object]:
        values: dict[str, object] = {}
        upcoming = []
        if first_page:
            # The next ones, with the number of all upcoming beside them (one query).
            upcoming = list(
                Event.objects.published()
                .upcoming()
                .annotate(upcoming_total=Window(Count("pk")))[:UPCOMING_SHOWN]
            )
        if upcoming and upcoming[0].upcoming_total > len(upcoming):
            # More announced than fit: the next ones here, all of them in the calendar feed.
            values["upcoming_total"] = upcoming[0].upcoming_total
        values["upcoming_events"] = upcoming
        # Nothing coming up: the most recent past events keep the page from looking empty.
        values["recent_events"] = (
            list(Event.objects.published().past()[:RECENT_EVENTS])
            if first_page and not upcoming
            else []
        )
        return values


class NewsDetailView(FragmentDetailMixin, NewsMixin, DetailView):
    template_name = "publications/newspost_detail.html"
    context_object_name = "post"
    # The event the post reports on only while that event is public itself (else None).
    prefetch = (
        published_focus_areas,
        published_projects,
        lambda: Prefetch("event", queryset=Event.objects.published()),
    )


class EventMixin(PublishedMixin):
    model = Event


class EventArchiveView(EventMixin, ListView):
    template_name = "publications/event_archive.html"
    context_object_name = "events"
    paginate_by = 20

    def get_queryset(self):
        return super().get_queryset().past()


class EventDetailView(FragmentDetailMixin, EventMixin, DetailView):
    template_name = "publications/event_detail.html"
    context_object_name = "event"
    prefetch = (
        published_focus_areas,
        published_projects,
        Prefetch("speakers", queryset=Speaker.objects.order_by("order", "pk")),
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.object
        state = services.event_registration_state(event=event)
        context["registration_state"] = state
        context["registration_states"] = RegistrationState
        if state in services.OPEN_STATES:
            context.setdefault("form", RegistrationForm(event=event))
            context["privacy_notice_version"] = privacy_notice_version()
            context["retention_days"] = settings.REGISTRATION_RETENTION_DAYS
            context["confirm_hours"] = settings.REGISTRATION_CONFIRM_HOURS
        elif "form" in context:
            # Posted while the state changed (e.g. closed meanwhile): show the reason only.
            context.pop("form")
        return context


@require_safe
def event_ics(request, slug):
    event = get_object_or_404(Event.objects.published(), slug=slug)
    response = HttpResponse(ical.calendar_bytes([event], request), content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


# The public calendar feed holds the upcoming events and those of the last twelve
# months: what a subscribed calendar needs, however long the archive grows.
ICAL_FEED_PAST = datetime.timedelta(days=365)


@require_safe
def ical_feed(request):
    def build() -> bytes:
        since = timezone.now() - ICAL_FEED_PAST
        events = Event.objects.published().filter(end__gte=since).order_by("start", "pk")
        return ical.feed_bytes(events, request)

    # The feed shows nothing but published events, in the page's language, with links
    # to the address it was asked at: kept per content version like a page's body
    # (an event leaving the twelve months goes with the next change, within the
    # page cache's timeout). Hundreds of events are otherwise written for every request.
    origin = f"{request.scheme}://{request.get_host()}"
    body = per_content_version(f"ical-feed:{origin}", build)
    response = HttpResponse(body, content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="veranstaltungen.ics"'
    return response


# --- Registration (double opt-in) ------------------------------------------------

REGISTRATION_DONE_SESSION_KEY = "registration_done"


def _registration_rate_key(request: HttpRequest) -> str:
    return client_cache_key(request, prefix="registration:rate")


def _registration_rate_count(request: HttpRequest) -> bool:
    """Count one registration; True while within the limit (fails open without a cache)."""
    return safe_cache.count_within_limit(
        key=_registration_rate_key(request),
        limit=settings.REGISTRATION_RATE_LIMIT,
        window=settings.REGISTRATION_RATE_WINDOW,
    )


def _registration_rate_reached(request: HttpRequest) -> bool:
    return safe_cache.get(_registration_rate_key(request), 0) >= settings.REGISTRATION_RATE_LIMIT


class EventRegisterView(EventDetailView):
    """POST of the registration form on the event page; errors re-render that page."""

    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        event = self.get_object()
        return redirect(event.get_absolute_url() + "#anmeldung")

    def post(self, request, *args, **kwargs):
        return retry_on_connection_loss(
            action=lambda: self._post(request), seconds=settings.SUBMIT_DB_RETRY_SECONDS
        )

    def _post(self, request):
        self.object = event = self.get_object()
        if _registration_rate_reached(request):
            return render(request, "counselling/rate_limited.html", status=429)
        try:
            data = request.POST
        except (RequestDataTooBig, TooManyFieldsSent):
            return too_large(request)
        state = services.event_registration_state(event=event)
        if state not in services.OPEN_STATES:
            refusal = services.refusal_for_state(state)
            return self.render_to_response(
                self.get_context_data(registration_refusal=refusal.message), status=409
            )
        form = RegistrationForm(data, event=event)
        if form.is_bot:
            # Honeypot filled: pretend success, store nothing; it counts against the limit.
            if not _registration_rate_count(request):
                return render(request, "counselling/rate_limited.html", status=429)
            logger.info("Event registration dropped: honeypot filled.")
            request.session[REGISTRATION_DONE_SESSION_KEY] = event.pk
            return redirect("publications:registration_done", slug=event.slug)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        if not _registration_rate_count(request):
            return render(request, "counselling/rate_limited.html", status=429)
        try:
            services.registration_submit(
                event=event, language=translation.get_language(), **form.submission_data()
            )
        except services.RegistrationRefused as refusal:
            return self.render_to_response(
                self.get_context_data(form=form, registration_refusal=refusal.message), status=409
            )
        request.session[REGISTRATION_DONE_SESSION_KEY] = event.pk
        return redirect("publications:registration_done", slug=event.slug)


@require_safe
def registration_done(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event.objects.published(), slug=slug)
    just_registered = request.session.pop(REGISTRATION_DONE_SESSION_KEY, None) == event.pk
    return render(
        request,
        "publications/registration_done.html",
        {
            "event": event,
            "just_registered": just_registered,
            "confirm_hours": settings.REGISTRATION_CONFIRM_HOURS,
        },
    )


def _token_page(request, template, context, status=200):
    response = render(request, template, context, status=status)
    # The address holds a secret: no caching, no indexing.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _refused(request, refusal, registration=None):
    return _token_page(
        request,
        "publications/registration_refused.html",
        {"refusal": refusal, "registration": registration},
        status=refusal.status,
    )


class RegistrationConfirmView(View):
    """GET shows a button, POST confirms: mail gateways that follow links confirm nothing."""

    template_name = "publications/registration_confirm.html"

    def get(self, request, token):
        try:
            registration = services.registration_by_token(token=token)
        except services.RegistrationRefused as refusal:
            return _refused(request, refusal)
        problem = self._problem(registration)
        if problem:
            return _refused(request, problem, registration)
        return _token_page(request, self.template_name, {"registration": registration})

    def _problem(self, registration):
        return services.confirm_refusal(registration=registration, now=timezone.now())

    def post(self, request, token):
        try:
            registration = services.registration_confirm(token=token)
        except services.RegistrationRefused as refusal:
            return _refused(request, refusal)
        return _token_page(
            request, "publications/registration_confirmed.html", {"registration": registration}
        )


class RegistrationCancelView(View):
    template_name = "publications/registration_cancel.html"

    def get(self, request, token):
        try:
            registration = services.registration_by_token(token=token)
        except services.RegistrationRefused as refusal:
            return _refused(request, refusal)
        if registration.status == Registration.Status.CANCELLED:
            return _refused(
                request,
                services.RegistrationRefused(
                    _("Diese Anmeldung ist bereits abgemeldet."),
                    code="already_cancelled",
                    status=410,
                ),
                registration,
            )
        if registration.event.end < timezone.now():
            return _refused(
                request,
                services.RegistrationRefused(
                    _("Die Veranstaltung ist vorbei; eine Abmeldung ist nicht mehr nötig."),
                    code="past",
                    status=410,
                ),
                registration,
            )
        return _token_page(request, self.template_name, {"registration": registration})

    def post(self, request, token):
        try:
            registration, _moved = services.registration_cancel_by_token(token=token)
        except services.RegistrationRefused as refusal:
            return _refused(request, refusal)
        return _token_page(
            request, "publications/registration_cancelled.html", {"registration": registration}
        )
