"""Staff are told about their cases by mail (reference and admin link only) and can opt out."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from counselling import services
from counselling.models import Case, OutboxMessage, StaffProfile
from tests import html
from tests.factories import CounsellingRequestFactory, MunicipalityFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE_URL = "/admin/konto/benachrichtigungen/"
SITE = "https://portal.konfliktberatung.example.org"
# What must never be in a mail to staff: the case's content.
CONTENT = ["Streit am Marktplatz", "Musterstadt", "Protokoll der Sitzung", "Erika", "Notiz"]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _deliver() -> list:
    """Run the worker once; the mails it sent as (to, subject, body)."""
    call_command("run_worker", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return [(m.to[0], m.subject, m.body) for m in mail.outbox]


def _case(*, lead, counsellors=()):
    case = services.case_create_from_request(
        request=CounsellingRequestFactory(contact_name="Erika Mustermann"), by=lead
    )
    Case.objects.filter(pk=case.pk).update(
        title="Streit am Marktplatz", municipality=MunicipalityFactory(name="Musterstadt")
    )
    case.counsellors.add(*counsellors)
    return Case.objects.get(pk=case.pk)


def _assert_reference_and_link_only(case, body):
    assert f"{SITE}/admin/counselling/case/{case.pk}/change/" in body
    assert case.reference in body
    for content in CONTENT:
        assert content not in body


def test_assignment_mails_the_newly_assigned_not_the_assigner(leitung, beratung, beratung2):
    case = _case(lead=leitung)
    mail.outbox.clear()
    OutboxMessage.objects.all().delete()

    services.case_assign(case=case, lead_counsellor=beratung, counsellors=[beratung2], by=leitung)
    sent = _deliver()

    assert sorted((to, subject) for to, subject, _body in sent) == [
        (beratung2.email, f"Fall {case.reference}: Sie wurden zugewiesen"),
        (beratung.email, f"Fall {case.reference}: Sie wurden zugewiesen"),
    ]
    for _to, _subject, body in sent:
        _assert_reference_and_link_only(case, body)
    assert set(OutboxMessage.objects.values_list("kind", "case")) == {("mitarbeitende", case.pk)}

    # Assigning the same people again tells nobody anything new.
    mail.outbox.clear()
    services.case_assign(case=case, lead_counsellor=beratung, counsellors=[beratung2], by=leitung)
    assert _deliver() == []


def test_status_change_mails_the_team_except_who_changed_it(beratung, beratung2, leitung):
    case = _case(lead=beratung, counsellors=[beratung2])
    inactive = UserFactory(username="gone", is_active=False)
    case.counsellors.add(inactive)

    services.case_change_status(case=case, status=Case.Status.FIRST_TALK, by=beratung)
    sent = _deliver()

    assert [(to, subject) for to, subject, _body in sent] == [
        (beratung2.email, f"Fall {case.reference}: Status geändert")
    ]
    _assert_reference_and_link_only(case, sent[0][2])
    assert "Erstgespräch" not in sent[0][2]


def test_document_mail_never_names_the_document(beratung, beratung2):
    case = _case(lead=beratung, counsellors=[beratung2])

    services.document_add(
        case=case,
        title="Protokoll der Sitzung",
        kind="protokoll",
        file=SimpleUploadedFile("protokoll.pdf", b"%PDF-1.4"),
        by=beratung2,
    )
    sent = _deliver()

    assert [(to, subject) for to, subject, _body in sent] == [
        (beratung.email, f"Fall {case.reference}: neues Dokument")
    ]
    _assert_reference_and_link_only(case, sent[0][2])


def test_status_change_through_the_admin_mails_the_colleague(beratung, beratung2):
    case = _case(lead=beratung, counsellors=[beratung2])
    client = Client()
    client.force_login(beratung)
    change = client.get(f"/admin/counselling/case/{case.pk}/change/")
    data: dict[str, list[str]] = {}
    for name, value in html.form_fields(change, "#case_form"):
        data.setdefault(name, []).append(value)
    data["status"] = [Case.Status.FIRST_TALK]

    response = client.post(f"/admin/counselling/case/{case.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [(to, subject) for to, subject, _body in _deliver()] == [
        (beratung2.email, f"Fall {case.reference}: Status geändert")
    ]


def test_the_mail_is_only_queued_when_the_change_is_committed(beratung, beratung2):
    case = _case(lead=beratung, counsellors=[beratung2])

    with pytest.raises(ValidationError):
        services.case_change_status(case=case, status=Case.Status.CLOSED, by=beratung)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_change_status(case=case, status=Case.Status.FIRST_TALK, by=beratung)
        raise RuntimeError("the surrounding save fails")

    assert OutboxMessage.objects.filter(kind="mitarbeitende").count() == 0
    case.refresh_from_db()
    assert case.status == Case.Status.REQUEST


def test_profile_page_switches_mails_off(beratung, beratung2):
    case = _case(lead=beratung, counsellors=[beratung2])
    client = Client()
    client.force_login(beratung2)

    page = client.get(PROFILE_URL)
    assert page.status_code == 200
    assert html.text(page, "h1") == "Benachrichtigungen"
    # Everything is on until switched off.
    assert dict(html.form_fields(page, "#content-main form")) == {
        "csrfmiddlewaretoken": html.csrf_token(page),
        "notify_assignments": "on",
        "notify_status_changes": "on",
        "notify_documents": "on",
        "notify_follow_ups": "on",
    }

    response = client.post(
        PROFILE_URL, {"notify_assignments": "on", "notify_documents": "on", "notify_follow_ups": ""}
    )
    assert response.status_code == 302
    profile = StaffProfile.objects.get(user=beratung2)
    assert (
        profile.notify_assignments,
        profile.notify_status_changes,
        profile.notify_documents,
        profile.notify_follow_ups,
    ) == (True, False, True, False)
    again = client.get(response["Location"])
    assert "Ihre Einstellungen sind gespeichert." in html.texts(again, ".messagelist li")

    services.case_change_status(case=case, status=Case.Status.FIRST_TALK, by=beratung)
    assert _deliver() == []


def test_profile_page_is_linked_in_the_user_tools(beratung):
    client = Client()
    client.force_login(beratung)
    page = client.get("/admin/")
    assert (PROFILE_URL, "Benachrichtigungen") in html.links(page, "#user-tools a")


def test_profile_page_needs_a_staff_login_with_second_factor(beratung):
    anonymous = Client().get(PROFILE_URL)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]

    password_only = Client()
    password_only.force_login(beratung, otp=False)
    response = password_only.get(PROFILE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/konto/zwei-faktor/")
    assert password_only.post(PROFILE_URL, {}).status_code == 302
    assert not StaffProfile.objects.filter(user=beratung).exists()

    not_staff = UserFactory(username="visitor", is_staff=False)
    client = Client()
    client.force_login(not_staff, otp=False)
    assert client.get(PROFILE_URL).status_code == 302


def test_unknown_switches_are_refused(beratung):
    with pytest.raises(TypeError):
        services.staff_profile_update(user=beratung, is_superuser=True)
