"""Deactivating a staff account hands its open cases to a colleague first."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import Client

from counselling.models import Case
from kkk_portal import services
from tests.accounts.conftest import member
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(beratung, beratung2):
    led = CaseFactory(year=2026, number=1, lead_counsellor=beratung)
    shared = CaseFactory(year=2026, number=2, lead_counsellor=beratung2)
    shared.counsellors.add(beratung)
    closed = CaseFactory(year=2026, number=3, lead_counsellor=beratung, status=Case.Status.CLOSED)
    return led, shared, closed


def _action(client, user, **extra):
    return client.post(
        "/admin/auth/user/",
        {"action": "deactivate_accounts", "_selected_action": [user.pk], **extra},
    )


def test_deactivation_with_open_cases_is_refused_naming_them(beratung, cases):
    with pytest.raises(ValidationError) as error:
        services.staff_deactivate(user=beratung, by=beratung)

    assert error.value.messages == [
        "Dieses Konto hat noch offene Fälle (KKB-2026-0001, KKB-2026-0002). Bitte übergeben "
        "Sie sie zuerst an eine Kollegin oder einen Kollegen (Aktion „Konto deaktivieren“ in "
        "der Liste der Benutzer)."
    ]
    beratung.refresh_from_db()
    assert beratung.is_active is True


def test_leitung_deactivates_after_reassigning_open_cases(leitung, beratung, beratung2, cases):
    led, shared, closed = cases
    client = Client()
    client.force_login(leitung)

    confirm = _action(client, beratung)
    done = _action(client, beratung, apply="1", reassign_to=beratung2.pk)

    assert confirm.status_code == 200
    rows = [
        (user.username, [case.reference for case in user_cases])
        for user, user_cases in confirm.context["open_cases"]
    ]
    assert rows == [("bea", ["KKB-2026-0001", "KKB-2026-0002"])]
    assert done.status_code == 302
    beratung.refresh_from_db()
    assert beratung.is_active is False
    led.refresh_from_db()
    closed.refresh_from_db()
    assert led.lead_counsellor == beratung2
    assert list(shared.counsellors.all()) == [beratung2]
    assert closed.lead_counsellor == beratung  # closed cases keep their history
    assert list(
        LogEntry.objects.filter(object_id=str(beratung.pk))
        .order_by("pk")
        .values_list("change_message", flat=True)
    ) == [
        "Offene Fälle an ben übergeben: KKB-2026-0001, KKB-2026-0002",
        "Konto deaktiviert.",
    ]


def test_deactivation_without_a_colleague_chosen_is_refused(leitung, beratung, cases):
    client = Client()
    client.force_login(leitung)

    response = _action(client, beratung, apply="1", reassign_to="")

    beratung.refresh_from_db()
    assert beratung.is_active is True
    messages = [m.message for m in response.wsgi_request._messages]
    assert len(messages) == 1
    assert messages[0].startswith("bea: Dieses Konto hat noch offene Fälle (KKB-2026-0001")


def test_account_without_open_cases_is_deactivated_directly(leitung, redaktion):
    client = Client()
    client.force_login(leitung)

    _action(client, redaktion, apply="1")

    redaktion.refresh_from_db()
    assert redaktion.is_active is False


def test_change_form_refuses_unticking_active_with_open_cases(beratung, cases):
    root = member("root", is_superuser=True)
    client = Client()
    client.force_login(root)
    url = f"/admin/auth/user/{beratung.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if key not in {"password", "groups", "user_permissions", "is_active", "last_login"}
    }
    data.update(
        {
            "groups": [g.pk for g in beratung.groups.all()],
            "date_joined_0": "01.11.2026",
            "date_joined_1": "10:00:00",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert (
        response.context["adminform"]
        .form.errors["is_active"][0]
        .startswith("Dieses Konto hat noch offene Fälle (KKB-2026-0001, KKB-2026-0002).")
    )


def test_beratung_cannot_deactivate_accounts(beratung, beratung2):
    client = Client()
    client.force_login(beratung)

    response = _action(client, beratung2, apply="1")

    assert response.status_code == 403
    beratung2.refresh_from_db()
    assert beratung2.is_active is True
