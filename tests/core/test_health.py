"""/healthz and /readyz: real checks against the real database, cache and storage."""

import socket

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from counselling.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

ALL_CHECKS = ["database", "cache", "storage", "private_storage", "migrations"]


def _closed_port():
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.cookies == {}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_probes_live_outside_the_language_prefix(client):
    # Unknown paths get the trailing slash a text page would have, then "not found".
    assert client.get("/en/healthz", follow=True).status_code == 404
    assert client.get("/en/readyz", follow=True).status_code == 404


def test_readyz_is_ready_when_everything_works(client):
    WorkerHeartbeat.objects.create(name="test-worker")

    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["warnings"] == []
    assert body["worker"]["worker_stale"] is False
    assert body["worker"]["oldest_pending_mail_age_seconds"] is None
    assert list(body["checks"]) == ALL_CHECKS
    assert all(check["ok"] for check in body["checks"].values())
    assert response.cookies == {}
    assert "no-store" in response["Cache-Control"]


def test_readyz_leaves_no_probe_file_behind(client, settings):
    client.get("/readyz")

    assert [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] == []
    assert [p for p in settings.PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file()] == []


def test_readyz_names_the_cache_when_redis_is_unreachable(client):
    port = _closed_port()
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/10",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_readyz_names_unapplied_migrations(client):
    # The database says the newest migration of the site app was never applied
    # (inside the test's transaction, rolled back afterwards).
    recorder = MigrationRecorder(connection)
    latest = recorder.migration_qs.filter(app="kkk_portal").order_by("-applied", "-id").first().name
    recorder.record_unapplied("kkk_portal", latest)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]


def test_readyz_names_the_storage_when_it_cannot_be_written(client, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocked

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["storage"]
    # The exception class only: its message could name paths, hosts or users.
    assert body["checks"]["storage"]["error"] in {"NotADirectoryError", "FileExistsError"}
    assert str(blocked) not in response.content.decode()


def test_readyz_reports_a_worker_that_stopped(client, settings):
    settings.HEALTH_WORKER_MAX_AGE = 60
    WorkerHeartbeat.objects.create(name="old-worker")
    WorkerHeartbeat.objects.update(last_seen="2020-01-01T00:00:00Z")

    response = client.get("/readyz")

    # A dead worker delays mail; the site itself still works.
    assert response.status_code == 200
    body = response.json()
    assert body["warnings"] == ["worker"]
    assert body["worker"]["worker_stale"] is True
    assert body["worker"]["last_heartbeat"].startswith("2020-01-01")


def test_readyz_fails_on_a_stopped_worker_when_required(client, settings):
    settings.HEALTH_WORKER_REQUIRED = True

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]


def test_readyz_refuses_posts(client):
    assert client.post("/readyz").status_code == 405
