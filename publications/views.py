"""Public pages: publications, news, events, their feeds and calendar files."""

from django.db.models import F, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from projects.models import FocusArea, Project

from . import ical
from .filters import PublicationFilter
from .models import Event, NewsPost, Publication, Speaker


def published_projects():
    return Prefetch("projects", queryset=Project.objects.published().order_by("title"))


def published_focus_areas():
    return Prefetch("focus_areas", queryset=FocusArea.objects.published())


class PublishedMixin:
    """Owns the queryset of every public page: published items and their relations."""

    model = None
    prefetch = ()

    def get_queryset(self):
        # Callables build their Prefetch per request: "published" depends on the time.
        lookups = [lookup() if callable(lookup) else lookup for lookup in self.prefetch]
        return self.model.objects.published().prefetch_related(*lookups)


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


class PublicationDetailView(PublicationMixin, DetailView):
    template_name = "publications/publication_detail.html"
    context_object_name = "publication"
    prefetch = (published_focus_areas, published_projects)


# How many past events "Aktuelles" shows when none is coming up.
RECENT_EVENTS = 3


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
        upcoming = list(Event.objects.published().upcoming()) if first_page else []
        context["upcoming_events"] = upcoming
        # Nothing coming up: the most recent past events keep the page from looking empty.
        context["recent_events"] = (
            list(Event.objects.published().past()[:RECENT_EVENTS])
            if first_page and not upcoming
            else []
        )
        return context


class NewsDetailView(NewsMixin, DetailView):
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


class EventDetailView(EventMixin, DetailView):
    template_name = "publications/event_detail.html"
    context_object_name = "event"
    prefetch = (
        published_focus_areas,
        published_projects,
        Prefetch("speakers", queryset=Speaker.objects.order_by("order", "pk")),
    )


@require_safe
def event_ics(request, slug):
    event = get_object_or_404(Event.objects.published(), slug=slug)
    response = HttpResponse(ical.calendar_bytes([event], request), content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


@require_safe
def ical_feed(request):
    events = Event.objects.published().order_by("start")
    response = HttpResponse(
        ical.calendar_bytes(events, request, feed=True), content_type=ical.CONTENT_TYPE
    )
    response["Content-Disposition"] = 'inline; filename="veranstaltungen.ics"'
    return response
