from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from kkk_portal.enums import Bundesland

from .filters import ProjectFilter
from .map import map_context
from .models import FocusArea, Funding, Municipality, Project


class ProjectMixin:
    """Owns the queryset every project page starts from."""

    def get_queryset(self):
        return Project.objects.published()


def bind_filter(data, queryset, request):
    """A bound ProjectFilter; fields with nonsense values are dropped, not failed on.

    Returns the filter and the labels of the fields that were ignored.
    """
    filterset = ProjectFilter(data, queryset=queryset, request=request)
    if filterset.is_valid():
        return filterset, []
    invalid = list(filterset.errors)
    ignored = [str(filterset.form.fields[name].label) for name in invalid]
    data = data.copy()
    for name in invalid:
        data.pop(name, None)
    return ProjectFilter(data, queryset=queryset, request=request), ignored


class ProjectListView(ProjectMixin, ListView):
    template_name = "projects/project_list.html"
    context_object_name = "projects"
    paginate_by = 20

    def get_queryset(self):
        queryset = super().get_queryset().prefetch_related("municipalities")
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
        context.update(
            filter=self.filterset,
            ignored_filters=self.ignored,
            page_notice=self.page_notice,
        )
        return context


class ProjectDetailView(ProjectMixin, DetailView):
    template_name = "projects/project_detail.html"
    context_object_name = "project"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("commissioned_by")
            .prefetch_related(
                Prefetch(
                    "municipalities", queryset=Municipality.objects.select_related("district")
                ),
                Prefetch("focus_areas", queryset=FocusArea.objects.published()),
                "partners",
                "extra_states",
                Prefetch("fundings", queryset=Funding.objects.select_related("funder")),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.object
        context.update(
            publications=project.publications.published(),
            upcoming_events=project.events.published().upcoming(),
            past_events=project.events.published().past(),
            map=map_context(
                project.municipalities.all(),
                highlight_states=[s.state for s in project.extra_states.all()],
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
        context.update(
            projects=area.projects.published().prefetch_related("municipalities"),
            publications=area.publications.published(),
            upcoming_events=area.events.published().upcoming(),
            past_events=area.events.published().past(),
        )
        return context


def group_by_state(places):
    """[(state label, [places…]), …] in the order of the Bundesland choices."""
    groups = {code: [] for code in Bundesland.values}
    for place in sorted(places, key=lambda p: p.name.casefold()):
        groups[place.state].append(place)
    return [(Bundesland(code).label, items) for code, items in groups.items() if items]


class MunicipalityListView(ListView):
    template_name = "projects/municipality_list.html"
    context_object_name = "places"

    def get_queryset(self):
        return Municipality.objects.with_published_projects()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            groups=group_by_state(self.object_list),
            map=map_context(self.object_list),
        )
        return context


class MunicipalityDetailView(DetailView):
    template_name = "projects/municipality_detail.html"
    context_object_name = "municipality"

    def get_queryset(self):
        return Municipality.objects.select_related("district")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        place = self.object
        members = list(place.members.all())
        context.update(
            projects=Project.objects.published()
            .in_municipality(place)
            .prefetch_related("municipalities"),
            members=members,
            map=map_context([place, *members]),
        )
        return context
