"""Page bodies kept per content version ({% per_content_version %}, projects/versioned.py):
a kept body saves the page its queries, and any change to what it shows is visible on
the next request, also for the copy a process keeps in its own memory."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import versioned
from tests.factories import EventFactory, PartnerFactory, ProjectFactory, SpeakerFactory
from tests.html import text, texts

pytestmark = pytest.mark.django_db


def queries(client, path: str) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return response, len(captured)


def test_a_kept_project_body_costs_no_query_and_a_change_shows_at_once(client):
    partner = PartnerFactory(name="Nachbarschaftsverein Nord")
    project = ProjectFactory(title="Dialog im Quartier", partners=[partner])
    path = project.get_absolute_url()

    first, built = queries(client, path)
    second, kept = queries(client, path)
    assert kept < built
    assert text(second, "main") == text(first, "main")
    assert "Nachbarschaftsverein Nord" in text(second, "main")

    # A related item changes: the next request shows it, in both languages.
    partner.name = "Nachbarschaftsverein Süd"
    partner.save()
    for prefix in ("", "/en"):
        body = text(client.get(f"{prefix}{path}"), "main")
        assert "Nachbarschaftsverein Süd" in body
        assert "Nachbarschaftsverein Nord" not in body

    # A link is removed (many-to-many): gone on the next request.
    project.partners.clear()
    assert "Nachbarschaftsverein" not in text(client.get(path), "main")


def test_an_event_keeps_its_facts_but_never_the_registration_form(client):
    event = EventFactory(title="Werkstatt Konfliktberatung")
    SpeakerFactory(event=event, name="Dr. Beispiel")
    path = event.get_absolute_url()
    queries(client, path)
    response, _ = queries(client, path)
    assert texts(response, "h1") == ["Werkstatt Konfliktberatung"]
    assert "Dr. Beispiel" in text(response, ".speaker-list")

    event.title = "Werkstatt Kommunale Konfliktberatung"
    event.save()
    assert texts(client.get(path), "h1") == ["Werkstatt Kommunale Konfliktberatung"]


def test_the_copy_in_process_memory_is_bounded():
    for number in range(versioned.LOCAL_ENTRIES + 50):
        assert versioned.per_content_version(f"test-bound-{number}", lambda n=number: n) == number
    assert len(versioned._local) <= versioned.LOCAL_ENTRIES
    # The newest are the ones kept.
    assert versioned.per_content_version("test-bound-299", lambda: "built again") == 299
