"""The filters of the public project list (`/projekte/?status=…&state=…`)."""

import re

import django_filters
from django import forms
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kkk_portal.enums import Bundesland
from kkk_portal.translation import translated_text

from .models import FocusArea, Funder, Funding, Municipality, Project, ProjectStatus

QUERY_MAX_LENGTH = 200
# „Demokratie leben!“ inside "Modellprojekt im Bundesprogramm „Demokratie leben!“"
_QUOTED = re.compile(r"[„“\"]([^„“”\"]+)[“”\"]")


def programme_name(programme):
    """The programme's own name: the quoted part if there is one, else the whole line."""
    match = _QUOTED.search(programme)
    return (match.group(1) if match else programme).strip()


def programme_choices():
    """Programme names of published projects' funding lines (one query)."""
    lines = (
        Funding.objects.filter(project__in=Project.objects.published())
        .exclude(programme="")
        .order_by("programme")
        .values_list("programme", flat=True)
        .distinct()
    )
    names = sorted({programme_name(line) for line in lines}, key=str.casefold)
    return [(name, name) for name in names]


def year_choices():
    """Every year a published project ran in, newest first (one query)."""
    bounds = Project.objects.published().aggregate(
        first=Min("start_date"),
        last_start=Max("start_date"),
        last_end=Max("end_date"),
        open_ended=Count("pk", filter=Q(end_date__isnull=True)),
    )
    if bounds["first"] is None:
        return []
    last = max(d.year for d in (bounds["last_start"], bounds["last_end"]) if d)
    if bounds["open_ended"]:
        last = max(last, timezone.localdate().year)
    return [(str(year), str(year)) for year in range(last, bounds["first"].year - 1, -1)]


def _municipalities(request):
    return Municipality.objects.with_published_work()


def _funders(request):
    """Named funders of published projects; generic entries ("Stiftungen") are no organisation."""
    return Funder.objects.filter(
        projects__in=Project.objects.published(), is_generic=False
    ).distinct()


def _focus_areas(request):
    return FocusArea.objects.published()


class TranslatedChoiceField(forms.ModelChoiceField):
    """Choices labelled in the page's language (German where no English name exists)."""

    label_field = "title"

    def label_from_instance(self, obj):
        return translated_text(obj, self.label_field)


class FocusAreaChoiceField(TranslatedChoiceField):
    label_field = "title"


class FunderChoiceField(TranslatedChoiceField):
    label_field = "name"

    def label_from_instance(self, obj):
        name = super().label_from_instance(obj)
        return f"{name} ({obj.short_name})" if obj.short_name else name


class FocusAreaFilter(django_filters.ModelChoiceFilter):
    field_class = FocusAreaChoiceField


class FunderFilter(django_filters.ModelChoiceFilter):
    field_class = FunderChoiceField


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Suchbegriff"),
        method="filter_text",
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Sucht in Titel und Beschreibung."),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=ProjectStatus.choices,
        method="filter_status",
        empty_label=_("alle"),
    )
    state = django_filters.ChoiceFilter(
        label=_("Bundesland"),
        choices=Bundesland.choices,
        method="filter_state",
        empty_label=_("alle"),
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Kommune"),
        queryset=_municipalities,
        to_field_name="slug",
        method="filter_municipality",
        empty_label=_("alle"),
    )
    focus_area = FocusAreaFilter(
        label=_("Arbeitsfeld"),
        queryset=_focus_areas,
        to_field_name="slug",
        field_name="focus_areas",
        distinct=True,
        empty_label=_("alle"),
    )
    funder = FunderFilter(
        label=_("Fördermittelgeber"),
        queryset=_funders,
        to_field_name="slug",
        field_name="funders",
        distinct=True,
        empty_label=_("alle"),
    )
    programme = django_filters.ChoiceFilter(
        label=_("Förderprogramm"),
        choices=[],  # filled per request in __init__
        method="filter_programme",
        empty_label=_("alle"),
    )
    year = django_filters.ChoiceFilter(
        label=_("Jahr"),
        choices=[],  # filled per request in __init__
        method="filter_year",
        empty_label=_("alle"),
        help_text=_("Projekte, die in diesem Jahr liefen."),
    )

    class Meta:
        model = Project
        fields = []  # every filter is declared above

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Computed once per request (a callable would run again for every use).
        self.filters["programme"].extra["choices"] = programme_choices()
        self.filters["year"].extra["choices"] = year_choices()

    def filter_text(self, queryset, name, value):
        return queryset.search(value.strip()) if value.strip() else queryset

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value)

    def filter_state(self, queryset, name, value):
        return queryset.in_state(value)

    def filter_municipality(self, queryset, name, value):
        return queryset.in_municipality(value)

    def filter_programme(self, queryset, name, value):
        return queryset.funded_by_programme(value)

    def filter_year(self, queryset, name, value):
        return queryset.active_in_year(int(value))

    @property
    def is_filtered(self):
        return any(self.form.cleaned_data.get(name) for name in self.filters)
