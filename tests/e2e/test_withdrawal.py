"""Real browser: a requester withdraws a request; a counsellor answers one from a template."""

import pytest
from django.contrib.auth.models import Group

from counselling import services
from counselling.models import CounsellingRequest, OutboxMessage
from counselling.permissions import BERATUNG
from tests.axe import assert_no_axe_violations
from tests.conftest import enter_second_factor
from tests.factories import CaseFactory, CounsellingRequestFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _link(live_server, request, *, prefix=""):
    token = services.request_withdraw_token(request=request)
    return f"{live_server.url}{prefix}/beratung-anfragen/zurueckziehen/?t={token}"


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("width", [360, 1280])
def test_requester_withdraws_with_the_button(page, live_server, lang, width):
    prefix = "" if lang == "de" else "/en"
    request = CounsellingRequestFactory()
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(_link(live_server, request, prefix=prefix))
    assert page.locator(".reference").inner_text() == request.reference
    assert "KKK" not in page.content()
    assert_no_axe_violations(page)
    request.refresh_from_db()
    assert request.anonymised_at is None  # opening the link changes nothing

    page.locator("form.withdraw-form button").click()
    page.wait_for_selector("[role=status]")
    assert request.reference in page.locator("[role=status]").inner_text()
    assert_no_axe_violations(page)
    request.refresh_from_db()
    assert request.status == CounsellingRequest.Status.WITHDRAWN
    assert request.contact_name == "[anonymisiert]"


def test_withdrawal_works_without_javascript(browser, live_server):
    request = CounsellingRequestFactory()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(_link(live_server, request))
    page.locator("form.withdraw-form button").click()
    page.wait_for_selector("[role=status]")
    request.refresh_from_db()
    assert request.anonymised_at is not None
    context.close()


def test_case_and_invalid_link_pages_have_no_axe_violations(page, live_server):
    became_case = CounsellingRequestFactory(status=CounsellingRequest.Status.CASE)
    CaseFactory(request=became_case, lead_counsellor=UserFactory())
    page.goto(_link(live_server, became_case))
    assert page.locator("h1").inner_text() == "Ihre Anfrage wird bereits bearbeitet"
    assert page.locator("form.withdraw-form").count() == 0
    assert_no_axe_violations(page)

    response = page.goto(f"{live_server.url}/beratung-anfragen/zurueckziehen/?t=kaputt")
    assert response.status == 400
    assert page.locator("h1").inner_text() == "Dieser Link ist ungültig oder abgelaufen"
    assert_no_axe_violations(page)


def test_counsellor_answers_from_a_template_in_the_browser(page, live_server):
    counsellor = UserFactory(username="beraterin", first_name="Bea", last_name="Berater")
    counsellor.groups.add(Group.objects.get(name=BERATUNG))
    services.reply_templates_ensure()
    case = services.case_create_from_request(
        request=CounsellingRequestFactory(contact_name="Erika Mustermann"), by=counsellor
    )

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "beraterin")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("input[type=submit]")
    enter_second_factor(page, counsellor)
    page.goto(f"{live_server.url}/admin/counselling/case/{case.pk}/change/")
    page.get_by_role("link", name="Antwort schreiben").click()
    page.wait_for_url(f"**/admin/counselling/case/{case.pk}/antwort/")
    assert_no_axe_violations(page)

    page.select_option("#id_vorlage", label="Terminvorschläge")
    page.get_by_role("button", name="Vorlage übernehmen").click()
    assert page.input_value("#id_body").startswith("Guten Tag Erika Mustermann,")
    assert_no_axe_violations(page)
    page.fill("#id_subject", "Terminvorschläge für unser Gespräch")
    page.get_by_role("button", name="Antwort senden").click()

    page.wait_for_url(f"**/admin/counselling/case/{case.pk}/change/")
    subject = f"Terminvorschläge für unser Gespräch [{case.request.reference}]"
    assert subject in page.locator(".messagelist").inner_text()
    assert OutboxMessage.objects.get(kind="antwort").subject == subject

    # The user tools lead to the notification settings; switching one off sticks.
    page.get_by_role("link", name="Benachrichtigungen").click()
    page.wait_for_url("**/admin/konto/benachrichtigungen/")
    assert_no_axe_violations(page)
    page.get_by_label("Mail bei neuen Dokumenten").uncheck()
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_selector(".messagelist")
    assert not page.get_by_label("Mail bei neuen Dokumenten").is_checked()
    assert counsellor.staff_profile.notify_documents is False
