"""Real browser: a municipality asks for counselling; a counsellor takes it on."""

import re

import pytest
from django.contrib.auth.models import Group

from counselling.models import Activity, Case, CounsellingRequest
from counselling.permissions import BERATUNG
from tests.axe import assert_no_axe_violations
from tests.conftest import enter_second_factor
from tests.factories import CounsellingRequestFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def topics(transactional_db):
    return [TopicFactory(name="Migration und Zusammenleben"), TopicFactory(name="Kommunalpolitik")]


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("width", [360, 1280])
def test_municipality_corrects_mistakes_and_gets_its_reference(
    page, live_server, topics, lang, width
):
    prefix = "" if lang == "de" else "/en"
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}{prefix}/beratung-anfragen/")
    assert_no_axe_violations(page)

    page.fill("#id_institution", "Gemeinde Musterdorf")
    page.select_option("#id_body_kind", "gemeinde")
    page.select_option("#id_state", "ST")
    page.fill("#id_contact_name", "Erika Mustermann")
    page.fill("#id_email", "erika-at-musterdorf")  # mistake 1
    page.check("#id_topics_0")
    page.fill("#id_situation", "Seit dem Sommer gibt es Streit um den Marktplatz.")
    # The live counter is there with JavaScript, in the page's language.
    counter = {
        "de": r"Noch 4[.,]951 von 5[.,]000 Zeichen",
        "en": r"4[.,]951 of 5[.,]000 characters left",
    }
    assert re.fullmatch(counter[lang], page.locator("#situation-counter").inner_text())
    page.check("#id_conflict_type_0")
    # mistake 2: no consent
    page.click("#submit-id-submit")

    page.wait_for_selector("#error-summary")
    if lang == "de":
        assert page.title().startswith("Fehler: ")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("#error-summary li").count() == 2
    assert page.input_value("#id_institution") == "Gemeinde Musterdorf"
    assert_no_axe_violations(page)

    page.locator("#error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_email"
    page.fill("#id_email", "erika@musterdorf.example")
    page.check("#id_consent")
    page.click("#submit-id-submit")

    page.wait_for_url(f"**{prefix}/beratung-anfragen/danke/")
    reference = CounsellingRequest.objects.get().reference
    assert page.locator(".reference").inner_text() == reference
    assert_no_axe_violations(page)


def test_form_works_without_javascript(browser, live_server, topics):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/beratung-anfragen/")
    page.click("#submit-id-submit")
    assert page.title().startswith("Fehler: ")
    assert page.locator("#error-summary").is_visible()
    assert page.locator("#situation-counter").inner_text() == ""
    context.close()


def test_counsellor_turns_request_into_case_and_logs_an_activity(page, live_server):
    counsellor = UserFactory(username="beraterin")
    counsellor.groups.add(Group.objects.get(name=BERATUNG))
    request = CounsellingRequestFactory(institution="Gemeinde Musterdorf")

    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "beraterin")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("input[type=submit]")
    enter_second_factor(page, counsellor)  # first login: enrols the device
    page.goto(live_server.url + "/admin/counselling/counsellingrequest/")
    assert page.locator("h1").inner_text() == "Beratungsanfragen (1 neu)"

    page.check(f"input[name=_selected_action][value='{request.pk}']")
    page.select_option("select[name=action]", "make_case")
    page.click("button[name=index]")
    case = Case.objects.get()
    assert page.locator(".messagelist").inner_text() == f"Fall {case.reference} angelegt."

    page.get_by_role("link", name=case.reference).click()
    page.wait_for_url(f"**/admin/counselling/case/{case.pk}/change/")
    # No empty pre-filled row: an activity is added with the inline's link.
    page.get_by_role("button", name="Aktivität hinzufügen").click()
    page.fill("#id_activities-0-date", "03.11.2026")
    page.select_option("#id_activities-0-kind", "gespraech")
    page.fill("#id_activities-0-participants", "4")
    page.fill("#id_activities-0-note", "Erstes Gespräch mit der Bürgermeisterin")
    page.select_option("#id_status", "erstgespraech")
    page.click("input[name=_continue]")

    page.wait_for_selector(".messagelist")
    activity = Activity.objects.get()
    assert (activity.case, activity.author, activity.participants) == (case, counsellor, 4)
    case.refresh_from_db()
    assert case.status == "erstgespraech"
