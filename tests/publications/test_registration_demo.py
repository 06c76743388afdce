"""`make run`'s demo data: one upcoming example event with registration open, marked as such."""

import pytest
from django.core.management import call_command

from publications.demo import EXAMPLE_EVENT_SLUG
from publications.models import Event, Registration
from tests.html import visible_text
from tests.publications.registration_helpers import form_data, register_url

pytestmark = pytest.mark.django_db


def test_demo_event_is_upcoming_open_and_marked_as_example(client, settings):
    settings.DEBUG = True
    call_command("load_demo_data", verbosity=0)
    call_command("load_demo_data", verbosity=0)  # twice: still one event

    event = Event.objects.get(slug=EXAMPLE_EVENT_SLUG)
    assert event.is_example and not event.is_past
    assert event.title.startswith("Beispiel:")
    page = client.get(event.get_absolute_url())
    text = visible_text(page.content)
    assert "Beispielveranstaltung für die Entwicklung: Sie findet nicht statt." in text
    assert "id_email" in page.content.decode()
    assert "beispiel.invalid" not in page.content.decode()
    assert client.post(register_url(event), form_data()).status_code == 302
    assert Registration.objects.filter(event=event).count() == 1


def test_example_event_is_hidden_without_debug(client, settings):
    settings.DEBUG = True
    call_command("load_demo_data", verbosity=0)
    settings.DEBUG = False
    event = Event.objects.get(slug=EXAMPLE_EVENT_SLUG)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert "Beispiel" not in visible_text(client.get("/aktuelles/").content)
    assert b"Beispiel" not in client.get("/veranstaltungen/kalender.ics").content
