"""Nothing is lost: a mail server that is down never costs a request, nothing goes out twice."""

import logging
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from counselling import services
from counselling.models import CounsellingRequest, OutboxMessage
from tests.counselling.smtp_stub import SMTPStub, closed_port

URL = "/beratung-anfragen/"


def _outbox_rows():
    return list(
        OutboxMessage.objects.order_by("pk").values_list("kind", "status", "tries", "sent_at")
    )


@pytest.mark.django_db
def test_request_survives_a_refused_connection_and_send_outbox_delivers_it_once(
    client, valid_request_data, smtp_settings, django_capture_on_commit_callbacks, caplog
):
    smtp_settings.EMAIL_PORT = closed_port()
    smtp_settings.OUTBOX_RETRY_BASE_SECONDS = 0  # retry at once (back-off: test_worker.py)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, valid_request_data)

    # The visitor sees the confirmation, the request is stored, the mails wait.
    assert response.status_code == 302
    stored = CounsellingRequest.objects.get()
    assert client.get(response["Location"]).context["reference"] == stored.reference
    assert [(k, s, t) for k, s, t, _ in _outbox_rows()] == [
        ("bestaetigung", "wartend", 0),
        ("benachrichtigung", "wartend", 0),
    ]

    # The worker tries: the mail server refuses, the mails keep waiting.
    with caplog.at_level(logging.WARNING, logger="counselling.services"):
        assert services.outbox_send() == (0, 0)
    assert [(k, s, t) for k, s, t, _ in _outbox_rows()] == [
        ("bestaetigung", "wartend", 1),
        ("benachrichtigung", "wartend", 1),
    ]
    assert OutboxMessage.objects.first().last_error.startswith("ConnectionRefusedError")
    assert len([r for r in caplog.records if "not sent, try 1 of 5" in r.getMessage()]) == 2

    # The mail server is back: cron runs send_outbox twice; each mail goes out once.
    with SMTPStub() as stub:
        smtp_settings.EMAIL_PORT = stub.port
        call_command("send_outbox", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("send_outbox", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert len(stub.messages) == 2
    assert "To: erika@musterdorf.example" in stub.messages[0]
    assert f"{stored.reference}\r\n" in stub.messages[0].split("Subject: ")[1]
    assert f"Subject: Neue Beratungsanfrage {stored.reference}" in stub.messages[1]
    assert [(k, s, t) for k, s, t, _ in _outbox_rows()] == [
        ("bestaetigung", "gesendet", 2),
        ("benachrichtigung", "gesendet", 2),
    ]


@pytest.mark.django_db
def test_a_server_answering_554_makes_send_outbox_give_up_after_max_tries(
    client, valid_request_data, smtp_settings, django_capture_on_commit_callbacks
):
    smtp_settings.OUTBOX_MAX_TRIES = 3
    smtp_settings.OUTBOX_RETRY_BASE_SECONDS = 0
    with SMTPStub(refuse=True) as stub:
        smtp_settings.EMAIL_PORT = stub.port
        with django_capture_on_commit_callbacks(execute=True):
            client.post(URL, valid_request_data)
        assert services.outbox_send() == (0, 0)
        assert services.outbox_send() == (0, 0)
        assert services.outbox_send() == (0, 2)
        assert services.outbox_send() == (0, 0)  # failed ones are not tried again

    assert CounsellingRequest.objects.count() == 1
    assert [(k, s, t) for k, s, t, _ in _outbox_rows()] == [
        ("bestaetigung", "fehlgeschlagen", 3),
        ("benachrichtigung", "fehlgeschlagen", 3),
    ]
    assert "554" in OutboxMessage.objects.first().last_error
    assert stub.messages == []


@pytest.mark.django_db
def test_failed_messages_are_filtered_in_the_admin(admin_client):
    OutboxMessage.objects.create(kind="bestaetigung", to="a@example.org", subject="A", body="x")
    OutboxMessage.objects.create(
        kind="bestaetigung", to="b@example.org", subject="B", body="x", status="fehlgeschlagen"
    )

    response = admin_client.get("/admin/counselling/outboxmessage/?status__exact=fehlgeschlagen")

    assert response.status_code == 200
    assert [m.subject for m in response.context["cl"].result_list] == ["B"]


@pytest.mark.django_db
def test_send_outbox_is_idempotent_with_locmem(client, valid_request_data, settings):
    # Nothing is sent during the request: the worker (or cron's send_outbox) does it.
    client.post(URL, valid_request_data)
    client.post(URL, {**valid_request_data, "email": "zweite@example.org"})
    assert mail.outbox == []

    assert services.outbox_send() == (4, 0)
    assert services.outbox_send() == (0, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [
            settings.CENTRE_NOTIFICATION_EMAIL,
            settings.CENTRE_NOTIFICATION_EMAIL,
            "erika@musterdorf.example",
            "zweite@example.org",
        ]
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_every_message_exactly_once():
    if connection.vendor != "postgresql":
        pytest.skip("SELECT … FOR UPDATE SKIP LOCKED needs PostgreSQL; SQLite has no row locks.")
    for n in range(20):
        OutboxMessage.objects.create(
            kind="benachrichtigung", to=f"n{n}@example.org", subject=f"M{n}", body="x"
        )
    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            services.outbox_send()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(m.subject for m in mail.outbox) == sorted(f"M{n}" for n in range(20))
    assert set(OutboxMessage.objects.values_list("status", "tries")) == {("gesendet", 1)}
