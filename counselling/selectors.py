"""Read-only queries of the counsellors' workspace: the start page and the case timeline.

Each function runs a fixed number of queries, whatever the number of requests,
cases, activities or mails (tested in tests/counselling/test_workspace_*.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.db.models import Case as SqlCase
from django.db.models import CharField, Count, F, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    Activity,
    Case,
    CaseDocument,
    CaseStatusChange,
    CounsellingRequest,
    OutboxMessage,
)

# Leitung sees open requests without a case that are older than this many days.
UNASSIGNED_AFTER_DAYS = 7
# At most this many rows per box on the start page; the number links to the full list.
START_PAGE_ROWS = 10


def full_name(user: AbstractBaseUser | None) -> str:
    """First and last name, never the username (it is a login, not a name)."""
    if user is None:
        return "–"
    return user.get_full_name().strip() or _("(ohne Namen)")


def counsellors() -> QuerySet:
    """Active staff who may work on cases (Beratung, Leitung): asked by permission, not group."""
    permission = Permission.objects.filter(
        content_type__app_label="counselling", codename="change_case"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(groups__permissions__in=permission) | Q(user_permissions__in=permission))
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


# A case is funded by a project running now or ended at most this long ago.
FUNDING_PROJECT_ENDED_WITHIN = datetime.timedelta(days=365)


def funding_project_choices(*, case_id: int | None, today: datetime.date | None = None) -> QuerySet:
    """The projects the plain "funding project" list offers (people without the project
    search): those running or ended within a year, and the one the case already names.

    With 10,000 projects a list of all of them makes the case page slow to send and to use.
    """
    from projects.models import Project

    today = today or timezone.localdate()
    offered = Q(end_date__isnull=True) | Q(end_date__gte=today - FUNDING_PROJECT_ENDED_WITHIN)
    if case_id:
        offered |= Q(pk__in=Case.objects.filter(pk=case_id).values("project_id"))
    return Project.objects.filter(offered).order_by("title")


def may_work_on_counselling(user: AbstractBaseUser) -> bool:
    return user.has_perm("counselling.view_counsellingrequest") or user.has_perm(
        "counselling.view_case"
    )


@dataclass
class Workspace:
    """What the start page shows one person."""

    today: datetime.date
    new_requests: list[CounsellingRequest] = field(default_factory=list)
    new_request_count: int = 0
    my_cases: list[Case] = field(default_factory=list)
    my_case_count: int = 0
    due_cases: list[Case] = field(default_factory=list)
    due_case_count: int = 0
    is_leitung: bool = False
    unassigned_requests: list[CounsellingRequest] = field(default_factory=list)
    unassigned_request_count: int = 0
    unassigned_after_days: int = UNASSIGNED_AFTER_DAYS
    cases_per_counsellor: list[dict[str, Any]] = field(default_factory=list)
    failed_mail_count: int = 0


def workspace_for(*, user: AbstractBaseUser, today: datetime.date | None = None) -> Workspace:
    """The start page's numbers and rows for `user`, in a fixed number of queries."""
    today = today or timezone.localdate()
    workspace = Workspace(today=today)
    if user.has_perm("counselling.view_counsellingrequest"):
        new = CounsellingRequest.objects.filter(
            status=CounsellingRequest.Status.NEW, case__isnull=True
        ).order_by("created_at", "pk")
        workspace.new_requests, workspace.new_request_count = _rows_and_count(new)
        for item in workspace.new_requests:
            item.age_days = (today - timezone.localdate(item.created_at)).days
    if user.has_perm("counselling.view_case"):
        mine = (
            Case.objects.filter(Q(lead_counsellor=user) | Q(counsellors=user))
            .filter(status__in=_open_statuses())
            .distinct()
        )
        workspace.my_cases, workspace.my_case_count = _rows_and_count(
            mine.order_by(F("follow_up_on").asc(nulls_last=True), "-year", "-number")
        )
        # Leitung looks after every case's follow-up; a counsellor after their own.
        due = Case.objects.visible_to(user).filter(follow_up_on__lte=today)
        workspace.due_cases, workspace.due_case_count = _rows_and_count(
            due.order_by("follow_up_on", "pk")
        )
    if user.has_perm("counselling.view_all_cases"):
        workspace.is_leitung = True
        cutoff = today - datetime.timedelta(days=UNASSIGNED_AFTER_DAYS)
        old = CounsellingRequest.objects.filter(
            status=CounsellingRequest.Status.NEW,
            case__isnull=True,
            created_at__date__lt=cutoff,
        ).order_by("created_at", "pk")
        workspace.unassigned_requests, workspace.unassigned_request_count = _rows_and_count(old)
        for item in workspace.unassigned_requests:
            item.age_days = (today - timezone.localdate(item.created_at)).days
        workspace.cases_per_counsellor = [
            {"user": person, "name": full_name(person), "count": person.open_case_count}
            for person in counsellors().annotate(
                open_case_count=Count(
                    "led_cases", filter=Q(led_cases__status__in=_open_statuses()), distinct=True
                )
            )
        ]
        workspace.failed_mail_count = OutboxMessage.objects.filter(
            status=OutboxMessage.Status.FAILED
        ).count()
    return workspace


def _rows_and_count(queryset: QuerySet) -> tuple[list, int]:
    """The first START_PAGE_ROWS rows and the total (counted only when there are more)."""
    rows = list(queryset[:START_PAGE_ROWS])
    count = len(rows) if len(rows) < START_PAGE_ROWS else queryset.count()
    return rows, count


def _open_statuses() -> list[str]:
    return [status for status, targets in Case.TRANSITIONS.items() if targets]


@dataclass
class TimelineEntry:
    at: datetime.datetime
    kind: str  # activity, status, document, mail, follow_up
    label: str
    text: str
    person: str = ""
    detail: str = ""
    url: str = ""
    has_time: bool = True  # False: a day without a time of day (shown as a date)
    body: str = ""  # the text of a reply sent to the requester


def _status_and_mail_entries(*, case: Case) -> list[TimelineEntry]:
    """Status changes (with who) and mails sent about the case, in one UNION query."""
    columns = ["row_kind", "row_at", "a", "b", "c", "d", "e"]
    changes = (
        CaseStatusChange.objects.filter(case=case)
        .order_by()
        .annotate(
            row_kind=Value("status", output_field=CharField()),
            row_at=F("changed_at"),
            a=F("from_status"),
            b=F("to_status"),
            c=F("changed_by__first_name"),
            d=F("changed_by__last_name"),
            e=Value("", output_field=TextField()),
        )
        .values_list(*columns)
    )
    mails = (
        OutboxMessage.objects.filter(case=case)
        .order_by()
        .annotate(
            row_kind=Value("mail", output_field=CharField()),
            row_at=Coalesce("sent_at", "created_at"),
            a=F("subject"),
            b=F("to"),
            c=F("status"),
            d=F("kind"),
            # The text of replies to the requester; staff notices carry no content.
            e=SqlCase(
                When(kind=OutboxMessage.Kind.REPLY, then=F("body")),
                default=Value(""),
                output_field=TextField(),
            ),
        )
        .values_list(*columns)
    )
    statuses = dict(Case.Status.choices)
    mail_statuses = dict(OutboxMessage.Status.choices)
    entries = []
    for row_kind, at, a, b, c, d, e in changes.union(mails, all=True):
        if row_kind == "status":
            name = f"{c or ''} {d or ''}".strip() or (_("(ohne Namen)") if c is not None else "–")
            text = (
                _("Status: %(from)s → %(to)s")
                % {"from": statuses.get(a, a), "to": statuses.get(b, b)}
                if a
                else _("Fall angelegt (Status: %(to)s)") % {"to": statuses.get(b, b)}
            )
            entries.append(
                TimelineEntry(at=at, kind="status", label=_("Status"), text=text, person=name)
            )
        else:
            entries.append(
                TimelineEntry(
                    at=at,
                    kind="mail",
                    label=_("E-Mail"),
                    text=a,
                    detail=_("an %(to)s – %(status)s")
                    % {"to": b, "status": mail_statuses.get(c, c)},
                    body=e or "",
                )
            )
    return entries


def _as_datetime(day: datetime.date, time: datetime.time | None = None) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time or datetime.time.min))


def case_timeline(
    *,
    case: Case,
    activities: Iterable[Activity] | None = None,
    documents: Iterable[CaseDocument] | None = None,
) -> list[TimelineEntry]:
    """Everything that happened in a case, newest first.

    One query for status changes and mails together, plus one each for activities
    and documents unless the caller already has them (the case page's inlines do,
    with their authors).
    """
    from django.urls import reverse

    if activities is None:
        activities = Activity.objects.filter(case=case).select_related("author")
    if documents is None:
        documents = CaseDocument.objects.filter(case=case).select_related("uploaded_by")
    entries: list[TimelineEntry] = []
    for activity in activities:
        parts = [str(activity.get_kind_display())]
        if activity.participants:
            parts.append(_("%(count)d Teilnehmende") % {"count": activity.participants})
        if activity.duration_minutes:
            parts.append(_("%(minutes)d Minuten") % {"minutes": activity.duration_minutes})
        if activity.place:
            parts.append(activity.place)
        entries.append(
            TimelineEntry(
                at=_as_datetime(activity.date, activity.start_time),
                kind="activity",
                label=_("Aktivität"),
                text=", ".join(parts),
                person=full_name(activity.author),
                detail=activity.note,
                has_time=activity.start_time is not None,
            )
        )
    entries += _status_and_mail_entries(case=case)
    for document in documents:
        entries.append(
            TimelineEntry(
                at=document.uploaded_at,
                kind="document",
                label=_("Dokument"),
                text=f"{document.title} ({document.get_kind_display()})",
                person=full_name(document.uploaded_by),
                url=reverse("counselling:document", args=[document.pk]),
            )
        )
    if case.follow_up_on:
        entries.append(
            TimelineEntry(
                at=_as_datetime(case.follow_up_on),
                kind="follow_up",
                label=_("Wiedervorlage"),
                text=case.follow_up_note or _("Wiedervorlage"),
                has_time=False,
            )
        )

    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries
