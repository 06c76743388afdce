"""Helpers for the event registration tests: events, the form, links from the outbox."""

import datetime
import re

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from counselling.models import OutboxMessage
from publications.models import Registration
from tests.factories import EventFactory

LINK_RE = r"https?://[^\s]+/veranstaltungen/anmeldung/[^\s/]+/{kind}/"


def registration_event(**kwargs):
    """An upcoming online event open for registration (2 seats, waiting list)."""
    defaults = {
        "title": "Online-Seminar Konfliktberatung",
        "start": timezone.now() + datetime.timedelta(days=10),
        "registration_enabled": True,
        "capacity": 2,
        "waiting_list_enabled": True,
        "online_access_link": "https://konferenz.example.org/raum/geheim-4711",
    }
    defaults.update(kwargs)
    return EventFactory(**defaults)


def form_data(**overrides):
    data = {"name": "Erika Mustermann", "email": "erika@musterdorf.example", "consent": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def register_url(event, prefix=""):
    return f"{prefix}/veranstaltungen/{event.slug}/anmelden/"


def mails_to(email):
    return list(OutboxMessage.objects.filter(to=email).order_by("pk"))


def link_in(body, kind):
    """The confirm ("bestaetigen") or cancel ("abmelden") link of a mail, as a path."""
    match = re.search(LINK_RE.format(kind=kind), body)
    assert match, f"no {kind} link in:\n{body}"
    return re.sub(r"^https?://[^/]+", "", match.group(0))


def latest_link(email, kind):
    return link_in(mails_to(email)[-1].body, kind)


def register_and_confirm(client, event, email, name="Teilnehmerin"):
    """Register through the form and confirm through the link in the mail."""
    response = client.post(register_url(event), form_data(name=name, email=email))
    assert response.status_code == 302, response.content.decode()[:2000]
    confirm = client.post(latest_link(email, "bestaetigen"))
    assert confirm.status_code == 200
    return Registration.objects.get(event=event, email=email)


def run_worker():
    mail.outbox.clear()
    call_command("run_worker", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return list(mail.outbox)
