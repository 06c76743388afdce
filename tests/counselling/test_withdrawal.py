"""A requester withdraws their request from the link in the confirmation mail.

The link only shows a page (mail scanners follow links); the button's POST
withdraws and erases the personal data at once.
"""

import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client

from counselling import services
from counselling.models import CounsellingRequest, OutboxMessage
from tests import html
from tests.factories import CaseFactory, CounsellingRequestFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM_URL = "/beratung-anfragen/"
WITHDRAW_PATH = "/beratung-anfragen/zurueckziehen/"
PERSONAL = ["Erika", "Musterdorf", "Marktplatz", "erika@musterdorf.example", "Bürgermeisterin"]


def _submit(client, data, *, prefix=""):
    client.post(f"{prefix}{FORM_URL}", data)
    return CounsellingRequest.objects.get()


def _withdraw_link(body: str) -> str:
    """The link in the confirmation mail, as a path with query string."""
    match = re.search(r"https?://\S+/beratung-anfragen/zurueckziehen/\?t=\S+", body)
    assert match, body
    url = urlsplit(match.group(0))
    return f"{url.path}?{url.query}"


def _confirmation_mail_body(settings) -> str:
    call_command("run_worker", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return next(m.body for m in mail.outbox if m.to == ["erika@musterdorf.example"])


def test_confirmation_mail_links_to_a_page_that_withdraws_only_on_post(
    client, valid_request_data, settings
):
    settings.SITE_URL = "https://portal.konfliktberatung.example.org"
    stored = _submit(client, valid_request_data)
    assert stored.language == "de"
    body = _confirmation_mail_body(settings)
    assert "https://portal.konfliktberatung.example.org/beratung-anfragen/zurueckziehen/?t=" in body
    link = _withdraw_link(body)

    # A mail scanner (or the requester) opens the link: nothing happens yet.
    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200
    assert html.text(page, "h1") == "Anfrage zurückziehen"
    assert html.text(page, ".reference") == stored.reference
    assert html.texts(page, "form.withdraw-form button") == ["Anfrage zurückziehen"]
    assert "no-store" in page["Cache-Control"]
    assert "KKK" not in html.visible_text(page, attributes=True)
    stored.refresh_from_db()
    assert (stored.status, stored.withdrawn_at, stored.anonymised_at) == ("neu", None, None)
    assert stored.contact_name == "Erika Mustermann"

    # The button: withdrawn, personal data gone, the page says so.
    fields = dict(html.form_fields(page, "form.withdraw-form"))
    response = visitor.post(WITHDRAW_PATH, fields)
    assert response.status_code == 302
    done = visitor.get(response["Location"])
    assert html.text(done, "h1") == "Ihre Anfrage ist zurückgezogen"
    assert stored.reference in html.text(done, "[role=status]")
    assert html.texts(done, "form.withdraw-form") == []

    stored.refresh_from_db()
    assert stored.status == CounsellingRequest.Status.WITHDRAWN
    assert stored.withdrawn_at is not None and stored.anonymised_at is not None
    assert (stored.institution, stored.contact_name, stored.email, stored.situation) == (
        "[anonymisiert]",
        "[anonymisiert]",
        "anonymisiert@example.invalid",
        "[anonymisiert]",
    )
    # No copy anywhere: history rows and mails are scrubbed too.
    for row in CounsellingRequest.history.filter(id=stored.pk):
        assert row.contact_name == "[anonymisiert]"
        assert row.email == "anonymisiert@example.invalid"
    for message in OutboxMessage.objects.all():
        for private in PERSONAL:
            assert private not in message.body
            assert private not in message.to


def test_withdrawal_drops_waiting_mails_and_tells_the_centre_reference_only(
    client, valid_request_data, settings
):
    settings.CENTRE_NOTIFICATION_EMAIL = "team@konfliktberatung.example.org"
    stored = _submit(client, valid_request_data)
    # Withdrawn before the worker ran: the confirmation must not go to an erased address.
    services.request_withdraw(request=stored)
    call_command("run_worker", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["team@konfliktberatung.example.org"], f"Anfrage {stored.reference} zurückgezogen")
    ]
    body = mail.outbox[0].body
    assert f"/admin/counselling/counsellingrequest/{stored.pk}/change/" in body
    for private in PERSONAL:
        assert private not in body


def test_english_request_gets_an_english_link_and_page(client, valid_request_data, settings):
    stored = _submit(client, valid_request_data, prefix="/en")
    assert stored.language == "en"
    body = _confirmation_mail_body(settings)
    link = _withdraw_link(body)
    assert link.startswith("/en/beratung-anfragen/zurueckziehen/?t=")
    page = Client().get(link)
    assert page.status_code == 200
    assert html.doc(page).html["lang"] == "en"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "nonsense",
        "MQ:1tXyzA:forged-signature-forged-signature12",
        signing.dumps(1, salt="another.salt"),
    ],
)
def test_bad_tokens_get_a_clear_400_page_and_withdraw_nothing(client, token):
    request = CounsellingRequestFactory(pk=1)
    page = client.get(WITHDRAW_PATH, {"t": token})
    assert page.status_code == 400
    assert html.text(page, "h1") == "Dieser Link ist ungültig oder abgelaufen"
    response = client.post(WITHDRAW_PATH, {"t": token})
    assert response.status_code == 400
    request.refresh_from_db()
    assert (request.status, request.anonymised_at) == ("neu", None)


def test_a_tampered_token_of_another_request_does_not_work(client):
    mine = CounsellingRequestFactory()
    other = CounsellingRequestFactory()
    token = services.request_withdraw_token(request=mine)
    _value, timestamp, signature = token.split(":")
    forged_value = signing.b64_encode(str(other.pk).encode()).decode()
    forged = ":".join([forged_value, timestamp, signature])
    assert client.post(WITHDRAW_PATH, {"t": forged}).status_code == 400
    other.refresh_from_db()
    assert other.anonymised_at is None


class _SignerOfFortyDaysAgo(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 40 * 24 * 60 * 60)


def test_an_expired_token_gets_the_400_page(client, settings):
    settings.COUNSELLING_REQUEST_RETENTION_MONTHS = 1
    request = CounsellingRequestFactory()
    expired = _SignerOfFortyDaysAgo(salt=services.WITHDRAW_SALT).sign_object(request.pk)
    assert client.get(WITHDRAW_PATH, {"t": expired}).status_code == 400
    assert client.post(WITHDRAW_PATH, {"t": expired}).status_code == 400
    fresh = services.request_withdraw_token(request=request)
    assert client.get(WITHDRAW_PATH, {"t": fresh}).status_code == 200
    request.refresh_from_db()
    assert request.anonymised_at is None


def test_a_request_that_became_a_case_is_not_withdrawn(client, settings):
    request = CounsellingRequestFactory(status=CounsellingRequest.Status.CASE)
    CaseFactory(request=request, lead_counsellor=UserFactory())
    token = services.request_withdraw_token(request=request)

    page = client.get(WITHDRAW_PATH, {"t": token})
    assert page.status_code == 200
    assert html.text(page, "h1") == "Ihre Anfrage wird bereits bearbeitet"
    assert html.texts(page, "form.withdraw-form") == []
    assert ("/kontakt/", "Kontaktseite") in html.links(page, "#main a, main a")

    response = client.post(WITHDRAW_PATH, {"t": token})
    assert response.status_code == 409
    assert html.text(response, "h1") == "Ihre Anfrage wird bereits bearbeitet"
    request.refresh_from_db()
    assert (request.status, request.withdrawn_at, request.anonymised_at) == ("fall", None, None)
    assert request.contact_name == "Erika Mustermann"


def test_withdrawing_twice_or_after_retention_says_so(client):
    request = CounsellingRequestFactory()
    token = services.request_withdraw_token(request=request)
    client.post(WITHDRAW_PATH, {"t": token})
    again = client.post(WITHDRAW_PATH, {"t": token})
    assert again.status_code == 409
    assert html.text(again, "h1") == "Ihre Anfrage ist zurückgezogen"

    erased = CounsellingRequestFactory()
    services.request_anonymise(request=erased)
    page = client.get(WITHDRAW_PATH, {"t": services.request_withdraw_token(request=erased)})
    assert html.text(page, "h1") == "Anfrage abgeschlossen"
    assert html.texts(page, "form.withdraw-form") == []


def test_withdraw_post_without_csrf_token_is_refused():
    request = CounsellingRequestFactory()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(WITHDRAW_PATH, {"t": services.request_withdraw_token(request=request)})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.anonymised_at is None


def test_thank_you_page_mentions_the_withdrawal_link(client, valid_request_data):
    response = client.post(FORM_URL, valid_request_data)
    done = client.get(response["Location"])
    assert "Link, mit dem Sie Ihre Anfrage zurückziehen können" in html.visible_text(done)
