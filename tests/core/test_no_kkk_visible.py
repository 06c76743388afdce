"""The abbreviation "KKK" reads as the Ku-Klux-Klan in Germany: no visitor or requester sees it.

Checked on everything public (every page in both languages, feeds, calendar
files, sitemap, robots.txt, search, an error page) and in the mails a request
sends. The Python package name `kkk_portal` is not visible and stays.
"""

import re

import pytest
from django.conf import settings

from counselling.models import OutboxMessage, Topic
from tests.core.public_site import fetch_public_site
from tests.counselling.conftest import VALID_REQUEST

KKK = re.compile(r"\bkkk\b", re.IGNORECASE)


def hits(text: str) -> list[str]:
    return [text[max(0, m.start() - 40) : m.end() + 40] for m in KKK.finditer(text)]


@pytest.mark.django_db
def test_no_public_page_feed_or_calendar_shows_kkk(client, centre_content):
    pages = fetch_public_site(client)
    for path in ["/sitemap.xml", "/robots.txt"]:
        pages[path] = client.get(path).content.decode()
    found = {path: hits(text) for path, text in pages.items()}
    assert {path: h for path, h in found.items() if h} == {}


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_request_mails_do_not_show_kkk(
    client, centre_content, prefix, django_capture_on_commit_callbacks
):
    topic = Topic.objects.order_by("order").first()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{prefix}/beratung-anfragen/", {**VALID_REQUEST, "topics": [str(topic.pk)]}
        )
    assert response.status_code == 302
    # What the outbox sends: the confirmation and the centre's notification.
    queued = list(OutboxMessage.objects.values_list("subject", "body", "to"))
    assert len(queued) == 2
    for subject, body, to in queued:
        assert hits(" ".join([subject, body, to, settings.DEFAULT_FROM_EMAIL])) == []
    done = client.get(response["Location"]).content.decode()
    assert hits(done) == []


def test_the_check_finds_the_abbreviation_but_not_the_package_name():
    assert hits("Ihre Anfrage beim KKK: ANF-1") != []
    assert hits("PRODID:-//Zentrum//KKK-Portal//DE") != []
    assert hits("kkk-veranstaltungen.ics") != []
    assert hits("{% load kkk_portal %} Kompetenzzentrum") == []
