from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, ListView, TemplateView

from kkk_portal.enums import Bundesland, MunicipalityKind

from .filters import ProjectFilter
from .map import map_context
from .models import FocusArea, Funding, Municipality, Project
from .versioned import per_content_version


class ProjectMixin:
    """Owns the queryset every project page starts from."""

    def get_queryset(self):
        return Project.objects.published()


def bind_filter(data, queryset, request):
    """A bound ProjectFilter; fields with nonsense values are dropped, not failed on.

    Returns the filter and a note for each field that was ignored: the field's own
    message where it explains more (a place name that matches nothing), else a
    general one.
    """
    filterset = ProjectFilter(data, queryset=queryset, request=request)
    if filterset.is_valid():
        return filterset, []
    notes = []
    for name, errors in filterset.errors.items():
        label = str(filterset.form.fields[name].label)
        if name == "municipality" and data.get(name, "").strip("\x00"):
            notes.append(str(errors[0]))
        else:
            notes.append(_("Ungültige Auswahl bei „%(label)s“ wurde ignoriert.") % {"label": label})
    data = data.copy()
    for name in filterset.errors:
        data.pop(name, None)
    filterset = ProjectFilter(data, queryset=queryset, request=request, choices=filterset.choices)
    return filterset, notes


class ProjectListView(ProjectMixin, ListView):
    template_name = "projects/project_list.html"
    context_object_name = "projects"
    paginate_by = 20

    def get_queryset(self):
        queryset = super().get_queryset().for_cards()
        self.filterset, self.ignored = bind_filter(self.request.GET, queryset, self.request)
        return self.filterset.qs

    def paginate_queryset(self, queryset, page_size):
        """Out-of-range or malformed page numbers show the nearest page with a note."""
        paginator = self.get_paginator(queryset, page_size)
        requested = self.request.GET.get(self.page_kwarg, "")
        page = paginator.get_page(requested)
        self.page_notice = bool(requested) and requested != str(page.number)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        place = self.filterset.form.cleaned_data.get("municipality")
        context.update(
            filter=self.filterset,
            ignored_filters=self.ignored,
            page_notice=self.page_notice,
            # The chosen place by its name (old links name it by slug); a name that
            # matched nothing stays in the field to be corrected.
            municipality_value=place.label
            if place
            else self.request.GET.get("municipality", "").replace("\x00", "")[:200],
            municipality_suggestions=self.filterset.suggestions(),
        )
        return context


def _detail_prefetches() -> tuple[Prefetch | str, ...]:
    """What a project's page shows besides the project (published() reads the clock)."""
    return (
        Prefetch("municipalities", queryset=Municipality.objects.select_related("district")),
        Prefetch("focus_areas", queryset=FocusArea.objects.published()),
        "partners",
        "extra_states",
        Prefetch("fundings", queryset=Funding.objects.select_related("funder")),
    )


class ProjectDetailView(ProjectMixin, DetailView):
    template_name = "projects/project_detail.html"
    context_object_name = "project"

    def get_queryset(self):
        return super().get_queryset().select_related("commissioned_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.object

        # The page's body is kept per content version ({% per_content_version %}):
        # its related lists and map are read, even built, only when it is rendered.
        def prepare_fragment() -> dict[str, object]:
            prefetch_related_objects([project], *_detail_prefetches())
            return {
                "publications": project.publications.published(),
                "upcoming_events": project.events.published().upcoming(),
                "past_events": project.events.published().past(),
            }

        context.update(
            prepare_fragment=prepare_fragment,
            map=SimpleLazyObject(
                lambda: map_context(
                    project.municipalities.all(),
                    highlight_states=[s.state for s in project.extra_states.all()],
                )
            ),
        )
        return context


class FocusAreaListView(ListView):
    template_name = "projects/focusarea_list.html"
    context_object_name = "focus_areas"

    def get_queryset(self):
        return FocusArea.objects.published()


class FocusAreaDetailView(DetailView):
    template_name = "projects/focusarea_detail.html"
    context_object_name = "focus_area"

    def get_queryset(self):
        return FocusArea.objects.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area = self.object

        # The body is kept per content version ({% per_content_version %}): its lists
        # are read only when it is rendered.
        def prepare_fragment() -> dict[str, object]:
            # A field of work can hold thousands of items: each list shows the first
            # RELATED_LIMIT and links to the full, filtered list when there are more
            # (one row more is read to know, so no count query).
            projects = _first(area.projects.published().for_cards())
            publications = _first(area.publications.published())
            past_events = _first(area.events.published().past())
            return {
                "projects": projects.items,
                "projects_more": projects.more,
                "publications": publications.items,
                "publications_more": publications.more,
                "upcoming_events": _first(area.events.published().upcoming()).items,
                "past_events": past_events.items,
                "past_events_more": past_events.more,
            }

        context["prepare_fragment"] = prepare_fragment
        return context


RELATED_LIMIT = 12


@dataclass(frozen=True)
class FirstItems:
    items: list
    more: bool


def _first(queryset: QuerySet, limit: int = RELATED_LIMIT) -> FirstItems:
    """The first `limit` rows of `queryset`, and whether there are more."""
    rows = list(queryset[: limit + 1])
    return FirstItems(rows[:limit], len(rows) > limit)


def group_by_state(places):
    """[(state code, state label, [places…]), …] in the order of the Bundesland choices.

    Each place carries `url`, its page's address (one `reverse` for all of them), and
    `note`: its kind and number of projects.
    """
    pattern = reverse("projects:municipality", kwargs={"slug": "-"})
    prefix, suffix = pattern[: pattern.index("/-/") + 1], pattern[pattern.index("/-/") + 2 :]
    kinds = dict(MunicipalityKind.choices)
    groups = {code: [] for code in Bundesland.values}
    for place in sorted(places, key=lambda p: p.name.casefold()):
        place.url = f"{prefix}{place.slug}{suffix}"
        # What the list says after the name, worked out here rather than per item in
        # the template (thousands of places on the benchmark data).
        count = getattr(place, "project_count", 0)
        place.note = f"{kinds.get(place.kind, place.kind)} · " + ngettext(
            "%(counter)s Projekt", "%(counter)s Projekte", count
        ) % {"counter": count}
        groups[place.state].append(place)
    return [(code, Bundesland(code).label, items) for code, items in groups.items() if items]


class MunicipalityListView(TemplateView):
    """Every place with published work: a map and a list by state.

    Both are rendered once per content version and language (thousands of places on
    the benchmark data); two queries when they are not kept yet, none otherwise.
    """

    template_name = "projects/municipality_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["places_html"] = per_content_version("places", self.render_places)
        return context

    def render_places(self) -> str:
        places = Municipality.objects.with_published_projects()
        return render_to_string(
            "projects/_places.html",
            {"groups": group_by_state(places), "map": map_context(places)},
            request=self.request,
        )


class MunicipalityDetailView(DetailView):
    template_name = "projects/municipality_detail.html"
    context_object_name = "municipality"

    def get_queryset(self):
        return Municipality.objects.select_related("district")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        place = self.object

        # The body is kept per content version ({% per_content_version %}): read only
        # when it is rendered. A district can hold hundreds of projects: the page shows
        # the first RELATED_LIMIT and links to the filtered project list for the rest.
        def prepare_fragment() -> dict[str, object]:
            members = list(place.members.all())
            projects = _first(Project.objects.published().in_municipality(place).for_cards())
            return {
                "projects": projects.items,
                "projects_more": projects.more,
                "members": members,
                "map": map_context([place, *members]),
            }

        context["prepare_fragment"] = prepare_fragment
        return context
