"""The publication list's filters: kind, year, field of work and project."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from kkk_portal.translation import translated_text
from projects.models import FocusArea, Project

from .models import Publication


class LocalizedTitleChoiceField(forms.ModelChoiceField):
    """Choices labelled with the English title on English pages, where there is one."""

    def label_from_instance(self, obj):
        return translated_text(obj, "title")


class LocalizedTitleFilter(django_filters.ModelChoiceFilter):
    field_class = LocalizedTitleChoiceField


def publication_years():
    """Only years in which something was published can be chosen."""
    dates = Publication.objects.published().dates("date", "year", order="DESC")
    return [(str(d.year), str(d.year)) for d in dates]


def published_projects_with_publications(request=None):
    """Published projects with a published publication: a usable list, not thousands.

    A callable, so "now" is the time of the request, not of the server start.
    """
    return (
        Project.objects.published()
        .filter(publications__in=Publication.objects.published())
        .distinct()
        .order_by("title")
    )


def published_focus_areas(request=None):
    return FocusArea.objects.published()


class PublicationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Art"), choices=Publication.Kind.choices, empty_label=_("Alle Arten")
    )
    year = django_filters.ChoiceFilter(
        label=_("Jahr"),
        field_name="date",
        lookup_expr="year",
        choices=publication_years,
        empty_label=_("Alle Jahre"),
    )
    focus_area = LocalizedTitleFilter(
        label=_("Arbeitsfeld"),
        field_name="focus_areas",
        queryset=published_focus_areas,
        to_field_name="slug",
        empty_label=_("Alle Arbeitsfelder"),
    )
    project = LocalizedTitleFilter(
        label=_("Projekt"),
        field_name="projects",
        queryset=published_projects_with_publications,
        to_field_name="slug",
        empty_label=_("Alle Projekte"),
    )

    class Meta:
        model = Publication
        fields = ["kind", "year", "focus_area", "project"]

    @property
    def invalid_labels(self):
        """Labels of the filters whose value was not understood (and is ignored)."""
        if not self.is_bound:
            return []
        return [str(self.form.fields[name].label) for name in self.form.errors]
