"""The publication list's filters: kind, year, field of work and project."""

from dataclasses import dataclass

import django_filters
from django.utils.translation import gettext_lazy as _

from kkk_portal.translation import translated_text
from projects.models import FocusArea, Project
from projects.versioned import per_content_version

from .models import Publication


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


@dataclass(frozen=True)
class FilterChoices:
    """What the filter offers, as (value, label) lists in the page's language."""

    years: list[tuple[str, str]]
    focus_areas: list[tuple[str, str]]
    projects: list[tuple[str, str]]


def _build_choices() -> FilterChoices:
    return FilterChoices(
        years=publication_years(),
        focus_areas=[
            (area.slug, translated_text(area, "title")) for area in published_focus_areas()
        ],
        projects=[
            (project.slug, translated_text(project, "title"))
            for project in published_projects_with_publications()
        ],
    )


def filter_choices() -> FilterChoices:
    """The filter's choices, worked out once per content version and language.

    Lists, not callables: a callable would run for every use (and django-filter's
    choice field cannot take the length of one).
    """
    return per_content_version("publication-filter-choices", _build_choices)


class PublicationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Art"), choices=Publication.Kind.choices, empty_label=_("Alle Arten")
    )
    year = django_filters.ChoiceFilter(
        label=_("Jahr"),
        field_name="date",
        lookup_expr="year",
        choices=[],  # filled per request in __init__
        empty_label=_("Alle Jahre"),
    )
    focus_area = django_filters.ChoiceFilter(
        label=_("Arbeitsfeld"),
        field_name="focus_areas__slug",
        choices=[],  # filled per request in __init__
        distinct=True,
        empty_label=_("Alle Arbeitsfelder"),
    )
    project = django_filters.ChoiceFilter(
        label=_("Projekt"),
        field_name="projects__slug",
        choices=[],  # filled per request in __init__
        distinct=True,
        empty_label=_("Alle Projekte"),
    )

    class Meta:
        model = Publication
        fields = ["kind", "year", "focus_area", "project"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = filter_choices()
        self.filters["year"].extra["choices"] = choices.years
        self.filters["focus_area"].extra["choices"] = choices.focus_areas
        self.filters["project"].extra["choices"] = choices.projects

    @property
    def invalid_labels(self):
        """Labels of the filters whose value was not understood (and is ignored)."""
        if not self.is_bound:
            return []
        return [str(self.form.fields[name].label) for name in self.form.errors]
