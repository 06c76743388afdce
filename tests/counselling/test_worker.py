"""The worker: mail and renditions off the request path, retries, heartbeat, clean stop."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from counselling import services
from counselling.models import CounsellingRequest, OutboxMessage, WorkerHeartbeat
from tests.counselling.smtp_stub import HangingSMTP, SMTPStub, closed_port

URL = "/beratung-anfragen/"
BASE_DIR = Path(__file__).resolve().parents[2]


def _rows():
    return list(OutboxMessage.objects.order_by("pk").values_list("kind", "status", "tries"))


def _queue(n, prefix="M"):
    for i in range(n):
        OutboxMessage.objects.create(
            kind="benachrichtigung", to=f"n{i}@example.org", subject=f"{prefix}{i}", body="x"
        )


@pytest.mark.django_db
def test_form_opens_no_smtp_connection_and_the_worker_retries_a_hanging_server(
    client, valid_request_data, smtp_settings, django_capture_on_commit_callbacks
):
    with HangingSMTP() as hanging:
        smtp_settings.EMAIL_PORT = hanging.port
        smtp_settings.EMAIL_TIMEOUT = 1
        client.get(URL)  # warm up templates and URL resolvers: measure the submission only
        started = time.perf_counter()
        with django_capture_on_commit_callbacks(execute=True):  # commit hooks run too
            response = client.post(URL, valid_request_data)
        elapsed = time.perf_counter() - started
        print(f"\nsubmit with a hanging SMTP server: {elapsed * 1000:.0f} ms")  # measured only

        assert response.status_code == 302
        stored = CounsellingRequest.objects.get()
        assert client.get(response["Location"]).context["reference"] == stored.reference
        assert hanging.connections == 0
        assert _rows() == [("bestaetigung", "wartend", 0), ("benachrichtigung", "wartend", 0)]

        # The worker meets the hanging server: it times out and plans a retry.
        before = timezone.now()
        assert services.worker_run_once(name="test") == {
            "sent": 0,
            "mails_failed": 0,
            "jobs_done": 0,
            "jobs_failed": 0,
        }
        assert hanging.connections == 2

    assert _rows() == [("bestaetigung", "wartend", 1), ("benachrichtigung", "wartend", 1)]
    for message in OutboxMessage.objects.all():
        assert "timed out" in message.last_error
        wait = message.next_attempt_at - before
        assert timedelta(seconds=60) <= wait <= timedelta(seconds=65)

    # Later the server works again and the retry is due: each mail goes out once.
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    with SMTPStub() as stub:
        smtp_settings.EMAIL_PORT = stub.port
        assert services.worker_run_once(name="test")["sent"] == 2
        assert services.worker_run_once(name="test")["sent"] == 0
    assert len(stub.messages) == 2
    assert "To: erika@musterdorf.example" in stub.messages[0]
    assert f"{stored.reference}\r\n" in stub.messages[0].split("Subject: ")[1]
    assert _rows() == [("bestaetigung", "gesendet", 2), ("benachrichtigung", "gesendet", 2)]


@pytest.mark.django_db
def test_back_off_doubles_until_the_mail_is_given_up(smtp_settings):
    smtp_settings.EMAIL_PORT = closed_port()
    smtp_settings.OUTBOX_MAX_TRIES = 4
    smtp_settings.OUTBOX_RETRY_BASE_SECONDS = 30
    _queue(1)
    message = OutboxMessage.objects.get()
    waits = []
    for _round in range(4):
        now = timezone.now()
        assert services.outbox_send() == (0, 1 if _round == 3 else 0)
        assert services.outbox_send() == (0, 0)  # not due yet: nothing is tried
        message.refresh_from_db()
        waits.append(round((message.next_attempt_at - now).total_seconds()))
        OutboxMessage.objects.update(next_attempt_at=timezone.now())  # time passes
    assert waits[:3] == [30, 60, 120]
    message.refresh_from_db()
    assert (message.status, message.tries) == ("fehlgeschlagen", 4)
    assert "ConnectionRefusedError" in message.last_error


@pytest.mark.django_db
def test_back_off_is_capped(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 600
    delays = [services.outbox_retry_delay(tries=t).total_seconds() for t in range(1, 7)]
    assert delays == [60, 120, 240, 480, 600, 600]


@pytest.mark.django_db
def test_a_claimed_message_is_left_alone_until_its_lease_ends(smtp_settings):
    # Another worker claimed it (and may be sending right now): not due.
    _queue(1)
    OutboxMessage.objects.update(next_attempt_at=timezone.now() + timedelta(minutes=10), tries=1)
    with SMTPStub() as stub:
        smtp_settings.EMAIL_PORT = stub.port
        assert services.outbox_send() == (0, 0)
        # That worker died: after the lease another one takes the message over.
        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        assert services.outbox_send() == (1, 0)
    assert len(stub.messages) == 1
    assert _rows() == [("benachrichtigung", "gesendet", 2)]


@pytest.mark.django_db
def test_heartbeat_and_oldest_pending_mail_age(smtp_settings):
    assert services.worker_last_heartbeat() is None
    assert services.oldest_pending_mail_age() is None

    _queue(2)
    OutboxMessage.objects.filter(subject="M0").update(
        created_at=timezone.now() - timedelta(minutes=30)
    )
    age = services.oldest_pending_mail_age()
    assert timedelta(minutes=30) <= age < timedelta(minutes=31)

    smtp_settings.EMAIL_PORT = closed_port()
    before = timezone.now()
    call_command("run_worker", "--once", "--name", "web-1", stdout=open(os.devnull, "w"))  # noqa: SIM115
    beat = services.worker_last_heartbeat()
    assert before <= beat <= timezone.now()
    assert list(WorkerHeartbeat.objects.values_list("name", flat=True)) == ["web-1"]
    # Still undelivered (the server refused): the age keeps growing.
    assert services.oldest_pending_mail_age() >= timedelta(minutes=30)

    with SMTPStub() as stub:
        smtp_settings.EMAIL_PORT = stub.port
        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        call_command("run_worker", "--once", "--name", "web-1", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert len(stub.messages) == 2
    assert services.oldest_pending_mail_age() is None
    assert WorkerHeartbeat.objects.count() == 1
    assert services.worker_last_heartbeat() >= beat


@pytest.mark.django_db
def test_sigterm_lets_the_worker_finish_the_current_mail_and_exit_cleanly(smtp_settings):
    _queue(3)
    with SMTPStub(delay=1.0) as stub:
        smtp_settings.EMAIL_PORT = stub.port

        def stop_soon():
            time.sleep(0.5)  # the first mail is being accepted (slowly) right now
            os.kill(os.getpid(), signal.SIGTERM)

        killer = threading.Thread(target=stop_soon)
        killer.start()
        call_command("run_worker", "--poll", "0.1", stdout=open(os.devnull, "w"))  # noqa: SIM115
        killer.join()

    # Returned normally (exit status 0 from manage.py), the mail at hand was delivered.
    assert len(stub.messages) == 1
    assert sorted(OutboxMessage.objects.values_list("status", flat=True)) == [
        "gesendet",
        "wartend",
        "wartend",
    ]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def _worker_env():
    """Environment for a `manage.py` subprocess on the test run's PostgreSQL database."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kkk_portal.settings.test",
        "DATABASE_URL": url,
        "PYTHONUNBUFFERED": "1",
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_deliver_each_mail_once_and_exit_0_on_sigterm(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("Worker processes need a database they can share: PostgreSQL.")
    _queue(20, prefix="P")
    with SMTPStub(delay=0.02) as stub:
        env = {**_worker_env(), "WORKER_POLL_SECONDS": "0.2"}
        # The test settings pin locmem mail; the subprocess gets SMTP from a tiny settings file.
        settings_file = tmp_path / "worker_settings.py"
        settings_file.write_text(
            "from kkk_portal.settings.test import *\n"
            "EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'\n"
            f"EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS = '127.0.0.1', {stub.port}, False\n"
            "EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ''\n"
        )
        env["PYTHONPATH"] = f"{tmp_path}{os.pathsep}{BASE_DIR}"
        env["DJANGO_SETTINGS_MODULE"] = "worker_settings"
        processes = [
            subprocess.Popen(  # noqa: S603 - fixed argv: our own manage.py
                [sys.executable, "manage.py", "run_worker", "--name", name],
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for name in ("proc-a", "proc-b")
        ]
        try:
            deadline = time.monotonic() + 60
            while len(stub.messages) < 20 and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.5)  # a duplicate would arrive now
            for process in processes:
                process.send_signal(signal.SIGTERM)
            outputs = [process.communicate(timeout=30)[0].decode() for process in processes]
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert "Worker proc-a stopped." in outputs[0]
    assert "Worker proc-b stopped." in outputs[1]
    subjects = sorted(m.split("Subject: ")[1].split("\n")[0].strip() for m in stub.messages)
    assert subjects == sorted(f"P{n}" for n in range(20))
    assert set(OutboxMessage.objects.values_list("status", "tries")) == {("gesendet", 1)}
    assert sorted(WorkerHeartbeat.objects.values_list("name", flat=True)) == ["proc-a", "proc-b"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_workers_deliver_every_mail_exactly_once_through_smtp(smtp_settings):
    if connection.vendor != "postgresql":
        pytest.skip("SELECT … FOR UPDATE SKIP LOCKED needs PostgreSQL; SQLite has no row locks.")
    _queue(30)
    with SMTPStub(delay=0.02) as stub:
        smtp_settings.EMAIL_PORT = stub.port
        barrier = threading.Barrier(3)
        results = []

        def worker(n):
            try:
                barrier.wait()
                results.append(services.worker_run_once(name=f"w{n}")["sent"])
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    subjects = sorted(m.split("Subject: ")[1].split("\n")[0].strip() for m in stub.messages)
    assert subjects == sorted(f"M{n}" for n in range(30))
    assert sum(results) == 30
    assert set(OutboxMessage.objects.values_list("status", "tries")) == {("gesendet", 1)}
    assert WorkerHeartbeat.objects.count() == 3


def test_sqlite_waits_for_the_other_process_instead_of_failing():
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only.")
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] == 20
