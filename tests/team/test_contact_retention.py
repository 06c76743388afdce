"""Contact requests are not kept longer than promised (apply_retention) and are part of
the Art. 15 export."""

import datetime
from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from counselling.data_export import requester_data_export
from counselling.models import OutboxMessage
from counselling.retention import apply_retention
from team import services
from team.models import ContactMessage, ContactReply
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _message(*, email="jana@zeitung.example", **changes) -> ContactMessage:
    data = {
        "name": "Jana Presse",
        "email": email,
        "organisation": "",
        "topic": ContactMessage.Topic.GENERAL,
        "message": "Eine Frage.",
        **changes,
    }
    return services.contact_submit(data=data)


def _days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _closed(*, days_ago: int, arrived_days_ago: int | None = None) -> ContactMessage:
    message = _message()
    services.contact_close(message=message)
    ContactMessage.objects.filter(pk=message.pk).update(
        closed_at=_days_ago(days_ago), created_at=_days_ago(arrived_days_ago or days_ago)
    )
    return message


def _run(*args: str) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def at_the_boundary():
    staff = UserFactory()
    messages = {
        "closed_181": _closed(days_ago=181),
        "closed_179": _closed(days_ago=179),
        "new_200": _message(),
        "answered_366": _message(),
        "new_364": _message(),
    }
    ContactMessage.objects.filter(pk=messages["new_200"].pk).update(created_at=_days_ago(200))
    services.contact_reply_send(
        message=messages["answered_366"], subject="Re", body="Antwort", by=staff
    )
    services.contact_reply_send(message=messages["new_364"], subject="Re", body="Antwort", by=staff)
    ContactMessage.objects.filter(pk=messages["answered_366"].pk).update(created_at=_days_ago(366))
    ContactMessage.objects.filter(pk=messages["new_364"].pk).update(created_at=_days_ago(364))
    return messages


def _keys(*messages: ContactMessage) -> list[str]:
    return [f"team.contactmessage:{m.pk}" for m in messages]


def test_closed_ones_go_after_180_days_and_every_one_after_365(at_the_boundary):
    m = at_the_boundary
    gone = [m["closed_181"], m["answered_366"]]
    kept = [m["closed_179"], m["new_200"], m["new_364"]]

    result = apply_retention()

    assert result.contact_messages_deleted == 2
    assert sorted(ContactMessage.objects.values_list("pk", flat=True)) == sorted(x.pk for x in kept)
    # Replies and every mail about them (confirmation, notification, reply) go too.
    assert not ContactReply.objects.filter(message_id__in=[x.pk for x in gone]).exists()
    assert not OutboxMessage.objects.filter(related_key__in=_keys(*gone)).exists()
    assert OutboxMessage.objects.filter(related_key__in=_keys(*kept)).count() == 7
    # Running it again finds nothing more.
    assert apply_retention().contact_messages_deleted == 0


def test_dry_run_counts_and_changes_nothing(at_the_boundary):
    before = (
        ContactMessage.objects.count(),
        ContactReply.objects.count(),
        OutboxMessage.objects.count(),
    )

    output = _run("--dry-run")

    assert output.splitlines()[-1] == "Probelauf: 2 Kontaktanfragen würden gelöscht."
    after = (
        ContactMessage.objects.count(),
        ContactReply.objects.count(),
        OutboxMessage.objects.count(),
    )
    assert after == before
    assert _run().splitlines()[-1] == "2 Kontaktanfragen gelöscht."
    assert ContactMessage.objects.count() == 3


def test_periods_come_from_the_settings(settings, at_the_boundary):
    settings.CONTACT_RETENTION_DAYS = 178
    # closed_181, closed_179 and answered_366
    assert apply_retention(dry_run=True).contact_messages_deleted == 3
    settings.CONTACT_MAX_RETENTION_DAYS = 199
    # and new_200, new_364
    assert apply_retention().contact_messages_deleted == 5
    assert not ContactMessage.objects.exists()


def test_admin_log_keeps_only_the_reference(at_the_boundary):
    message = at_the_boundary["closed_181"]
    LogEntry.objects.create(
        user=UserFactory(),
        content_type=ContentType.objects.get_for_model(ContactMessage),
        object_id=str(message.pk),
        object_repr="Jana Presse",
        action_flag=CHANGE,
        change_message="Antwort an Jana Presse",
    )

    apply_retention()

    entry = LogEntry.objects.get(object_id=str(message.pk))
    assert (entry.object_repr, entry.change_message) == (message.reference, "")


def test_art_15_export_includes_contact_messages_and_replies():
    staff = UserFactory()
    first = _message(email="Jana@Zeitung.example", organisation="Beispielzeitung")
    services.contact_reply_send(message=first, subject="Re", body="Gern.", by=staff)
    second = _message(topic=ContactMessage.Topic.EVENTS, message="Noch eine Frage.")
    _message(email="someone@else.example")

    data = requester_data_export(email="jana@zeitung.example")

    exported = data["contact_messages"]
    assert [m["reference"] for m in exported] == [first.reference, second.reference]
    assert exported[0]["organisation"] == "Beispielzeitung"
    assert exported[0]["status"] == "beantwortet"
    assert exported[0]["consent_notice_version"] == first.consent_notice_version
    assert exported[1]["message"] == "Noch eine Frage."
    assert exported[1]["topic"] == "veranstaltungen"
    assert [(r["subject"], r["body"].split("\n")[0]) for r in exported[0]["replies"]] == [
        (f"Ihre Nachricht {first.reference}: Re", "Gern.")
    ]
    assert exported[1]["replies"] == []
    # The mails they were sent (confirmations and the reply) are in the export too.
    subjects = [mail["subject"] for mail in data["emails_sent"]]
    assert f"Ihre Nachricht {first.reference}: Re" in subjects
    assert len(subjects) == 3
