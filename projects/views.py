from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from .models import FocusArea, Funding, Project


class ProjectMixin:
    """Owns the queryset every project page starts from."""

    def get_queryset(self):
        return Project.objects.published().prefetch_related("municipalities", "focus_areas")


class ProjectListView(ProjectMixin, ListView):
    template_name = "projects/project_list.html"
    context_object_name = "projects"
    paginate_by = 20


class ProjectDetailView(ProjectMixin, DetailView):
    template_name = "projects/project_detail.html"
    context_object_name = "project"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("commissioned_by")
            .prefetch_related(
                "partners",
                "extra_states",
                Prefetch("fundings", queryset=Funding.objects.select_related("funder")),
            )
        )


class FocusAreaDetailView(DetailView):
    model = FocusArea
    template_name = "projects/focusarea_detail.html"
    context_object_name = "focus_area"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["projects"] = self.object.projects.published().prefetch_related("municipalities")
        return context
