"""Mails to staff about their cases: assignment, status change, new document, follow-up.

Each mail names the case's reference and links to it in the admin, nothing else:
no title, municipality, note, document title or person, because mail leaves the
portal's access control. Everyone switches each kind off in their profile
(`StaffProfile.notify_*`; without a profile every switch is on).

The functions only *queue* outbox rows (kind STAFF, `case` set). Call them inside
the transaction of the change they report: the mail exists exactly when the
change was committed. The person who made the change is never told about it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Case, OutboxMessage, StaffProfile

# StaffProfile field per kind of notification.
ASSIGNMENT = "notify_assignments"
STATUS_CHANGE = "notify_status_changes"
DOCUMENT = "notify_documents"
FOLLOW_UP = "notify_follow_ups"
SWITCHES = (FOLLOW_UP, ASSIGNMENT, STATUS_CHANGE, DOCUMENT)


def case_admin_url(case: Case) -> str:
    """Absolute link to the case in the (German) admin; opening it needs a login."""
    with translation.override("de"):
        path = reverse("admin:counselling_case_change", args=[case.pk])
    return settings.SITE_URL.rstrip("/") + path


def wants(user: AbstractBaseUser, switch: str) -> bool:
    """Does this person want mails of this kind? No profile yet means yes."""
    try:
        profile = user.staff_profile
    except StaffProfile.DoesNotExist:
        return True
    return bool(getattr(profile, switch))


def _recipients(user_ids: Iterable[int], *, switch: str, by: AbstractBaseUser | None) -> list:
    """Active staff among `user_ids` with an address who want `switch`, minus `by`."""
    ids = {pk for pk in user_ids if pk is not None}
    if by is not None:
        ids.discard(by.pk)
    if not ids:
        return []
    users = (
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True, is_staff=True)
        .exclude(email="")
        .select_related("staff_profile")
        .order_by("pk")
    )
    return [user for user in users if wants(user, switch)]


def _case_team_ids(case: Case) -> set[int]:
    """The lead counsellor and every assigned counsellor of a case."""
    ids = set(case.counsellors.values_list("pk", flat=True))
    if case.lead_counsellor_id:
        ids.add(case.lead_counsellor_id)
    return ids


def _queue(*, case: Case, users: list, subject: str, text: str) -> list[OutboxMessage]:
    body = render_to_string(
        "counselling/mail/staff_notification.txt",
        {"text": text, "admin_url": case_admin_url(case)},
    )
    return OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                kind=OutboxMessage.Kind.STAFF,
                case=case,
                to=user.email,
                subject=subject,
                body=body,
            )
            for user in users
        ]
    )


def notify_assignment(
    *, case: Case, user_ids: Iterable[int], by: AbstractBaseUser | None
) -> list[OutboxMessage]:
    """Tell the people newly put on a case (lead or counsellor) about it."""
    users = _recipients(user_ids, switch=ASSIGNMENT, by=by)
    with translation.override("de"):
        return _queue(
            case=case,
            users=users,
            subject=_("Fall %(reference)s: Sie wurden zugewiesen") % {"reference": case.reference},
            text=_("Sie wurden dem Fall %(reference)s zugewiesen.") % {"reference": case.reference},
        )


def notify_status_change(*, case: Case, by: AbstractBaseUser | None) -> list[OutboxMessage]:
    """Tell the case's team that its status changed (not to what: that is in the admin)."""
    users = _recipients(_case_team_ids(case), switch=STATUS_CHANGE, by=by)
    with translation.override("de"):
        return _queue(
            case=case,
            users=users,
            subject=_("Fall %(reference)s: Status geändert") % {"reference": case.reference},
            text=_("Der Status des Falls %(reference)s hat sich geändert.")
            % {"reference": case.reference},
        )


def notify_document(*, case: Case, by: AbstractBaseUser | None) -> list[OutboxMessage]:
    """Tell the case's team that a document was added (never its title)."""
    users = _recipients(_case_team_ids(case), switch=DOCUMENT, by=by)
    with translation.override("de"):
        return _queue(
            case=case,
            users=users,
            subject=_("Fall %(reference)s: neues Dokument") % {"reference": case.reference},
            text=_("Zum Fall %(reference)s wurde ein Dokument hinzugefügt.")
            % {"reference": case.reference},
        )


def notify_follow_up(*, case: Case) -> list[OutboxMessage]:
    """Tell the lead counsellor that the case's follow-up date has come (never the note)."""
    users = _recipients([case.lead_counsellor_id], switch=FOLLOW_UP, by=None)
    with translation.override("de"):
        return _queue(
            case=case,
            users=users,
            subject=_("Fall %(reference)s: Wiedervorlage fällig") % {"reference": case.reference},
            text=_("Für den Fall %(reference)s ist eine Wiedervorlage fällig.")
            % {"reference": case.reference},
        )
