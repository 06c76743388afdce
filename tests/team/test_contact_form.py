"""The public contact form: stored with its reference, two queued mails, consent, honeypot,
rate limit, bad input and the English version."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from counselling.models import OutboxMessage
from counselling.services import privacy_notice_version
from team.models import ContactMessage
from tests.html import links, text, texts, visible_text
from tests.team.helpers import VALID_CONTACT

pytestmark = pytest.mark.django_db

URL = "/kontakt/"


@pytest.fixture
def valid_data():
    return dict(VALID_CONTACT)


def _worker_step():
    call_command("run_worker", "--once")


def test_contact_urls_in_both_languages():
    assert reverse("team:contact") == URL
    assert reverse("team:contact_done") == "/kontakt/danke/"
    with translation.override("en"):
        assert reverse("team:contact") == "/en/kontakt/"


def test_contact_page_shows_the_form_and_points_municipalities_to_the_request_form(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert text(response, "#contact-form-title") == "Schreiben Sie uns"
    form = response.context["form"]
    assert list(form.fields) == [
        "name",
        "email",
        "organisation",
        "topic",
        "message",
        "consent",
        "website",
    ]
    assert [str(label) for _, label in form.fields["topic"].choices] == [
        "Allgemeine Frage",
        "Presse",
        "Publikationen",
        "Veranstaltungen",
        "Sonstiges",
    ]
    # Beside the topic choice: the way to the counselling form, not a guess from the message.
    assert text(response, "#topic-counselling-hint") == (
        "Sie sprechen für eine Kommune mit einem Konflikt vor Ort? Dann nutzen Sie bitte das "
        "Formular Beratung anfragen: Dort erreicht Ihre Anfrage direkt die Berater*innen."
    )
    assert links(response, "#topic-counselling-hint a") == [
        ("/beratung-anfragen/", "Beratung anfragen")
    ]
    page = visible_text(response)
    assert (
        "Wir löschen Ihre Nachricht und unsere Antwort 180 Tage, nachdem wir Ihre Anfrage "
        "erledigt haben, spätestens 365 Tage nach dem Eingang."
    ) in page
    assert f"Fassung der Datenschutzhinweise: {privacy_notice_version()}" in page
    html = response.content.decode()
    assert "style=" not in html
    assert "<script>" not in html


@pytest.mark.parametrize("amount", [0, 30])
def test_contact_page_query_count_does_not_depend_on_stored_messages(
    client, valid_data, django_assert_max_num_queries, amount
):
    from team import services

    for number in range(amount):
        services.contact_submit(data={**_model_data(valid_data), "name": f"Person {number}"})
    with django_assert_max_num_queries(3):  # details, privacy version, menus
        response = client.get(URL)
    assert response.status_code == 200


def _model_data(data):
    return {k: v for k, v in data.items() if k not in {"consent", "website"}}


def test_submit_stores_the_message_and_queues_two_mails(client, valid_data, settings):
    settings.CENTRE_NOTIFICATION_EMAIL = "zentrum@konfliktberatung.example.org"

    response = client.post(URL, valid_data)

    assert response.status_code == 302
    assert response["Location"] == "/kontakt/danke/"
    message = ContactMessage.objects.get()
    assert message.reference.startswith("KON-")
    assert len(message.reference) == len("KON-2026-ABCDEF")
    assert (message.name, message.email, message.organisation, message.topic) == (
        "Jana Presse",
        "jana@zeitung.example",
        "Beispielzeitung",
        "presse",
    )
    assert message.message == valid_data["message"]
    assert message.status == ContactMessage.Status.NEW
    assert message.language == "de"
    assert message.consent_notice_version == privacy_notice_version()
    assert message.consent_at is not None
    queued = OutboxMessage.objects.order_by("pk")
    assert [(m.kind, m.to, m.related_key, m.status) for m in queued] == [
        (
            OutboxMessage.Kind.CONTACT_CONFIRMATION,
            "jana@zeitung.example",
            f"team.contactmessage:{message.pk}",
            OutboxMessage.Status.PENDING,
        ),
        (
            OutboxMessage.Kind.CONTACT_NOTIFICATION,
            "zentrum@konfliktberatung.example.org",
            f"team.contactmessage:{message.pk}",
            OutboxMessage.Status.PENDING,
        ),
    ]
    # Nothing is sent by the web request itself: only the worker sends.
    assert mail.outbox == []

    _worker_step()

    assert [m.to for m in mail.outbox] == [
        ["jana@zeitung.example"],
        ["zentrum@konfliktberatung.example.org"],
    ]
    confirmation, notification = mail.outbox
    assert confirmation.subject == (
        f"Ihre Nachricht an das Kompetenzzentrum Kommunale Konfliktberatung: {message.reference}"
    )
    assert confirmation.body.startswith("Guten Tag,\n\nvielen Dank für Ihre Nachricht")
    assert f"Eingangsnummer {message.reference}" in confirmation.body
    assert "Thema: Presse" in confirmation.body
    assert "spätestens 365 Tage nach dem Eingang" in confirmation.body
    assert notification.subject == f"Neue Kontaktanfrage {message.reference}"
    assert notification.body == (
        f"Eine neue Kontaktanfrage ist eingegangen: {message.reference}\n\n"
        "Zur Kontaktanfrage (Anmeldung erforderlich):\n"
        f"{settings.SITE_URL.rstrip('/')}/admin/team/contactmessage/{message.pk}/change/\n"
    )
    # The centre's mail carries only the reference and the link: no personal data.
    for private in ["Jana", "zeitung.example", "Beispielzeitung", "kommunale Konflikte"]:
        assert private not in notification.body
        assert private not in notification.subject


def test_thank_you_page_shows_the_reference_once_and_no_personal_data_in_the_url(
    client, valid_data
):
    response = client.post(URL, valid_data, follow=True)

    message = ContactMessage.objects.get()
    assert response.redirect_chain == [("/kontakt/danke/", 302)]
    assert texts(response, "h1") == ["Vielen Dank für Ihre Nachricht"]
    assert text(response, ".reference") == message.reference
    assert "Jana" not in response.content.decode()

    again = client.get("/kontakt/danke/")
    assert texts(again, "h1") == ["Kontakt"]
    assert message.reference not in again.content.decode()


def test_honeypot_stores_nothing_but_looks_like_success(client, valid_data):
    response = client.post(URL, {**valid_data, "website": "http://spam.example"}, follow=True)

    assert response.redirect_chain == [("/kontakt/danke/", 302)]
    assert texts(response, "h1") == ["Vielen Dank für Ihre Nachricht"]
    assert ContactMessage.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_consent_is_required(client, valid_data):
    response = client.post(URL, {**valid_data, "consent": ""})

    assert response.status_code == 200
    assert texts(response, "#error-summary li") == [
        "Ich habe die Datenschutzhinweise gelesen und bin einverstanden: Bitte stimmen Sie den "
        "Datenschutzhinweisen zu, damit wir antworten können."
    ]
    assert response.context["form"]["name"].value() == "Jana Presse"
    assert ContactMessage.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"name": "   "}, "name", "Bitte nennen Sie Ihren Namen."),
        ({"email": ""}, "email", "Bitte geben Sie eine E-Mail-Adresse an."),
        (
            {"email": "jana-at-zeitung"},
            "email",
            "Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@beispiel.de.",
        ),
        ({"name": "n" * 201}, "name", "Bitte kürzen Sie die Angabe auf höchstens 200 Zeichen."),
        ({"topic": ""}, "topic", "Bitte wählen Sie ein Thema."),
        ({"topic": "beratung"}, "topic", "Bitte wählen Sie eines der angebotenen Themen."),
        ({"message": "  \n "}, "message", "Bitte schreiben Sie uns Ihre Nachricht."),
        (
            {"message": "x" * 5001},
            "message",
            "Bitte kürzen Sie den Text auf höchstens 5.000 Zeichen (jetzt: 5001).",
        ),
        (
            {"organisation": "o" * 256},
            "organisation",
            "Bitte kürzen Sie die Angabe auf höchstens 255 Zeichen.",
        ),
    ],
)
def test_bad_input_gets_a_german_message_and_stores_nothing(
    client, valid_data, changes, field, error
):
    response = client.post(URL, {**valid_data, **changes})

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [error]}
    assert texts(response, "title")[0].startswith("Fehler: Kontakt")
    assert ContactMessage.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_garbage_post_is_answered_with_messages_not_a_500(client):
    response = client.post(URL, {"topic": ["a", "b"], "consent": "x" * 10, "unknown": "1"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "email", "topic", "message"}
    assert ContactMessage.objects.count() == 0


def test_over_limit_body_gets_a_friendly_413(client, valid_data, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(URL, {**valid_data, "message": "x" * 5000})

    assert response.status_code == 413
    assert ContactMessage.objects.count() == 0


def test_rate_limit_refuses_further_messages_from_the_same_address(client, valid_data, settings):
    settings.COUNSELLING_RATE_LIMIT = 2
    for _ in range(2):
        assert client.post(URL, valid_data).status_code == 302

    response = client.post(URL, valid_data)

    assert response.status_code == 429
    assert texts(response, "h1") == ["Zu viele Nachrichten in kurzer Zeit"]
    assert ContactMessage.objects.count() == 2
    # Another address is not affected.
    other = client.post(URL, valid_data, REMOTE_ADDR="192.0.2.77")
    assert other.status_code == 302
    assert ContactMessage.objects.count() == 3


def test_honeypot_submissions_count_against_the_rate_limit(client, valid_data, settings):
    settings.COUNSELLING_RATE_LIMIT = 1
    assert client.post(URL, {**valid_data, "website": "x"}).status_code == 302

    assert client.post(URL, valid_data).status_code == 429
    assert ContactMessage.objects.count() == 0


def test_english_form_sends_an_english_confirmation(client, valid_data):
    response = client.get("/en" + URL)
    assert response.status_code == 200
    assert str(response.context["form"].fields["topic"].choices[2][1]) == "Publications"

    response = client.post("/en" + URL, {**valid_data, "topic": "publikationen"})

    assert response.status_code == 302
    assert response["Location"] == "/en/kontakt/danke/"
    message = ContactMessage.objects.get()
    assert message.language == "en"
    _worker_step()
    confirmation, notification = mail.outbox
    assert confirmation.body.startswith("Hello,")
    assert "Publications" in confirmation.body
    assert "Kind regards" in confirmation.body
    assert message.reference in confirmation.subject
    # The centre works in German, whatever the visitor's language.
    assert notification.subject == f"Neue Kontaktanfrage {message.reference}"
    assert "/admin/team/contactmessage/" in notification.body
    assert "/en/admin/" not in notification.body


def test_privacy_page_describes_both_forms_and_consent_records_its_new_version(
    client, centre_content, valid_data
):
    page = client.get("/datenschutz/")

    headings = texts(page, "main h2")
    assert "Nachricht über das Kontaktformular" in headings
    assert "Anmeldung zu Veranstaltungen" in headings
    body = visible_text(page)
    assert (
        "Nachrichten über das Kontaktformular löschen wir mit unseren Antworten 180 Tage, "
        "nachdem wir sie erledigt haben, spätestens 365 Tage nach dem Eingang."
    ) in body
    assert (
        "Die personenbezogenen Angaben einer Anmeldung zu einer Veranstaltung löschen wir "
        "30 Tage nach der Veranstaltung."
    ) in body
    english = visible_text(client.get("/en/datenschutz/"))
    assert "Contact form" in english
    assert "Event registration" in english
    assert "deleted 30 days after the event" in english

    client.post(URL, valid_data)

    assert ContactMessage.objects.get().consent_notice_version == "2026-11-30b"
