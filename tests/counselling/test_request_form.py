"""The public request form: storing, confirming, mails, errors and bad input."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from counselling import services
from counselling.models import CounsellingRequest, OutboxMessage

pytestmark = pytest.mark.django_db

URL = "/beratung-anfragen/"


def _text(response):
    """The page with runs of whitespace collapsed, as a person reads it."""
    return re.sub(r"\s+", " ", response.content.decode())


def _field_errors(response):
    errors = response.context["form"].errors
    return {name: [str(e) for e in messages] for name, messages in errors.items()}


def test_form_url_names_in_both_languages():
    assert reverse("counselling:request") == URL
    from django.utils import translation

    with translation.override("en"):
        assert reverse("counselling:request") == "/en/beratung-anfragen/"


def test_form_offers_only_active_topics_and_says_what_is_stored(client, topics):
    response = client.get(URL)

    assert response.status_code == 200
    offered = [str(label) for _, label in response.context["form"].fields["topics"].choices]
    assert offered == ["Migration und Zusammenleben", "Rechtsextremismus"]
    html = _text(response)
    assert 'maxlength="5000"' in html
    assert "Höchstens 5.000 Zeichen" in html
    assert (
        "Wird aus Ihrer Anfrage keine Beratung, löschen wir Ihre Angaben 90 Tage nach dieser "
        "Entscheidung, spätestens 12 Monate nach dem Eingang. Wird daraus eine Beratung, "
        "anonymisieren wir die Fallakte 3 Jahre nach ihrem Abschluss."
    ) in html
    assert 'aria-live="polite"' in html
    assert '<label for="id_website" class="form-label"> Bitte leer lassen </label>' in html
    assert 'name="website" tabindex="-1" autocomplete="off"' in html
    assert "style=" not in html
    assert "<script>" not in html


def test_english_form_renders(client, topics):
    response = client.get("/en" + URL)
    assert response.status_code == 200
    assert response.context["form"].fields["institution"].required is True


def test_valid_request_is_stored_and_confirmed_once(
    client, valid_request_data, settings, django_capture_on_commit_callbacks
):
    settings.PRIVACY_NOTICE_VERSION = "2026-11-01"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, valid_request_data)

    assert response.status_code == 302
    assert response["Location"] == "/beratung-anfragen/danke/"
    stored = CounsellingRequest.objects.get()
    assert re.fullmatch(r"ANF-\d{4}-[A-Z2-9]{6}", stored.reference)
    assert stored.institution == "Gemeinde Musterdorf"
    assert stored.status == CounsellingRequest.Status.NEW
    assert stored.consent_notice_version == "2026-11-01"
    assert stored.consent_at is not None
    assert [t.name for t in stored.topics.all()] == ["Migration und Zusammenleben"]

    done = client.get(response["Location"])
    assert done.context["reference"] == stored.reference
    assert f'<strong class="reference">{stored.reference}</strong>' in _text(done)
    # Shown once: a reload (or someone guessing the URL) sees no reference.
    again = client.get(response["Location"])
    assert again.context["reference"] is None
    assert stored.reference not in _text(again)
    assert stored.reference not in _text(Client().get(response["Location"]))


def test_mails_carry_the_reference_but_not_the_submitted_text(
    client, valid_request_data, settings, django_capture_on_commit_callbacks
):
    settings.CENTRE_NOTIFICATION_EMAIL = "team@konfliktberatung.example.org"
    settings.SITE_URL = "https://portal.konfliktberatung.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, valid_request_data)
    assert mail.outbox == []  # the form only queues; the worker sends
    services.worker_run_once()

    stored = CounsellingRequest.objects.get()
    assert [m.to for m in mail.outbox] == [
        ["erika@musterdorf.example"],
        ["team@konfliktberatung.example.org"],
    ]
    confirmation, notification = mail.outbox
    assert confirmation.subject == (
        f"Ihre Anfrage beim Kompetenzzentrum Kommunale Konfliktberatung: {stored.reference}"
    )
    assert stored.reference in confirmation.body
    assert notification.subject == f"Neue Beratungsanfrage {stored.reference}"
    assert notification.body.strip() == (
        f"Eine neue Beratungsanfrage ist eingegangen: {stored.reference}\n\n"
        "Zur Anfrage (Anmeldung erforderlich):\n"
        f"https://portal.konfliktberatung.example.org/admin/counselling/counsellingrequest/{stored.pk}/change/"
    )
    for message in mail.outbox:
        for private in ["Marktplatz", "Erika", "Musterdorf", "Bürgerinitiative"]:
            assert private not in message.body
    assert list(OutboxMessage.objects.values_list("status", "tries")) == [
        ("gesendet", 1),
        ("gesendet", 1),
    ]


def test_errors_are_summarised_and_input_is_kept(client, valid_request_data):
    data = {**valid_request_data, "email": "erika-at-musterdorf", "consent": ""}
    data.pop("consent")

    response = client.post(URL, data)

    assert response.status_code == 200
    assert CounsellingRequest.objects.count() == 0
    assert _field_errors(response) == {
        "email": ["Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@gemeinde.de."],
        "consent": ["Bitte stimmen Sie den Datenschutzhinweisen zu, damit wir antworten können."],
    }
    html = _text(response)
    assert (
        "<title>Fehler: Beratung anfragen · Kompetenzzentrum Kommunale Konfliktberatung</title>"
        in html
    )
    assert '<div id="error-summary"' in html
    assert html.index('id="error-summary"') < html.index('class="request-form"')
    assert '<a href="#id_email">E-Mail: Bitte geben Sie eine gültige' in html
    assert 'value="Gemeinde Musterdorf"' in html
    assert 'value="erika-at-musterdorf"' in html
    assert "Seit dem Sommer streiten" in html


def test_phone_is_required_when_phone_contact_is_preferred(client, valid_request_data):
    response = client.post(URL, {**valid_request_data, "contact_preference": "telefon"})
    assert _field_errors(response) == {
        "phone": ["Bitte geben Sie eine Telefonnummer an, wenn wir anrufen sollen."]
    }
    assert '<a href="#id_phone">' in _text(response)


def test_radio_errors_link_to_the_first_option(client, valid_request_data):
    data = dict(valid_request_data)
    data.pop("urgency")
    response = client.post(URL, data)
    assert _field_errors(response) == {"urgency": ["Bitte wählen Sie, wie dringend es ist."]}
    assert '<a href="#id_urgency_0">Dringlichkeit: Bitte wählen Sie' in _text(response)


def test_honeypot_pretends_success_and_stores_nothing(
    client, valid_request_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**valid_request_data, "website": "http://spam.example"})

    assert response.status_code == 302
    assert CounsellingRequest.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []
    done = client.get(response["Location"])
    assert re.fullmatch(r"ANF-\d{4}-[A-Z2-9]{6}", done.context["reference"])


def test_rate_limit_allows_five_submissions_an_hour(client, valid_request_data, settings):
    settings.COUNSELLING_RATE_LIMIT = 5
    codes = [client.post(URL, valid_request_data).status_code for _ in range(6)]

    assert codes == [302, 302, 302, 302, 302, 429]
    assert CounsellingRequest.objects.count() == 5
    blocked = client.post(URL, valid_request_data)
    assert blocked.status_code == 429
    assert "<h1>Zu viele Anfragen in kurzer Zeit</h1>" in _text(blocked)
    # Another address is not affected.
    other = client.post(URL, valid_request_data, REMOTE_ADDR="192.0.2.44")
    assert other.status_code == 302


def test_invalid_attempts_do_not_count_against_the_rate_limit(client, valid_request_data):
    for _ in range(6):
        assert client.post(URL, {"institution": "x"}).status_code == 200
    assert client.post(URL, valid_request_data).status_code == 302


def test_over_limit_body_gets_a_friendly_413(valid_request_data, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.get(URL)
    data = {
        **valid_request_data,
        "situation": "x" * 20_000,
        "csrfmiddlewaretoken": csrf_client.cookies["csrftoken"].value,
    }

    response = csrf_client.post(URL, data)

    assert response.status_code == 413
    assert "<h1>Das Formular enthielt zu viele Daten</h1>" in _text(response)
    assert CounsellingRequest.objects.count() == 0


def test_missing_csrf_token_gets_a_german_page(valid_request_data):
    response = Client(enforce_csrf_checks=True).post(URL, valid_request_data)

    assert response.status_code == 403
    assert "<h1>Das Formular konnte nicht gesendet werden</h1>" in _text(response)
    assert CounsellingRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "errors"),
    [
        ("situation", "Streit\x00um den Platz", ["Nullzeichen sind nicht erlaubt."]),
        ("institution", "Gemeinde\x00", ["Nullzeichen sind nicht erlaubt."]),
        (
            "situation",
            "x" * 1_000_000,
            ["Bitte kürzen Sie den Text auf höchstens 5.000 Zeichen (jetzt: 1000000)."],
        ),
        (
            "email",
            "erika@musterdorf.example\nBcc: victim@example.org",
            ["Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@gemeinde.de."],
        ),
        (
            "phone",
            "<script>alert(1)</script>",
            ["Bitte geben Sie nur Ziffern, Leerzeichen und + ( ) / - an, z. B. 0345 123456."],
        ),
        ("state", "XX", ["Bitte eine gültige Auswahl treffen. XX ist keine gültige Auswahl."]),
        (
            "topics",
            "999999",
            ["Bitte eine gültige Auswahl treffen. 999999 ist keine gültige Auswahl."],
        ),
        ("topics", "abc", ["„abc“ ist kein gültiger Wert."]),
    ],
)
def test_bad_input_is_refused_with_a_field_message(
    client, valid_request_data, field, value, errors
):
    response = client.post(URL, {**valid_request_data, field: value})

    assert response.status_code == 200
    assert _field_errors(response) == {field: errors}
    assert CounsellingRequest.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize(
    "situation",
    [
        "Streit um den Marktplatz 😡🔥 – und Gesprächsbedarf 🙏",
        "النزاع حول الساحة في البلدية",  # right-to-left text
        "‮Umgedrehter Text‬ und שלום",
        '<script>alert("x")</script><b>fett</b> & <img src=x onerror=alert(1)>',
    ],
)
def test_unusual_text_is_stored_exactly_and_shown_escaped(
    client, valid_request_data, situation, django_user_model
):
    response = client.post(URL, {**valid_request_data, "situation": situation})

    assert response.status_code == 302
    stored = CounsellingRequest.objects.get()
    assert stored.situation == situation
    admin = django_user_model.objects.create_superuser(
        "chef", "chef@konfliktberatung.example.org", "pw"
    )
    client.force_login(admin)
    page = client.get(reverse("admin:counselling_counsellingrequest_change", args=[stored.pk]))
    assert page.status_code == 200
    html = _text(page)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    if "<script>" in situation:
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_garbage_post_never_gives_a_500(client, topics):
    for data in [{}, {"topics": ["1", "x", ""]}, {"consent": "\x00"}, {"situation": ["a", "b"]}]:
        assert client.post(URL, data).status_code == 200
    assert CounsellingRequest.objects.count() == 0


def test_consent_records_the_version_of_the_privacy_page_staff_edited(
    client, valid_request_data, django_capture_on_commit_callbacks
):
    from kkk_portal.models import SitePage

    # The page comes from load_content (not loaded here): make it as the seeds would.
    page, _ = SitePage.objects.get_or_create(
        slug="datenschutz",
        defaults={"title": "Datenschutzerklärung", "body": "Text", "role": "datenschutz"},
    )
    page.version = "2027-01-15"
    page.save()

    assert "2027-01-15" in client.get(URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, valid_request_data)

    stored = CounsellingRequest.objects.get()
    assert stored.consent_notice_version == "2027-01-15"
    # The text agreed to stays provable through the page's history.
    assert page.history.filter(version="2027-01-15").exists()
