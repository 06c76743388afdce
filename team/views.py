from django.db.models import Prefetch
from django.views.generic import ListView, TemplateView

from projects.models import FocusArea

from .models import ContactDetails, TeamMember


class TeamMixin:
    """Owns the queryset of the public team page: active members with their fields of work."""

    def get_queryset(self):
        return TeamMember.objects.published().prefetch_related(
            Prefetch("focus_areas", queryset=FocusArea.objects.published())
        )


class TeamListView(TeamMixin, ListView):
    template_name = "team/teammember_list.html"
    context_object_name = "members"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["has_examples"] = any(member.is_example for member in context["members"])
        return context


class ContactView(TemplateView):
    template_name = "team/contact.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contact"] = ContactDetails.load()
        return context
