"""A database connection that breaks while a request is stored (restart, failover).

PostgreSQL only: another connection kills ours with `pg_terminate_backend` in the
middle of the request's transaction, exactly what a restart does to it.
"""

import psycopg2
import pytest
from django.db import connection
from django.db.models.signals import pre_save
from django.test import Client

from counselling.models import CounsellingRequest, OutboxMessage

URL = "/beratung-anfragen/"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("Killing a server connection needs PostgreSQL (pg_terminate_backend).")


@pytest.fixture
def connection_killed_on_save():
    """Kill this process's database connection when a request is about to be saved."""
    kills = []

    def kill(sender, instance, **kwargs):
        if kills:
            return
        pid = connection.connection.get_backend_pid()
        db = connection.settings_dict
        other = psycopg2.connect(
            dbname=db["NAME"],
            user=db["USER"],
            password=db["PASSWORD"] or None,
            host=db["HOST"],
            port=db["PORT"],
        )
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        other.close()
        kills.append(pid)

    pre_save.connect(kill, sender=CounsellingRequest, weak=False)
    yield kills
    pre_save.disconnect(kill, sender=CounsellingRequest)


def test_a_request_survives_its_connection_being_killed(
    client, valid_request_data, connection_killed_on_save
):
    response = client.post(URL, valid_request_data)

    assert connection_killed_on_save, "the connection was not killed"
    assert response.status_code == 302
    stored = CounsellingRequest.objects.get()
    assert stored.institution == valid_request_data["institution"]
    # Stored once, mails queued once: the broken transaction left nothing behind.
    assert OutboxMessage.objects.filter(request=stored).count() == 2


def test_when_the_database_stays_away_the_visitor_gets_a_503_page(
    settings, valid_request_data, connection_killed_on_save
):
    settings.SUBMIT_DB_RETRY_SECONDS = 0  # no second try: the error reaches the visitor
    client = Client(raise_request_exception=False)  # answer as a server does

    response = client.post(URL, valid_request_data)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "<h1>Vorübergehend nicht erreichbar</h1>" in html
    assert "nicht gespeichert worden" in html
    assert CounsellingRequest.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    # The broken connection was dropped: the next request works again.
    assert client.get(URL).status_code == 200
