"""German and English side by side on every change page of public content.

Each field with an English twin (`title` / `title_en`) is shown in one row with
it, German left and English right, instead of the English fields waiting in a
collapsed section at the end. A list filter finds items whose English is missing.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin import SimpleListFilter
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

ENGLISH_SUFFIX = "_en"


def english_pairs(model) -> list[tuple[str, str]]:
    """(German field, English field) for every text field of `model` with a twin."""
    names = {field.name for field in model._meta.get_fields() if hasattr(field, "attname")}
    return [
        (name, f"{name}{ENGLISH_SUFFIX}")
        for name in sorted(names)
        if not name.endswith(ENGLISH_SUFFIX) and f"{name}{ENGLISH_SUFFIX}" in names
    ]


def english_missing_q(model) -> Q:
    """Items where a German text exists and its English twin is empty."""
    missing = Q()
    for german, english in english_pairs(model):
        missing |= Q(**{english: ""}) & ~Q(**{german: ""})
    return missing


class EnglishMissingFilter(SimpleListFilter):
    title = _("Englische Fassung")
    parameter_name = "englisch"

    def lookups(self, request, model_admin):
        return [("fehlt", _("fehlt (ganz oder teilweise)")), ("vollstaendig", _("vollständig"))]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        missing = english_missing_q(queryset.model)
        if not missing:
            return queryset
        match self.value():
            case "fehlt":
                return queryset.filter(missing)
            case "vollstaendig":
                return queryset.exclude(missing)
        return queryset


def _pair_rows(fields, english: set[str]) -> list:
    rows = []
    for entry in fields:
        if isinstance(entry, list | tuple):
            kept = tuple(name for name in entry if name not in english)
            if kept:
                rows.append(kept if len(kept) > 1 else kept[0])
        elif entry in english:
            continue  # shown beside its German twin
        elif f"{entry}{ENGLISH_SUFFIX}" in english:
            rows.append((entry, f"{entry}{ENGLISH_SUFFIX}"))
        else:
            rows.append(entry)
    return rows


class BilingualAdminMixin:
    """Pairs German and English fields in one row and adds the missing-English filter."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        shown = {
            name
            for _title, options in fieldsets
            for entry in options["fields"]
            for name in (entry if isinstance(entry, list | tuple) else [entry])
        }
        english = {
            english for german, english in english_pairs(self.model) if {german, english} <= shown
        }
        if not english:
            return fieldsets
        result = []
        for title, options in fieldsets:
            rows = _pair_rows(options["fields"], english)
            if not rows:
                continue  # e.g. the former "Englische Fassung" section
            classes = [c for c in options.get("classes", ()) if c != "collapse"]
            if any(isinstance(row, tuple) for row in rows):
                classes.append("bilingual")
            result.append((title, {**options, "fields": rows, "classes": classes}))
        return result

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if english_pairs(self.model) and EnglishMissingFilter not in filters:
            filters.append(EnglishMissingFilter)
        return filters

    @property
    def media(self):
        return super().media + forms.Media(css={"all": ["css/admin-bilingual.css"]})
