"""Writes on staff accounts: second factor, deactivation with case hand-over, login records."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from counselling.models import Case

CLOSED_STATUSES = [Case.Status.CLOSED, Case.Status.DECLINED]


def _log(*, by, user, message: str) -> None:
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=[user],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )


def totp_device_pending(*, user) -> TOTPDevice:
    """The account's unconfirmed TOTP device (created on first call), shown as QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator-App"), confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str, count: int) -> list[str] | None:
    """Confirm the device with one valid code and issue fresh recovery codes.

    Returns the recovery codes (to show once), or None if the code was wrong.
    """
    if not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    StaticDevice.objects.filter(user=device.user).delete()
    static = StaticDevice.objects.create(user=device.user, name=_("Notfallcodes"), confirmed=True)
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@transaction.atomic
def second_factor_reset(*, user, by) -> int:
    """Remove every second-factor device of `user` (lost phone); logged in the admin log.

    At the next login the account enrols a new device. Returns the number removed.
    """
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    _log(by=by, user=user, message=_("Zweiten Faktor zurückgesetzt."))
    return removed


def cases_open_for(*, user) -> QuerySet[Case]:
    """Open cases (neither closed nor declined) that `user` leads or counsels in."""
    return (
        Case.objects.filter(Q(lead_counsellor=user) | Q(counsellors=user))
        .exclude(status__in=CLOSED_STATUSES)
        .distinct()
        .order_by("reference")
    )


@transaction.atomic
def cases_reassign(*, from_user, to_user, by) -> list[str]:
    """Hand every open case of `from_user` to `to_user`; returns the case references."""
    if from_user.pk == to_user.pk:
        raise ValidationError(_("Bitte wählen Sie eine andere Person."))
    if not (to_user.is_active and to_user.is_staff):
        raise ValidationError(_("Fälle können nur an aktive Mitarbeitende übergeben werden."))
    references = []
    open_ids = cases_open_for(user=from_user).values("pk")
    for case in Case.objects.select_for_update().filter(pk__in=open_ids).order_by("reference"):
        if case.lead_counsellor_id == from_user.pk:
            case.lead_counsellor = to_user
            case.save(update_fields=["lead_counsellor"])
        if case.counsellors.filter(pk=from_user.pk).exists():
            case.counsellors.remove(from_user)
            case.counsellors.add(to_user)
        references.append(case.reference)
    if references:
        _log(
            by=by,
            user=from_user,
            message=_("Offene Fälle an %(name)s übergeben: %(refs)s")
            % {"name": to_user.get_username(), "refs": ", ".join(references)},
        )
    return references


def open_cases_message(references: list[str]) -> str:
    return _(
        "Dieses Konto hat noch offene Fälle (%(refs)s). Bitte übergeben Sie sie zuerst "
        "an eine Kollegin oder einen Kollegen (Aktion „Konto deaktivieren“ in der Liste "
        "der Benutzer)."
    ) % {"refs": ", ".join(references)}


@transaction.atomic
def staff_deactivate(*, user, by, reassign_to=None) -> list[str]:
    """Deactivate a staff account; its open cases must be handed over first.

    Without `reassign_to`, an account with open cases is refused with a message
    naming them. Returns the references of the cases handed over.
    """
    references = []
    if reassign_to is not None:
        references = cases_reassign(from_user=user, to_user=reassign_to, by=by)
    remaining = list(cases_open_for(user=user).values_list("reference", flat=True))
    if remaining:
        raise ValidationError(open_cases_message(remaining))
    user.is_active = False
    user.save(update_fields=["is_active"])
    _log(by=by, user=user, message=_("Konto deaktiviert."))
    return references


def login_records_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete lockout records (django-axes) older than AXES_RETENTION_DAYS."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.AXES_RETENTION_DAYS)
    deleted = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0]
    deleted += AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    deleted += AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    return deleted


# --- Public content: restoring an old version (kkk_portal/history_admin.py) -----------


@transaction.atomic
def version_restore(*, version, user) -> Model:
    """Bring back the content of an old version of a public content item.

    `version` is a simple-history record of the item. Every restorable field
    (`kkk_portal.editorial.restorable_fields`) and every tracked many-to-many
    relation takes the old version's value; the publication state and times and the
    address stay as they are. The item is validated like a form save (a clear
    `ValidationError`, nothing saved, when the old version no longer fits, e.g. a
    related item was deleted) and saved once, which records a new history entry
    with the editor and "restored" as its reason.
    """
    from simple_history.utils import get_m2m_reverse_field_name

    from .editorial import restorable_fields

    model = version.instance_type
    item = model._default_manager.select_for_update().get(pk=version.instance.pk)
    old = version.instance
    for field in restorable_fields(model):
        setattr(item, field.attname, getattr(old, field.attname))
    item.full_clean()
    item._history_user = user
    item._change_reason = _("Version vom %(when)s wiederhergestellt") % {
        "when": timezone.localtime(version.history_date).strftime("%d.%m.%Y %H:%M")
    }
    item.save()
    for m2m in version._history_m2m_fields:
        related = m2m.related_model
        reverse_name = get_m2m_reverse_field_name(m2m)
        ids = getattr(version, m2m.name).values_list(f"{reverse_name}_id", flat=True)
        getattr(item, m2m.name).set(related._base_manager.filter(pk__in=list(ids)))
    return item
