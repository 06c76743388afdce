"""Follow-ups (Wiedervorlagen): the lead counsellor is mailed once on the due day."""

import datetime
import io

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from counselling import services
from counselling.models import Case, OutboxMessage, StaffProfile
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://portal.konfliktberatung.example.org"
TODAY = datetime.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _run_worker() -> list[tuple[str, str, str]]:
    call_command("run_worker", "--once", stdout=io.StringIO())
    return [(m.to[0], m.subject, m.body) for m in mail.outbox]


def _case(lead, *, on, status=Case.Status.FIRST_TALK, **fields):
    return CaseFactory(
        lead_counsellor=lead,
        status=status,
        title="Streit am Marktplatz in Musterstadt",
        follow_up_on=on,
        follow_up_note="Bürgermeisterin anrufen wegen Eskalation",
        **fields,
    )


def test_due_follow_up_mails_the_lead_once_with_reference_and_link_only():
    lead = UserFactory(username="lead")
    colleague = UserFactory(username="colleague")
    case = _case(lead, on=TODAY)
    case.counsellors.add(colleague)

    assert services.follow_ups_notify(today=TODAY) == 1
    sent = _run_worker()

    assert [(to, subject) for to, subject, _body in sent] == [
        (lead.email, f"Fall {case.reference}: Wiedervorlage fällig")
    ]
    body = sent[0][2]
    assert f"{SITE}/admin/counselling/case/{case.pk}/change/" in body
    for content in ["Marktplatz", "Musterstadt", "Bürgermeisterin", "Eskalation"]:
        assert content not in body
    case.refresh_from_db()
    assert case.follow_up_notified_on == TODAY
    assert OutboxMessage.objects.get().case == case

    # Once per follow-up date, however often it runs (also the next days).
    assert services.follow_ups_notify(today=TODAY) == 0
    assert services.follow_ups_notify(today=TODAY + datetime.timedelta(days=3)) == 0
    assert OutboxMessage.objects.count() == 1


def test_only_due_open_cases_with_a_new_date_are_reported():
    lead = UserFactory(username="lead")
    overdue = _case(lead, on=TODAY - datetime.timedelta(days=2))
    not_yet = _case(lead, on=TODAY + datetime.timedelta(days=1))
    _case(lead, on=TODAY - datetime.timedelta(days=1), status=Case.Status.CLOSED)
    _case(lead, on=TODAY, anonymised_at=timezone.now())
    _case(lead, on=None)

    assert services.follow_ups_notify(today=TODAY) == 1
    assert list(OutboxMessage.objects.values_list("case", flat=True)) == [overdue.pk]

    assert services.follow_ups_notify(today=TODAY + datetime.timedelta(days=1)) == 1

    # A new follow-up date is reported again when it comes.
    Case.objects.filter(pk=overdue.pk).update(follow_up_on=TODAY + datetime.timedelta(days=7))
    assert services.follow_ups_notify(today=TODAY + datetime.timedelta(days=6)) == 0
    assert services.follow_ups_notify(today=TODAY + datetime.timedelta(days=7)) == 1
    assert list(OutboxMessage.objects.order_by("pk").values_list("case", flat=True)) == [
        overdue.pk,
        not_yet.pk,
        overdue.pk,
    ]


def test_lead_who_switched_follow_up_mails_off_gets_none():
    lead = UserFactory(username="lead")
    StaffProfile.objects.create(user=lead, notify_follow_ups=False)
    case = _case(lead, on=TODAY)

    assert services.follow_ups_notify(today=TODAY) == 0
    assert _run_worker() == []
    case.refresh_from_db()
    assert case.follow_up_notified_on == TODAY  # handled: no mail after switching back on


def test_send_follow_ups_command_queues_for_cron():
    lead = UserFactory(username="lead")
    case = _case(lead, on=timezone.localdate())
    out = io.StringIO()

    call_command("send_follow_ups", stdout=out)
    call_command("send_follow_ups", stdout=out)

    assert out.getvalue() == (
        "Follow-ups: 1 reminder(s) queued.\nFollow-ups: 0 reminder(s) queued.\n"
    )
    assert list(OutboxMessage.objects.values_list("kind", "to", "case")) == [
        ("mitarbeitende", lead.email, case.pk)
    ]


def test_worker_reports_follow_ups_at_most_once_an_hour():
    lead = UserFactory(username="lead")
    first = _case(lead, on=timezone.localdate())

    sent = _run_worker()
    assert [subject for _to, subject, _body in sent] == [
        f"Fall {first.reference}: Wiedervorlage fällig"
    ]

    # Due meanwhile, but the worker looked less than an hour ago.
    second = _case(lead, on=timezone.localdate())
    mail.outbox.clear()
    assert _run_worker() == []

    cache.delete(services.FOLLOW_UPS_CACHE_KEY)  # an hour later
    assert [subject for _to, subject, _body in _run_worker()] == [
        f"Fall {second.reference}: Wiedervorlage fällig"
    ]
