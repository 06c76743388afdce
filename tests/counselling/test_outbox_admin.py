"""Outbox messages in the admin: read-only, failed ones retried with the action."""

import datetime

import pytest

from counselling.models import OutboxMessage
from tests.counselling.case_helpers import login
from tests.factories import CounsellingRequestFactory

pytestmark = pytest.mark.django_db


def test_an_outbox_status_cannot_be_changed_in_the_admin(leitung, mailoutbox):
    request = CounsellingRequestFactory()
    pending = OutboxMessage.objects.create(request=request, kind="bestaetigung", to="a@b.c")
    sent = OutboxMessage.objects.create(
        request=request,
        kind="bestaetigung",
        to="a@b.c",
        status="gesendet",
        sent_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
    )
    client = login(leitung)

    codes = [
        client.post(f"/admin/counselling/outboxmessage/{pending.pk}/change/", {"status": s})
        for s in ["gesendet"]
    ] + [client.post(f"/admin/counselling/outboxmessage/{sent.pk}/change/", {"status": "wartend"})]

    assert [r.status_code for r in codes] == [403, 403]
    assert list(OutboxMessage.objects.order_by("pk").values_list("status", flat=True)) == [
        "wartend",
        "gesendet",
    ]
    page = client.get(f"/admin/counselling/outboxmessage/{sent.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()


def test_failed_outbox_messages_are_retried_with_the_action(leitung):
    failed = OutboxMessage.objects.create(kind="bestaetigung", to="a@b.c", status="fehlgeschlagen")

    response = login(leitung).post(
        "/admin/counselling/outboxmessage/", {"action": "retry", "_selected_action": [failed.pk]}
    )

    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.tries) == ("wartend", 0)
