"""Figures for the leadership: dashboard tables, the case export and the funder report.

Every function here runs a fixed number of aggregate queries
(`values().annotate(Count(...))`), however many cases there are. Labels come
from the model choices, so the tables list every status and Bundesland, with
zero where nothing was counted.
"""

import dataclasses
import datetime

from django.db.models import Count, IntegerField, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, TruncDate
from django.utils import timezone
from django.utils.formats import date_format
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
    """All dashboard tables: six queries in all."""
    return {
        "by_status": cases_by_status(),
        "by_state": cases_by_state(),
        "by_year": cases_by_year(),
        "by_topic": cases_by_topic(),
        "per_month": requests_per_month(),
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


# --- Funder report ---------------------------------------------------------------


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
    choices = []
    for line in lines:
        funder = line["funder__name"]
        if line["funder__short_name"]:
            funder = f"{funder} ({line['funder__short_name']})"
        label = f"{funder} – {line['programme']}" if line["programme"] else funder
        choices.append((str(line["first"]), label))
    return sorted(choices, key=lambda choice: choice[1].casefold())


def programme_projects(funding):
    """Ids of the projects funded under the same funder and programme as `funding`."""
    return Funding.objects.filter(funder_id=funding.funder_id, programme=funding.programme).values(
        "project_id"
    )


@dataclasses.dataclass
class FunderRow:
    label: str
    cases: int
    activities: int
    participants: int
    # Fewer than SMALL_CELL_LIMIT cases: shown as "< 3" with the other figures hidden.
    small: bool = False
    # Secondary suppression: all figures hidden so a small row cannot be worked out
    # as the total minus the other rows.
    hidden: bool = False


@dataclasses.dataclass
class FunderTable:
    rows: list
    total: FunderRow

    @property
    def has_small(self):
        return any(row.small or row.hidden for row in self.rows)


def _funder_table(case_counts, activity_counts, labels, *, unknown_label, total):
    known = [value for value, _label in labels]
    unknown = [k for k in {*case_counts, *activity_counts} if k not in known]
    rows = []
    for key, label in labels:
        rows.append((label, case_counts.get(key, 0), *activity_counts.get(key, (0, 0))))
    if unknown:
        rows.append(
            (
                unknown_label,
                sum(case_counts.get(k, 0) for k in unknown),
                sum(activity_counts.get(k, (0, 0))[0] for k in unknown),
                sum(activity_counts.get(k, (0, 0))[1] for k in unknown),
            )
        )
    # A row with activities but no case in the period is as small as one with one case.
    table = [
        FunderRow(str(label), cases, activities, participants, cases < SMALL_CELL_LIMIT)
        for label, cases, activities, participants in rows
        if cases or activities
    ]
    small = [row for row in table if row.small]
    others = [row for row in table if not row.small]
    if len(small) == 1 and others:
        # One small row alone could be recovered from the total: hide the next smallest too.
        min(others, key=lambda row: (row.cases, row.activities)).hidden = True
    return FunderTable(table, total)


def funder_report(*, funding, date_from, date_to):
    """Anonymised figures of one programme in a period: nine aggregate queries.

    A case counts if it ran for at least one day in the period (from its start
    date, or the day it was created if no start is set, up to its end date or
    open-ended); an activity counts if its date lies in the period. A case with
    several themes counts once for each theme; the total counts it once.
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
            item[field]: (item["n"], item["p"] or 0)
            for item in activities.order_by()
            .values(field)
            .annotate(n=Count("pk", distinct=True), p=Sum("participants"))
        }

    totals = activities.order_by().aggregate(n=Count("pk"), p=Sum("participants"))
    total = FunderRow(str(_("Gesamt")), cases.count(), totals["n"], totals["p"] or 0)
    topics = list(Topic.objects.order_by("order", "name").values_list("pk", "name"))
    return {
        "by_state": _funder_table(
            _counts(cases, "state"),
            activity_counts("case__state"),
            Bundesland.choices,
            unknown_label=UNKNOWN,
            total=total,
        ),
        "by_body_kind": _funder_table(
            _counts(cases, "body_kind"),
            activity_counts("case__body_kind"),
            BodyKind.choices,
            unknown_label=UNKNOWN,
            total=total,
        ),
        "by_topic": _funder_table(
            _counts(cases, "topics"),
            activity_counts("case__topics"),
            topics,
            unknown_label=NO_TOPIC,
            total=total,
        ),
        "total": total,
    }
