"""Figures for the leadership: dashboard tables, the case export and the funder report.

Every function here runs a fixed number of aggregate queries
(`values().annotate(Count(...))`), however many cases there are. Labels come
from the model choices, so the tables list every status and Bundesland, with
zero where nothing was counted.
"""

import dataclasses
import datetime
import functools
import math
from collections.abc import Hashable, Iterable

from django.db.models import Count, IntegerField, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, TruncDate
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kkk_portal.enums import BodyKind, Bundesland
from projects.models import Funding

from .models import Activity, Case, ConflictType, CounsellingRequest, Topic

# Label of rows for cases without a value (no Bundesland, no theme, …).
UNKNOWN = _("ohne Angabe")
NO_TOPIC = _("ohne Thema")

# Funder report: case counts below this are shown as "< 3" (and the row's other
# figures hidden) so that a single municipality cannot be recognised.
SMALL_CELL_LIMIT = 3


@dataclasses.dataclass
class Row:
    label: str
    count: int
    percent: int = 0  # share of the table's largest value, for the bar


@dataclasses.dataclass
class Table:
    rows: list
    total: int | None = None

    def __post_init__(self):
        largest = max((row.count for row in self.rows), default=0)
        for row in self.rows:
            row.percent = round(100 * row.count / largest) if largest else 0


def _counts(queryset, field):
    """{value: count} of `queryset` grouped by `field`, in one query."""
    return {
        item[field]: item["n"]
        for item in queryset.order_by().values(field).annotate(n=Count("pk", distinct=True))
    }


def _choice_table(counts, choices, *, with_unknown=True):
    rows = [Row(str(label), counts.get(value, 0)) for value, label in choices]
    unknown = counts.get("", 0) + counts.get(None, 0)
    if with_unknown and unknown:
        rows.append(Row(str(UNKNOWN), unknown))
    return Table(rows, total=sum(counts.values()))


def cases_by_status():
    return _choice_table(_counts(Case.objects.all(), "status"), Case.Status.choices)


def cases_by_state():
    return _choice_table(_counts(Case.objects.all(), "state"), Bundesland.choices)


def cases_by_year():
    counts = _counts(Case.objects.all(), "year")
    rows = [Row(str(year), counts[year]) for year in sorted(counts)]
    return Table(rows, total=sum(counts.values()))


def cases_by_topic():
    """Every theme with its number of cases; a case with several themes counts in each."""
    topics = Topic.objects.annotate(n=Count("case", distinct=True)).order_by("order", "name")
    rows = [Row(topic.name, topic.n) for topic in topics]
    without = Case.objects.filter(topics__isnull=True).count()
    if without:
        rows.append(Row(str(NO_TOPIC), without))
    return Table(rows)


def _month_start(day, months_back):
    index = day.year * 12 + day.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


def requests_per_month(*, months=24, today=None):
    """Requests received per calendar month (local time), spam left out, oldest first."""
    today = today or timezone.localdate()
    first = _month_start(today, months - 1)
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    counts = {
        (item["y"], item["m"]): item["n"]
        for item in CounsellingRequest.objects.filter(created_at__gte=since)
        .exclude(status=CounsellingRequest.Status.SPAM)
        .annotate(y=ExtractYear("created_at"), m=ExtractMonth("created_at"))
        .order_by()
        .values("y", "m")
        .annotate(n=Count("pk"))
    }
    rows = []
    for back in range(months - 1, -1, -1):
        month = _month_start(today, back)
        label = date_format(month, "F Y")
        rows.append(Row(label, counts.get((month.year, month.month), 0)))
    return Table(rows, total=sum(row.count for row in rows))


def dashboard():
    """All dashboard tables: nine queries in all."""
    return {
        "by_status": cases_by_status(),
        "by_state": cases_by_state(),
        "by_year": cases_by_year(),
        "by_topic": cases_by_topic(),
        "per_month": requests_per_month(),
        "hours": hours_by_programme(),
        "small_limit": SMALL_CELL_LIMIT,
    }


# --- Case export ----------------------------------------------------------------

EXPORT_COLUMNS = [
    ("reference", _("Aktenzeichen")),
    ("title", _("Titel")),
    ("status", _("Status")),
    ("state", _("Bundesland")),
    ("municipality", _("Kommune")),
    ("body_kind", _("Art der Körperschaft")),
    ("topics", _("Themen")),
    ("conflict_type", _("Konfliktlage")),
    ("counsellors", _("Berater*innen")),
    ("lead", _("Federführung")),
    ("project", _("Finanzierendes Projekt")),
    ("start_date", _("Beginn")),
    ("end_date", _("Ende")),
    ("activities", _("Anzahl Aktivitäten")),
    ("participants", _("Erreichte Teilnehmende")),
]
# Personal data of the requester: only for people allowed to see it.
PERSONAL_COLUMNS = [
    ("institution", _("Institution (Anfrage)")),
    ("contact_name", _("Ansprechperson (Anfrage)")),
    ("email", _("E-Mail (Anfrage)")),
    ("phone", _("Telefon (Anfrage)")),
]


def export_header(*, include_personal):
    columns = EXPORT_COLUMNS + (PERSONAL_COLUMNS if include_personal else [])
    return [str(label) for _key, label in columns]


def export_queryset():
    """Cases with everything one CSV row needs but their topics and counsellors.

    Activities are counted by subqueries; topics and counsellors are fetched per
    chunk as plain values in `export_rows` (no model instances: the export of
    100,000 cases is measured in bench/RESULTS.md).
    """
    activities = Activity.objects.filter(case=OuterRef("pk")).order_by().values("case")
    return (
        Case.objects.select_related("municipality", "lead_counsellor", "project", "request")
        .annotate(
            activity_count=Coalesce(
                Subquery(activities.annotate(n=Count("pk")).values("n")),
                Value(0),
                output_field=IntegerField(),
            ),
            participant_sum=Coalesce(
                Subquery(activities.annotate(n=Sum("participants")).values("n")),
                Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("year", "number")
    )


def _person(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _date(value):
    return value.isoformat() if value else ""


def _labels(choices):
    """Choice labels in the current language, translated once, not once per row."""
    return {value: str(label) for value, label in choices}


def _chunked(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _topics_by_case(case_ids):
    names = {}
    rows = (
        Case.topics.through.objects.filter(case_id__in=case_ids)
        .order_by("topic__order", "topic__name")
        .values_list("case_id", "topic__name")
    )
    for case_id, name in rows:
        names.setdefault(case_id, []).append(name)
    return names


def _counsellors_by_case(case_ids):
    names = {}
    rows = Case.counsellors.through.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "user__first_name", "user__last_name", "user__username"
    )
    for case_id, first, last, username in rows:
        names.setdefault(case_id, []).append(f"{first} {last}".strip() or username)
    return names


def export_rows(*, include_personal, chunk_size=2000):
    """One list of cell values per case; streams through the cases in chunks."""
    status = _labels(Case.Status.choices)
    states = _labels(Bundesland.choices)
    bodies = _labels(BodyKind.choices)
    conflicts = _labels(ConflictType.choices)
    cases = export_queryset().iterator(chunk_size=chunk_size)
    for chunk in _chunked(cases, chunk_size):
        ids = [case.pk for case in chunk]
        topics = _topics_by_case(ids)
        counsellors = _counsellors_by_case(ids)
        for case in chunk:
            row = [
                case.reference,
                case.title,
                status.get(case.status, case.status),
                states.get(case.state, case.state),
                case.municipality.name if case.municipality else "",
                bodies.get(case.body_kind, case.body_kind),
                ", ".join(topics.get(case.pk, [])),
                conflicts.get(case.conflict_type, case.conflict_type),
                ", ".join(sorted(counsellors.get(case.pk, []))),
                _person(case.lead_counsellor),
                case.project.title if case.project else "",
                _date(case.start_date),
                _date(case.end_date),
                case.activity_count,
                case.participant_sum,
            ]
            if include_personal:
                request = case.request
                row += (
                    [request.institution, request.contact_name, request.email, request.phone]
                    if request
                    else ["", "", "", ""]
                )
            yield row


# --- Small-number protection ----------------------------------------------------
#
# Primary suppression hides every figure resting on fewer than SMALL_CELL_LIMIT
# cases. Secondary suppression then hides more, until no hidden figure can be
# worked out from what is shown: the sums of rows, columns and totals, and what a
# reader knows about hidden cells ("< 3" is 1 or 2; a row hidden as "x" beside
# them has at least 3 cases, otherwise it would read "< 3").
#
# `feasible_ranges` is that reader: it narrows every figure's range of possible
# values by interval propagation over the sum constraints. A hidden figure whose
# range has shrunk to one value is revealed, and the tables suppress more.

INF = math.inf
PROPAGATION_ROUNDS = 1000


@dataclasses.dataclass(frozen=True)
class Constraint:
    """sum(coefficient * figure) lies between `low` and `high`."""

    terms: tuple[tuple[Hashable, int], ...]
    low: float
    high: float


def sum_equals(parts: Iterable[Hashable], total: Hashable) -> Constraint:
    return Constraint((*((part, 1) for part in parts), (total, -1)), 0, 0)


def sum_at_least(parts: Iterable[Hashable], total: Hashable) -> Constraint:
    """The parts count some units more than once: together at least the total."""
    return Constraint((*((part, 1) for part in parts), (total, -1)), 0, INF)


def at_most(part: Hashable, total: Hashable) -> Constraint:
    return Constraint(((part, 1), (total, -1)), -INF, 0)


def _term_range(bounds: tuple[float, float], coefficient: int) -> tuple[float, float]:
    low, high = bounds
    return (low, high) if coefficient > 0 else (-high, -low)


def feasible_ranges(
    bounds: dict[Hashable, tuple[float, float]],
    constraints: list[Constraint],
    *,
    rounds: int = PROPAGATION_ROUNDS,
) -> dict[Hashable, tuple[float, float]] | None:
    """The whole-number values each figure can still take, given all constraints.

    None if the ranges still narrow after `rounds` passes: the caller must then
    assume the worst.
    """
    ranges = dict(bounds)
    for _round in range(rounds):
        changed = False
        for constraint in constraints:
            terms = constraint.terms
            spans = [_term_range(ranges[key], coefficient) for key, coefficient in terms]
            for index, (key, coefficient) in enumerate(terms):
                rest_low = sum(span[0] for i, span in enumerate(spans) if i != index)
                rest_high = sum(span[1] for i, span in enumerate(spans) if i != index)
                low = -INF if constraint.low == -INF else constraint.low - rest_high
                high = INF if constraint.high == INF else constraint.high - rest_low
                if coefficient < 0:
                    low, high = -high, -low
                low = math.ceil(low) if math.isfinite(low) else low
                high = math.floor(high) if math.isfinite(high) else high
                old = ranges[key]
                new = (max(old[0], low), min(old[1], high))
                if new[0] > new[1]:
                    # No value fits: the figures contradict the reader's assumptions
                    # (e.g. a listed row without cases). Stop; the caller suppresses more.
                    ranges[key] = new
                    return ranges
                if new != old:
                    ranges[key] = new
                    spans[index] = _term_range(new, coefficient)
                    changed = True
        if not changed:
            return ranges
    return None


def revealed(
    bounds: dict[Hashable, tuple[float, float]],
    constraints: list[Constraint],
    hidden: Iterable[Hashable],
) -> list[Hashable]:
    """Hidden figures whose value can be worked out (an empty range counts too)."""
    ranges = feasible_ranges(bounds, constraints)
    if ranges is None or any(low > high for low, high in ranges.values()):
        return list(hidden)
    return [key for key in hidden if ranges[key][0] >= ranges[key][1]]


# --- Funder report ---------------------------------------------------------------


def _programme_label(name: str, short_name: str, programme: str) -> str:
    funder = f"{name} ({short_name})" if short_name else name
    return f"{funder} – {programme}" if programme else funder


def programme_choices():
    """(key, label) of each funder + programme that pays for at least one case.

    The key is the smallest pk of the programme's funding lines; the report then
    covers every project with a funding line of the same funder and programme.
    """
    lines = (
        Funding.objects.filter(project__cases__isnull=False)
        .order_by()
        .values("funder__name", "funder__short_name", "programme")
        .annotate(first=Min("pk"))
    )
    choices = [
        (
            str(line["first"]),
            _programme_label(line["funder__name"], line["funder__short_name"], line["programme"]),
        )
        for line in lines
    ]
    return sorted(choices, key=lambda choice: choice[1].casefold())


def programme_projects(funding):
    """Ids of the projects funded under the same funder and programme as `funding`."""
    return Funding.objects.filter(funder_id=funding.funder_id, programme=funding.programme).values(
        "project_id"
    )


FUNDER_COLUMNS = ("cases", "activities", "participants", "minutes")


@dataclasses.dataclass
class FunderRow:
    label: str
    cases: int
    activities: int
    participants: int
    minutes: int = 0
    # Fewer than SMALL_CELL_LIMIT cases: shown as "< 3" with the other figures hidden.
    small: bool = False
    # Secondary suppression: all figures hidden so that no small row can be worked
    # out from the total and the other rows.
    hidden: bool = False
    # The row of cases without a value ("ohne Angabe", "ohne Thema").
    unknown: bool = False

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclasses.dataclass
class FunderTable:
    rows: list
    total: FunderRow
    # A breakdown that no suppression can protect (for instance all its rows are
    # small): the table shows its total only.
    withheld: bool = False
    # Cases with several values count in each (themes): rows add up to more than the total.
    multi_count: bool = False

    @property
    def has_small(self) -> bool:
        return self.withheld or any(row.small or row.hidden for row in self.rows)


def _funder_cell_bounds(row: FunderRow, column: str) -> tuple[float, float]:
    """What a reader of the table knows about one figure."""
    value = getattr(row, column)
    if row.hidden:
        return (SMALL_CELL_LIMIT, INF) if column == "cases" else (0, INF)
    if row.small:
        # A reader takes a listed row to have at least one case. If it has none (only
        # activities), the model has no solution and the table suppresses more.
        return (1, SMALL_CELL_LIMIT - 1) if column == "cases" else (0, INF)
    return (value, value)


def funder_table_model(table: FunderTable):
    """(bounds, constraints, hidden figures) of a funder table as its reader sees it."""
    bounds, constraints, hidden = {}, [], []
    for column in FUNDER_COLUMNS:
        total = ("total", column)
        bounds[total] = (getattr(table.total, column),) * 2
        parts, unknown = [], []
        for index, row in enumerate(table.rows):
            key = (index, column)
            bounds[key] = _funder_cell_bounds(row, column)
            if row.small or row.hidden:
                hidden.append(key)
            (unknown if row.unknown else parts).append(key)
        if table.multi_count:
            # Cases with at least one theme: no fewer than the largest theme row,
            # no more than all theme rows together; with those without a theme,
            # they make up the total.
            with_value = ("with_value", column)
            bounds[with_value] = (0, INF) if parts else (0, 0)
            constraints += [at_most(part, with_value) for part in parts]
            if parts:
                constraints.append(sum_at_least(parts, with_value))
            constraints.append(sum_equals([with_value, *unknown], total))
        else:
            constraints.append(sum_equals(parts + unknown, total))
    return bounds, constraints, hidden


def protect_funder_table(table: FunderTable) -> FunderTable:
    """Secondary suppression: hide the smallest shown row until nothing hidden is revealed."""
    if 0 <= table.total.cases < SMALL_CELL_LIMIT:
        table.withheld = True
        return table
    while revealed(*funder_table_model(table)):
        shown = [row for row in table.rows if not (row.small or row.hidden)]
        if not shown:
            table.withheld = True
            break
        smallest = min(
            shown, key=lambda row: (row.cases, row.activities, row.minutes, row.participants)
        )
        smallest.hidden = True
    return table


def _funder_table(case_counts, activity_counts, labels, *, unknown_label, total, multi_count):
    known = [value for value, _label in labels]
    unknown = [k for k in {*case_counts, *activity_counts} if k not in known]
    empty = (0, 0, 0)
    rows = []
    for key, label in labels:
        rows.append((label, case_counts.get(key, 0), *activity_counts.get(key, empty), False))
    if unknown:
        rows.append(
            (
                unknown_label,
                sum(case_counts.get(k, 0) for k in unknown),
                *(sum(activity_counts.get(k, empty)[i] for k in unknown) for i in range(3)),
                True,
            )
        )
    # A row with activities but no case in the period is as small as one with one case.
    table = [
        FunderRow(
            str(label),
            cases,
            activities,
            participants,
            minutes,
            small=cases < SMALL_CELL_LIMIT,
            unknown=is_unknown,
        )
        for label, cases, activities, participants, minutes, is_unknown in rows
        if cases or activities
    ]
    return protect_funder_table(FunderTable(table, total, multi_count=multi_count))


def funder_report(*, funding, date_from, date_to):
    """Anonymised figures of one programme in a period: nine aggregate queries.

    A case counts if it ran for at least one day in the period (from its start
    date, or the day it was created if no start is set, up to its end date or
    open-ended); an activity counts if its date lies in the period, its hours are
    its duration. A case with several themes counts once for each theme; the
    total counts it once. A total of fewer than SMALL_CELL_LIMIT cases is shown
    as "< 3" and no table is broken down.
    """
    projects = programme_projects(funding)
    cases = (
        Case.objects.filter(project__in=projects)
        .alias(begin=Coalesce("start_date", TruncDate("created_at")))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=date_from), begin__lte=date_to)
    )
    activities = Activity.objects.filter(
        case__project__in=projects, date__gte=date_from, date__lte=date_to
    )

    def activity_counts(field):
        return {
            item[field]: (item["n"], item["p"] or 0, item["m"] or 0)
            for item in activities.order_by()
            .values(field)
            .annotate(
                n=Count("pk", distinct=True), p=Sum("participants"), m=Sum("duration_minutes")
            )
        }

    totals = activities.order_by().aggregate(
        n=Count("pk"), p=Sum("participants"), m=Sum("duration_minutes")
    )
    case_total = cases.count()
    total = FunderRow(
        str(_("Gesamt")),
        case_total,
        totals["n"],
        totals["p"] or 0,
        totals["m"] or 0,
        small=0 < case_total < SMALL_CELL_LIMIT,
    )
    topics = list(Topic.objects.order_by("order", "name").values_list("pk", "name"))
    return {
        "by_state": _funder_table(
            _counts(cases, "state"),
            activity_counts("case__state"),
            Bundesland.choices,
            unknown_label=UNKNOWN,
            total=total,
            multi_count=False,
        ),
        "by_body_kind": _funder_table(
            _counts(cases, "body_kind"),
            activity_counts("case__body_kind"),
            BodyKind.choices,
            unknown_label=UNKNOWN,
            total=total,
            multi_count=False,
        ),
        "by_topic": _funder_table(
            _counts(cases, "topics"),
            activity_counts("case__topics"),
            topics,
            unknown_label=NO_TOPIC,
            total=total,
            multi_count=True,
        ),
        "total": total,
        "notes": funder_notes(),
    }


def format_hours(minutes: int) -> str:
    """Hours with one decimal in the active language's format ("12,5" in German),
    rounded like the templates' `floatformat:1`."""
    return floatformat(minutes / 60, 1)


def funder_notes() -> list[str]:
    """How the figures were counted and protected: below the HTML tables and in the CSV."""
    limit = SMALL_CELL_LIMIT
    return [
        gettext(
            "Ein Fall zählt, wenn er im Zeitraum mindestens einen Tag lief; eine Aktivität, "
            "wenn ihr Datum im Zeitraum liegt; Stunden sind die erfasste Dauer der Aktivitäten. "
            "Fälle mit mehreren Themen zählen bei jedem Thema."
        ),
        gettext(
            "Zum Schutz der beratenen Kommunen sind Fallzahlen unter %(limit)s als "
            "„< %(limit)s“ ausgewiesen und die zugehörigen Aktivitäten, Teilnehmenden und "
            "Stunden mit „x“ unterdrückt."
        )
        % {"limit": limit},
        gettext(
            "Damit sich keine unterdrückte Zahl aus den übrigen Zeilen und der Gesamtzahl "
            "errechnen lässt, sind weitere Zeilen ganz mit „x“ unterdrückt; genügt auch das "
            "nicht, wird die Tabelle nicht aufgeschlüsselt. Bei insgesamt weniger als "
            "%(limit)s Fällen wird keine Tabelle aufgeschlüsselt."
        )
        % {"limit": limit},
    ]


def funder_report_rows(report, *, programme: str, date_from, date_to) -> list[list]:
    """The funder report as CSV rows: a short heading, then one row per figure.

    A list, not a generator: the labels are translated while the request's
    language is active.
    """
    small = f"< {SMALL_CELL_LIMIT}"
    rows = [
        [gettext("Förderprogramm"), programme],
        [gettext("Zeitraum"), f"{date_from:%d.%m.%Y}–{date_to:%d.%m.%Y}"],
        [],
        [
            gettext("Merkmal"),
            gettext("Ausprägung"),
            gettext("Fälle"),
            gettext("Aktivitäten"),
            gettext("Teilnehmende"),
            gettext("Stunden"),
        ],
    ]
    sections = [
        (gettext("Bundesland"), report["by_state"]),
        (gettext("Art der Körperschaft"), report["by_body_kind"]),
        (gettext("Thema"), report["by_topic"]),
    ]
    for name, table in sections:
        if table.withheld:
            rows.append([name, gettext("nicht aufgeschlüsselt"), "x", "x", "x", "x"])
            continue
        for row in table.rows:
            if row.hidden:
                rows.append([name, row.label, "x", "x", "x", "x"])
            elif row.small:
                rows.append([name, row.label, small, "x", "x", "x"])
            else:
                rows.append(
                    [
                        name,
                        row.label,
                        row.cases,
                        row.activities,
                        row.participants,
                        format_hours(row.minutes),
                    ]
                )
    total = report["total"]
    rows += [
        [
            gettext("Gesamt"),
            "",
            small if total.small else total.cases,
            total.activities,
            total.participants,
            format_hours(total.minutes),
        ],
        [],
        *([note] for note in funder_notes()),
    ]
    return rows


# --- Hours per programme and year (dashboard) -------------------------------------

HOURS_YEARS = 4
NO_PROGRAMME = _("ohne Förderprogramm")


@dataclasses.dataclass
class HoursCell:
    minutes: int
    cases: int
    hidden: bool = False

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclasses.dataclass
class HoursRow:
    label: str
    cells: list  # one HoursCell per year, then the row's sum


@dataclasses.dataclass
class HoursTable:
    years: list
    rows: list
    total: HoursRow
    # A project in several programmes counts in each: rows add up to more than the total.
    multi_count: bool = False

    @property
    def has_hidden(self) -> bool:
        return any(cell.hidden for row in [*self.rows, self.total] for cell in row.cells)


def hours_table_model(table: HoursTable):
    """(bounds, constraints, hidden figures) of the hours table as its reader sees it."""
    lines = [*table.rows, table.total]
    bounds, hidden = {}, []
    for r, row in enumerate(lines):
        for c, cell in enumerate(row.cells):
            bounds[(r, c)] = (0, INF) if cell.hidden else (cell.minutes, cell.minutes)
            if cell.hidden:
                hidden.append((r, c))
    years = len(table.years)
    total_row = len(lines) - 1
    constraints = [
        sum_equals([(r, c) for c in range(years)], (r, years)) for r in range(len(lines))
    ]
    for c in range(years + 1):
        parts = [(r, c) for r in range(total_row)]
        if table.multi_count:
            constraints.append(sum_at_least(parts, (total_row, c)))
            constraints += [at_most(part, (total_row, c)) for part in parts]
        else:
            constraints.append(sum_equals(parts, (total_row, c)))
    return bounds, constraints, hidden


def _shown_keys(constraints: list[Constraint], lines: list) -> set:
    return {
        key
        for constraint in constraints
        for key, _coefficient in constraint.terms
        if not lines[key[0]].cells[key[1]].hidden
    }


def _hours_cost(key, *, lines: list, constraints: list[Constraint]) -> tuple:
    """Which shown figure to hide next: the lowest cost wins.

    Non-zero before zero (a zero is often obvious), then figures whose rows and
    columns already hold hidden figures (the hidden figures then form a cycle no
    sum resolves), cells before sums, then the smallest.
    """
    cell = lines[key[0]].cells[key[1]]
    is_sum = key[1] == len(lines[key[0]].cells) - 1 or key[0] == len(lines) - 1
    linked = sum(
        1
        for constraint in constraints
        if any(k == key for k, _co in constraint.terms)
        and any(lines[k[0]].cells[k[1]].hidden for k, _co in constraint.terms)
    )
    return (cell.minutes == 0, -linked, is_sum, cell.minutes, key)


def protect_hours_table(table: HoursTable) -> HoursTable:
    """Primary suppression of figures from fewer than SMALL_CELL_LIMIT cases, then
    secondary suppression: while hidden figures can be worked out, hide a shown
    figure of a row or column they are in, until none can."""
    lines = [*table.rows, table.total]
    for row in lines:
        for cell in row.cells:
            cell.hidden = 0 < cell.cases < SMALL_CELL_LIMIT
    while True:
        bounds, constraints, hidden = hours_table_model(table)
        found = set(revealed(bounds, constraints, hidden))
        if not found:
            break
        related = [c for c in constraints if any(key in found for key, _co in c.terms)]
        candidates = _shown_keys(related, lines) or _shown_keys(constraints, lines)
        if not candidates:
            break
        chosen = min(
            candidates, key=functools.partial(_hours_cost, lines=lines, constraints=constraints)
        )
        lines[chosen[0]].cells[chosen[1]].hidden = True
    return table


def hours_by_programme(*, years: int = HOURS_YEARS, today=None) -> HoursTable:
    """Hours of activities (their durations) per funding programme and calendar year.

    Three queries: minutes and cases per project and year, per project over all
    those years, and the projects' funding lines. A case belongs to the programmes
    of its project's funding lines (a project in two programmes counts in both).
    """
    today = today or timezone.localdate()
    columns = list(range(today.year - years + 1, today.year + 1))
    activities = Activity.objects.filter(date__year__gte=columns[0], date__year__lte=columns[-1])
    per_year = (
        activities.order_by()
        .values("case__project_id", year=ExtractYear("date"))
        .annotate(m=Sum("duration_minutes"), n=Count("case_id", distinct=True))
    )
    cells = {}
    for item in per_year:
        cells[(item["case__project_id"], item["year"])] = (item["m"] or 0, item["n"])
    overall = {
        item["case__project_id"]: (item["m"] or 0, item["n"])
        for item in activities.order_by()
        .values("case__project_id")
        .annotate(m=Sum("duration_minutes"), n=Count("case_id", distinct=True))
    }
    programmes: dict[tuple, str] = {}
    projects_of: dict[tuple, set] = {}
    programmes_of: dict[int | None, set] = {}
    lines = Funding.objects.filter(project_id__in=[p for p in overall if p]).values_list(
        "project_id", "funder_id", "funder__name", "funder__short_name", "programme"
    )
    for project_id, funder_id, name, short_name, programme in lines:
        key = (funder_id, programme)
        programmes[key] = _programme_label(name, short_name, programme)
        projects_of.setdefault(key, set()).add(project_id)
        programmes_of.setdefault(project_id, set()).add(key)
    unfunded = {project for project in overall if project not in programmes_of}

    def row(label, projects):
        figures = [
            HoursCell(
                sum(cells.get((p, year), (0, 0))[0] for p in projects),
                sum(cells.get((p, year), (0, 0))[1] for p in projects),
            )
            for year in columns
        ]
        figures.append(
            HoursCell(
                sum(overall[p][0] for p in projects if p in overall),
                sum(overall[p][1] for p in projects if p in overall),
            )
        )
        return HoursRow(label, figures)

    rows = [
        row(programmes[key], projects_of[key])
        for key in sorted(programmes, key=lambda key: programmes[key].casefold())
    ]
    if unfunded:
        rows.append(row(str(NO_PROGRAMME), unfunded))
    table = HoursTable(
        columns,
        rows,
        row(str(_("Gesamt")), set(overall)),
        multi_count=any(len(keys) > 1 for keys in programmes_of.values()),
    )
    return protect_hours_table(table)
