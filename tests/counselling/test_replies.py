"""Replies to the requester from the case page: templates, editing, sending, permissions."""

import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import formats, timezone

from counselling import replies, services
from counselling.models import CounsellingRequest, OutboxMessage, ReplyTemplate
from tests import html
from tests.factories import CaseFactory, CounsellingRequestFactory

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _case(by, **request_fields):
    request = CounsellingRequestFactory(
        contact_name="Erika Mustermann",
        institution="Gemeinde Musterdorf",
        email="erika@musterdorf.example",
        **request_fields,
    )
    return services.case_create_from_request(request=request, by=by)


def _reply_url(case):
    return f"/admin/counselling/case/{case.pk}/antwort/"


@pytest.fixture
def templates(db):
    services.reply_templates_ensure()
    return {t.name: t for t in ReplyTemplate.objects.all()}


def test_default_templates_are_created_once_and_never_overwritten():
    assert services.reply_templates_ensure() == 3
    assert list(ReplyTemplate.objects.values_list("name", flat=True)) == [
        "Bestätigung des Erstgesprächs",
        "Terminvorschläge",
        "Absage mit Hinweis auf andere Unterstützung",
    ]
    for template in ReplyTemplate.objects.all():
        assert "{reference}" in template.subject and "{reference}" in template.subject_en
        assert "{name}" in template.body and "{name}" in template.body_en
        assert "KKK" not in template.body + template.body_en
    ReplyTemplate.objects.filter(name="Terminvorschläge").update(body="Eigener Text")

    out = io.StringIO()
    call_command("load_content", stdout=out)
    assert services.reply_templates_ensure() == 0
    assert ReplyTemplate.objects.count() == 3
    assert ReplyTemplate.objects.get(name="Terminvorschläge").body == "Eigener Text"


def test_counsellor_fills_a_template_edits_it_and_sends_it(beratung, templates):
    beratung.first_name, beratung.last_name = "Bea", "Berater"
    beratung.save()
    case = _case(beratung)
    client = _client(beratung)

    # The case page offers the button.
    case_page = client.get(f"/admin/counselling/case/{case.pk}/change/")
    assert (_reply_url(case), "Antwort schreiben") in html.links(case_page, ".object-tools a")

    # Choosing a template fills in subject and text (no JavaScript needed: a GET form).
    template = templates["Terminvorschläge"]
    page = client.get(_reply_url(case), {"vorlage": template.pk})
    assert page.status_code == 200
    assert "erika@musterdorf.example" in html.visible_text(page)
    fields = dict(html.form_fields(page, "#reply-form"))
    assert fields["subject"] == f"Ihre Anfrage {case.request.reference}: Terminvorschläge"
    assert fields["body"].startswith("Guten Tag Erika Mustermann,\n\n")
    assert f"Anfrage {case.request.reference}." in fields["body"]
    assert "Bea Berater" in fields["body"]
    assert "{" not in fields["body"]

    # The counsellor edits and sends.
    fields["body"] = fields["body"].replace("- [Datum, Uhrzeit]", "- 3. Dezember, 10 Uhr", 1)
    response = client.post(_reply_url(case), fields)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/counselling/case/{case.pk}/change/"

    message = OutboxMessage.objects.get(kind=OutboxMessage.Kind.REPLY)
    assert (message.case, message.request, message.to) == (
        case,
        case.request,
        "erika@musterdorf.example",
    )
    call_command("run_worker", "--once", stdout=io.StringIO())
    [sent] = [m for m in mail.outbox if m.to == ["erika@musterdorf.example"]]
    assert sent.subject == f"Ihre Anfrage {case.request.reference}: Terminvorschläge"
    assert "- 3. Dezember, 10 Uhr" in sent.body

    # The sent mail shows in the case's timeline, with the text that was sent.
    case_page = client.get(response["Location"])
    assert sent.subject in html.visible_text(case_page)
    assert "- 3. Dezember, 10 Uhr" in html.text(case_page, ".workspace-timeline-body")


def test_english_requests_get_the_english_text(beratung, templates):
    case = _case(beratung, language="en")
    page = _client(beratung).get(
        _reply_url(case), {"vorlage": templates["Bestätigung des Erstgesprächs"].pk}
    )
    fields = dict(html.form_fields(page, "#reply-form"))
    assert fields["subject"] == f"Your request {case.request.reference}: our first meeting"
    assert fields["body"].startswith("Dear Erika Mustermann,")
    assert "Sprache: Englisch" in html.visible_text(page)


def test_subject_always_carries_the_reference(beratung):
    case = _case(beratung)
    client = _client(beratung)
    client.post(_reply_url(case), {"subject": "Unser Gespräch", "body": "Guten Tag"})
    message = OutboxMessage.objects.get(kind=OutboxMessage.Kind.REPLY)
    assert message.subject == f"Unser Gespräch [{case.request.reference}]"

    services.case_reply_send(
        case=case, subject=f"Zum Fall {case.reference}", body="Text", by=beratung
    )
    assert OutboxMessage.objects.filter(subject=f"Zum Fall {case.reference}").exists()


def test_empty_subject_or_text_is_refused_with_a_message(beratung):
    case = _case(beratung)
    response = _client(beratung).post(_reply_url(case), {"subject": " ", "body": ""})
    assert response.status_code == 400
    assert html.texts(response, ".errorlist li") == [
        "Dieses Feld ist zwingend erforderlich.",
        "Dieses Feld ist zwingend erforderlich.",
    ]
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REPLY).exists()


def test_only_people_who_may_change_the_case_may_reply(
    beratung, beratung2, leitung, redaktion, templates
):
    case = _case(beratung)
    url = _reply_url(case)
    data = {"subject": "Hallo", "body": "Text"}

    for outsider in (beratung2, redaktion):
        client = _client(outsider)
        assert client.get(url).status_code in (403, 404)
        assert client.post(url, data).status_code in (403, 404)
        page = client.get(f"/admin/counselling/case/{case.pk}/change/")
        assert url not in page.content.decode()
    assert _client(beratung2).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login
    with pytest.raises(PermissionDenied):
        services.case_reply_send(case=case, subject="Hallo", body="Text", by=beratung2)
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REPLY).exists()

    # Leitung may answer on every case.
    assert _client(leitung).post(url, data).status_code == 302
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REPLY).count() == 1


def test_no_reply_without_a_requester_address(beratung, leitung):
    without_request = CaseFactory(lead_counsellor=beratung)
    without_request.counsellors.add(beratung)
    client = _client(beratung)
    page = client.get(_reply_url(without_request))
    assert page.status_code == 200
    assert html.text(page, ".errornote") == (
        "Dieser Fall ist nicht aus einer Anfrage entstanden: Es gibt keine Adresse."
    )
    assert html.texts(page, "#reply-form") == []
    assert client.post(_reply_url(without_request), {"subject": "a", "body": "b"}).status_code == (
        409
    )

    anonymised = _case(beratung)
    services.request_anonymise(request=anonymised.request)
    page = client.get(_reply_url(anonymised))
    assert html.text(page, ".errornote") == (
        "Die Angaben der Anfrage sind gelöscht: Es gibt keine Adresse mehr."
    )
    with pytest.raises(ValidationError):
        services.case_reply_send(case=anonymised, subject="a", body="b", by=beratung)
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REPLY).exists()


def test_placeholders_are_replaced_and_stray_braces_stay(beratung):
    case = _case(beratung)
    values = replies.placeholder_values(case=case, counsellor=beratung)
    text = "{name} / {institution} / {reference} / {case_reference} / {date} / {x} / {"
    assert replies.fill(text, values) == (
        f"Erika Mustermann / Gemeinde Musterdorf / {case.request.reference} / {case.reference} / "
        f"{formats.date_format(timezone.localdate(), 'SHORT_DATE_FORMAT')} / {{x}} / {{"
    )


def test_reply_templates_are_managed_by_leitung_only(leitung, beratung, templates):
    assert _client(leitung).get("/admin/counselling/replytemplate/").status_code == 200
    template = templates["Terminvorschläge"]
    page = _client(leitung).get(f"/admin/counselling/replytemplate/{template.pk}/change/")
    assert page.status_code == 200
    assert _client(beratung).get("/admin/counselling/replytemplate/").status_code == 403


def test_withdrawn_request_mails_are_gone_from_the_reply_as_well(beratung):
    # A reply's copy is personal data of the request: anonymising scrubs it.
    case = _case(beratung)
    services.case_reply_send(case=case, subject="Hallo", body="Liebe Erika", by=beratung)
    services.case_anonymise(case=case)
    message = OutboxMessage.objects.get(kind=OutboxMessage.Kind.REPLY)
    assert (message.to, message.body) == ("anonymisiert@example.invalid", "[anonymisiert]")
    assert CounsellingRequest.objects.get().anonymised_at is not None
