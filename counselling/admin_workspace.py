"""Admin building blocks of the counsellors' workspace (used by counselling/admin.py).

- list filters that offer only values occurring in what the person may see, and
  the "mine / due / unassigned" filter the start page links to;
- saved default ordering per person and list (StaffProfile.list_orderings);
- people chosen by full name.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Case, StaffProfile
from .selectors import UNASSIGNED_AFTER_DAYS, full_name


def occurring_values(queryset: QuerySet, field_path: str, values: list[Any]) -> set[Any]:
    """Which of `values` occur in `queryset`: one query of an EXISTS per value, each an
    index probe, instead of a DISTINCT over every row (100,000 cases)."""
    if not values:
        return set()
    queryset = queryset.order_by()
    flags = {
        f"v{number}": Exists(queryset.filter(**{field_path: value}))
        for number, value in enumerate(values)
    }
    row = queryset.model._default_manager.order_by().annotate(**flags).values(*flags)[:1]
    found = next(iter(row), None) or {}
    return {value for number, value in enumerate(values) if found.get(f"v{number}")}


class OccurringChoicesFilter(admin.ChoicesFieldListFilter):
    """A choices filter listing only the values that occur in the visible rows (one query)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        occurring = occurring_values(
            model_admin.get_queryset(request),
            field_path,
            [value for value, _label in field.flatchoices],
        )
        field = copy.copy(field)
        field.choices = [(value, label) for value, label in field.flatchoices if value in occurring]
        super().__init__(field, request, params, model, model_admin, field_path)


class OccurringYearFilter(admin.AllValuesFieldListFilter):
    """The years that occur in the visible rows: their range (two index lookups), then
    which of them occur (one query), not a DISTINCT over every row."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        visible = model_admin.get_queryset(request).order_by()
        # Two index lookups: SQLite reads the index for a lone MIN() or MAX() only
        # (both in one query scanned 100,000 cases).
        years_seen = visible.values_list(field_path, flat=True)
        low = years_seen.order_by(field_path).first()
        if low is None:
            self.lookup_choices = []
            return
        high = years_seen.order_by(f"-{field_path}").first()
        years = list(range(low, high + 1))
        occurring = occurring_values(visible, field_path, years)
        self.lookup_choices = [year for year in years if year in occurring]


class OccurringRelatedFilter(admin.RelatedOnlyFieldListFilter):
    """Related objects that occur in the visible rows (Django's "related only")."""


class LimitedRelatedOnlyFilter(admin.RelatedOnlyFieldListFilter):
    """Related objects occurring in the visible rows, listed only while they are few.

    With thousands of them (projects funding 100,000 cases) a list of links helps
    nobody and costs a query over all of them: then only the chosen one is shown
    (a link from elsewhere keeps working), and the search finds the rest.
    """

    limit = 50

    def field_choices(self, field, request, model_admin):
        occurring = (
            model_admin.get_queryset(request)
            .order_by()
            .exclude(**{f"{self.field_path}__isnull": True})
            .values_list(f"{self.field_path}__pk", flat=True)
            .distinct()
        )
        ids = list(occurring[: self.limit + 1])
        if len(ids) > self.limit:
            chosen = self.lookup_val or []
            ids = [int(value) for value in chosen if str(value).isdigit()]
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False, limit_choices_to={"pk__in": ids}, ordering=ordering
        )


class LeadCounsellorFilter(admin.SimpleListFilter):
    """Lead counsellor by full name, only people leading a visible case."""

    title = _("Federführung")
    parameter_name = "federfuehrung"

    def lookups(self, request, model_admin):
        from django.contrib.auth import get_user_model

        visible = model_admin.get_queryset(request).order_by()
        # An index probe per person (staff are few), not the list of every visible
        # case's lead counsellor (100,000 rows on SQLite).
        people = (
            get_user_model()
            .objects.filter(Exists(visible.filter(lead_counsellor=OuterRef("pk"))))
            .order_by("last_name", "first_name", "pk")
        )
        return [(str(person.pk), full_name(person)) for person in people]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(lead_counsellor_id=int(value))


class WorkFilter(admin.SimpleListFilter):
    """The start page's views of a list: mine, due, unassigned."""

    title = _("Arbeitsstand")
    parameter_name = "arbeit"
    options: list[tuple[str, Any]] = []

    def lookups(self, request, model_admin):
        return self.options

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        method = getattr(self, value, None) if value in dict(self.options) else None
        if method is None:
            return queryset.none()
        return method(request, queryset, timezone.localdate())


def _open_case_statuses() -> list[str]:
    return [status for status, targets in Case.TRANSITIONS.items() if targets]


class CaseWorkFilter(WorkFilter):
    options = [
        ("mine", _("meine offenen Fälle")),
        ("due", _("Wiedervorlage fällig")),
        ("unassigned", _("ohne Federführung")),
        ("open", _("offen (nicht abgeschlossen)")),
    ]

    def mine(self, request, queryset, today):
        user = request.user
        mine = Case.objects.filter(Q(lead_counsellor=user) | Q(counsellors=user)).values("pk")
        return queryset.filter(pk__in=mine, status__in=_open_case_statuses())

    def due(self, request, queryset, today):
        return queryset.filter(follow_up_on__lte=today)

    def unassigned(self, request, queryset, today):
        return queryset.filter(lead_counsellor__isnull=True)

    def open(self, request, queryset, today):
        return queryset.filter(status__in=_open_case_statuses())


class RequestWorkFilter(WorkFilter):
    options = [
        ("mine", _("zu meinen Fällen")),
        ("due", _("offen, noch kein Fall")),
        (
            "unassigned",
            _("offen seit mehr als %(days)d Tagen") % {"days": UNASSIGNED_AFTER_DAYS},
        ),
    ]

    def mine(self, request, queryset, today):
        user = request.user
        mine = Case.objects.filter(Q(lead_counsellor=user) | Q(counsellors=user)).values("pk")
        return queryset.filter(case__in=mine)

    def due(self, request, queryset, today):
        return queryset.filter(status="neu", case__isnull=True)

    def unassigned(self, request, queryset, today):
        cutoff = today - datetime.timedelta(days=UNASSIGNED_AFTER_DAYS)
        return queryset.filter(status="neu", case__isnull=True, created_at__date__lt=cutoff)


class SavedOrderingMixin:
    """Remember how a person sorts a list; open it that way again when the URL does not say."""

    def list_ordering_key(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"

    def apply_saved_ordering(self, request: HttpRequest) -> None:
        key = self.list_ordering_key()
        if ORDER_VAR in request.GET:
            # A bad "o" is answered by Django's changelist itself; nothing to remember.
            with contextlib.suppress(ValidationError):
                services.staff_list_ordering_save(
                    user=request.user, list_key=key, ordering=request.GET[ORDER_VAR]
                )
            return
        saved = (
            StaffProfile.objects.filter(user=request.user)
            .values_list("list_orderings", flat=True)
            .first()
            or {}
        ).get(key)
        if saved:
            query = request.GET.copy()
            query[ORDER_VAR] = saved
            request.GET = query

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            self.apply_saved_ordering(request)
        return super().changelist_view(request, extra_context)


class LeanChangeList(ChangeList):
    """A list's rows read only what the list shows: the joins of `list_select_related`,
    not those the admin's queryset adds for the change page (a case's request, place and
    project, 90 columns a row)."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet:
        queryset = super().get_queryset(request, exclude_parameters)
        if isinstance(self.list_select_related, list | tuple):
            queryset = queryset.select_related(None).select_related(*self.list_select_related)
        return queryset


class LeanListMixin:
    """The case and request lists (up to 100 rows) without per-row template work."""

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return LeanChangeList

    def action_checkbox(self, obj: Any) -> SafeString:
        """Django's row checkbox, the same markup written out at once: Django renders it
        through three widget templates per row, a fifth of a 100-row list's time."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return full_name(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return full_name(obj)
