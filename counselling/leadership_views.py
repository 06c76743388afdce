"""Leadership pages inside the admin: dashboard, case export, funder report.

Only holders of the rule `counselling.view_statistics` get in (Leitung and
superusers; see counselling/permissions.py), the case export needs
`counselling.export_cases`. The URLs wrap every view in `admin.site.admin_view`,
so anonymous visitors are sent to the admin login first and everybody else gets 403.

CSV files are written for German spreadsheet programs: UTF-8 with a byte order
mark (so Excel detects the encoding), `;` as separator (Excel with German
regional settings splits on `;`, and `,` is the German decimal separator),
ISO dates (sortable, understood everywhere). Cells starting with `=`, `+`, `-`,
`@`, tab or carriage return get a leading `'`, so a spreadsheet never runs
text typed into the portal as a formula (CSV injection).
"""

import csv
import functools
from collections.abc import Callable

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from kkk_portal import health

from . import reports, services
from .leadership_forms import FunderReportForm
from .models import CaseAccessLog

CSV_DELIMITER = ";"
CSV_BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def may_view_leadership(user) -> bool:
    """May open the dashboard and the funder report: the rule view_statistics."""
    return user.has_perm("counselling.view_statistics")


def may_see_requester_data(user) -> bool:
    """May see the requesters' personal data in the export: the rule see_requester_data.

    Checked on its own, so that giving another group access to the leadership
    pages some day does not hand it the personal columns as well.
    """
    return user.has_perm("counselling.see_requester_data")


def rule_required(rule: str) -> Callable:
    """403 in the admin's look, with a German explanation, for everybody without `rule`."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(rule):
                context = {**admin.site.each_context(request), "title": _("Kein Zugriff")}
                return TemplateResponse(
                    request, "counselling/leadership/forbidden.html", context, status=403
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


leadership_required = rule_required("counselling.view_statistics")


def csv_safe(value):
    """A cell value that no spreadsheet evaluates as a formula.

    Leading spaces do not protect: some spreadsheets skip them and still see " =1+1".
    """
    if isinstance(value, str) and (
        value.startswith(FORMULA_PREFIXES) or value.lstrip().startswith(FORMULA_PREFIXES)
    ):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value):
        return value


def csv_response(rows, *, filename):
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)

    def lines():
        yield CSV_BOM
        for row in rows:
            yield writer.writerow([csv_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class LeadershipMixin:
    """Admin look (site header, user tools) and the access check for every page here."""

    title = ""

    @method_decorator(leadership_required)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **admin.site.each_context(self.request),
            "title": self.title,
            **super().get_context_data(**kwargs),
        }


class DashboardView(LeadershipMixin, TemplateView):
    template_name = "counselling/leadership/dashboard.html"
    title = _("Leitung: Übersicht")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            figures=reports.dashboard(), worker=health.worker_status(), **kwargs
        )


@rule_required("counselling.export_cases")
def case_export(request):
    include_personal = may_see_requester_data(request.user)
    services.access_log_record(
        user=request.user,
        reference="–",
        via=CaseAccessLog.Via.EXPORT,
        detail=_t("CSV-Export aller Fälle (mit Kontaktdaten)")
        if include_personal
        else _t("CSV-Export aller Fälle (ohne Kontaktdaten)"),
    )
    rows = reports.export_rows(include_personal=include_personal)
    header = reports.export_header(include_personal=include_personal)
    stamp = timezone.localdate().isoformat()
    return csv_response(_prepend(header, rows), filename=f"faelle-{stamp}.csv")


def _prepend(first, rest):
    yield first
    yield from rest


class FunderReportView(LeadershipMixin, TemplateView):
    """The form, and below it the figures once the form is valid."""

    template_name = "counselling/leadership/funder_report.html"
    title = _("Förderbericht")

    def get_form(self):
        if {"programme", "date_from", "date_to"} & set(self.request.GET):
            return FunderReportForm(self.request.GET)
        return FunderReportForm(initial=FunderReportForm.default_initial())

    def get_context_data(self, **kwargs):
        form = self.get_form()
        context = {"form": form, "report": None}
        if form.is_bound and form.is_valid():
            context.update(
                report=reports.funder_report(
                    funding=form.cleaned_data["programme"],
                    date_from=form.cleaned_data["date_from"],
                    date_to=form.cleaned_data["date_to"],
                ),
                programme_label=dict(form.fields["programme"].choices)[
                    str(form.cleaned_data["programme"].pk)
                ],
                query=self.request.GET.urlencode(),
                small_limit=reports.SMALL_CELL_LIMIT,
            )
        return super().get_context_data(**context, **kwargs)


class FunderReportCsvView(LeadershipMixin, TemplateView):
    """The same figures as CSV; an invalid query shows the form with its messages."""

    template_name = FunderReportView.template_name
    title = FunderReportView.title

    def get(self, request, *args, **kwargs):
        form = FunderReportForm(request.GET)
        if not form.is_valid():
            return super().get(request, *args, **kwargs)
        data = form.cleaned_data
        report = reports.funder_report(
            funding=data["programme"], date_from=data["date_from"], date_to=data["date_to"]
        )
        programme = dict(form.fields["programme"].choices)[str(data["programme"].pk)]
        rows = funder_report_rows(
            report, programme=programme, date_from=data["date_from"], date_to=data["date_to"]
        )
        filename = f"foerderbericht-{data['date_from']:%Y-%m-%d}-{data['date_to']:%Y-%m-%d}.csv"
        return csv_response(rows, filename=filename)

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=FunderReportForm(self.request.GET), **kwargs)


def funder_report_rows(report, *, programme, date_from, date_to):
    """The funder report as CSV rows (built in reports.py, with its suppression)."""
    return reports.funder_report_rows(
        report, programme=programme, date_from=date_from, date_to=date_to
    )
