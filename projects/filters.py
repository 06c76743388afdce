"""The filters of the public project list (`/projekte/?status=…&state=…`)."""

import re
from collections import Counter
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Count, Max, Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kkk_portal.enums import Bundesland
from kkk_portal.translation import translated_text

from .models import FocusArea, Funder, Funding, Municipality, Project, ProjectStatus
from .versioned import per_content_version

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


# The municipality filter is a text field with suggestions (<datalist>): with more
# places than this, only those of the chosen state are suggested (page weight).
SUGGESTIONS_MAX = 200


@dataclass(frozen=True)
class PlaceChoice:
    """A municipality the filter offers: `label` is what a visitor types or picks."""

    pk: int
    slug: str
    name: str
    state: str
    label: str


@dataclass(frozen=True)
class FilterChoices:
    """Everything the filter offers, worked out once per content version and language."""

    programmes: list
    years: list
    focus_areas: list
    funders: list
    places: list  # [PlaceChoice]


def _place_choices() -> list[PlaceChoice]:
    """Places with published work, labelled by name; "Name (Land)" where two share a name."""
    rows = (
        Municipality.objects.with_published_work()
        .order_by("name", "state")
        .values_list("pk", "slug", "name", "state")
    )
    rows = list(rows)
    names = Counter(name.casefold() for _, _, name, _ in rows)
    states = dict(Bundesland.choices)
    return [
        PlaceChoice(
            pk=pk,
            slug=slug,
            name=name,
            state=state,
            label=f"{name} ({states[state]})" if names[name.casefold()] > 1 else name,
        )
        for pk, slug, name, state in rows
    ]


def _build_choices() -> FilterChoices:
    funders = Funder.objects.filter(
        projects__in=Project.objects.published(), is_generic=False
    ).distinct()
    funder_choices = []
    for funder in funders:
        name = translated_text(funder, "name")
        funder_choices.append(
            (funder.slug, f"{name} ({funder.short_name})" if funder.short_name else name)
        )
    return FilterChoices(
        programmes=programme_choices(),
        years=year_choices(),
        focus_areas=[
            (area.slug, translated_text(area, "title")) for area in FocusArea.objects.published()
        ],
        funders=funder_choices,
        places=_place_choices(),
    )


def filter_choices() -> FilterChoices:
    """The filter's choices for the current content version and language (cached)."""
    return per_content_version("project-filter-choices", _build_choices)


class MunicipalityField(forms.CharField):
    """A place typed by name ("Name" or "Name (Land)", any case) or given by its slug
    (the addresses of the former select list). Cleans to a PlaceChoice."""

    def __init__(self, *args, places=(), **kwargs):
        self.places = list(places)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        text = " ".join(super().clean(value).split())
        if not text:
            return None
        wanted = text.casefold()
        for place in self.places:
            if place.slug == text or place.label.casefold() == wanted:
                return place
        # "Name (Land)" with the state in the page's language or in German.
        names = [{code: str(label) for code, label in Bundesland.choices}]
        with translation.override("de"):
            names.append({code: str(label) for code, label in Bundesland.choices})
        for place in self.places:
            if any(f"{place.name} ({n[place.state]})".casefold() == wanted for n in names):
                return place
        same_name = [p for p in self.places if p.name.casefold() == wanted]
        if same_name:  # a name two places share, typed without the state
            raise forms.ValidationError(
                _(
                    "„%(name)s“ gibt es mehrmals. Bitte wählen Sie mit Bundesland, "
                    "z. B. „%(example)s“."
                ),
                params={"name": text, "example": same_name[0].label},
            )
        raise forms.ValidationError(
            _("Zu „%(name)s“ gibt es keine Kommune mit veröffentlichten Projekten."),
            params={"name": text[:QUERY_MAX_LENGTH]},
        )


class MunicipalityFilter(django_filters.Filter):
    field_class = MunicipalityField


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
    municipality = MunicipalityFilter(
        label=_("Kommune"),
        method="filter_municipality",
        max_length=QUERY_MAX_LENGTH,
        help_text=_("Name der Stadt, Gemeinde oder des Landkreises."),
    )
    focus_area = django_filters.ChoiceFilter(
        label=_("Arbeitsfeld"),
        choices=[],  # filled per request in __init__
        method="filter_focus_area",
        empty_label=_("alle"),
    )
    funder = django_filters.ChoiceFilter(
        label=_("Fördermittelgeber"),
        choices=[],  # filled per request in __init__
        method="filter_funder",
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

    def __init__(self, *args, choices: FilterChoices | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Worked out once per content version (a callable would run for every use).
        self.choices = choices or filter_choices()
        self.filters["programme"].extra["choices"] = self.choices.programmes
        self.filters["year"].extra["choices"] = self.choices.years
        self.filters["focus_area"].extra["choices"] = self.choices.focus_areas
        self.filters["funder"].extra["choices"] = self.choices.funders
        self.filters["municipality"].extra["places"] = self.choices.places

    def suggestions(self) -> list[str]:
        """The names the municipality field suggests: all, or the chosen state's if many."""
        places = self.choices.places
        if len(places) <= SUGGESTIONS_MAX:
            return [p.label for p in places]
        state = self.form.cleaned_data.get("state") if self.is_bound else None
        if not state:
            return []
        return [p.label for p in places if p.state == state]

    def filter_text(self, queryset, name, value):
        return queryset.search(value.strip()) if value.strip() else queryset

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value)

    def filter_focus_area(self, queryset, name, value):
        return queryset.in_focus_area(value)

    def filter_funder(self, queryset, name, value):
        return queryset.funded_by(value)

    def filter_state(self, queryset, name, value):
        return queryset.in_state(value)

    def filter_municipality(self, queryset, name, value):
        return queryset.in_municipality(value.pk) if value else queryset

    def filter_programme(self, queryset, name, value):
        return queryset.funded_by_programme(value)

    def filter_year(self, queryset, name, value):
        return queryset.active_in_year(int(value))

    @property
    def is_filtered(self):
        return any(self.form.cleaned_data.get(name) for name in self.filters)
