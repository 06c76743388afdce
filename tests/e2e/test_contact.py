"""Real browser: a journalist writes to the centre through the contact form; Leitung answers."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command

from counselling.models import OutboxMessage
from counselling.permissions import LEITUNG
from team.models import ContactMessage, ContactReply
from tests.axe import assert_no_axe_violations
from tests.conftest import enter_second_factor
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fill_form(page, *, email: str = "jana@zeitung.example") -> None:
    page.fill("#id_name", "Jana Presse")
    page.fill("#id_email", email)
    page.fill("#id_organisation", "Beispielzeitung")
    page.check("#id_topic_1")
    page.fill("#id_message", "Ich schreibe über kommunale Konflikte. Hätten Sie Zeit?")


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("width", [360, 1280])
def test_visitor_corrects_a_mistake_and_sends_the_contact_form(page, live_server, lang, width):
    prefix = "" if lang == "de" else "/en"
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}{prefix}/kontakt/")
    assert_no_axe_violations(page)
    # Beside the topics: municipalities with a conflict go to the request form.
    assert page.locator("#topic-counselling-hint a").get_attribute("href") == (
        f"{prefix}/beratung-anfragen/"
    )

    _fill_form(page, email="jana-at-zeitung")  # mistake 1; mistake 2: no consent
    page.click("#submit-id-submit")

    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("#error-summary li").count() == 2
    assert page.input_value("#id_name") == "Jana Presse"
    assert_no_axe_violations(page)

    page.locator("#error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_email"
    page.fill("#id_email", "jana@zeitung.example")
    page.check("#id_consent")
    page.click("#submit-id-submit")

    page.wait_for_url(f"**{prefix}/kontakt/danke/")
    message = ContactMessage.objects.get()
    assert page.locator(".reference").inner_text() == message.reference
    assert message.language == lang
    assert "jana" not in page.url
    assert_no_axe_violations(page)

    call_command("run_worker", "--once")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["jana@zeitung.example", "beratung@konfliktberatung.example.org"]
    )


def test_contact_form_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/kontakt/")
    _fill_form(page)
    page.click("#submit-id-submit")
    # Without JavaScript the server's error summary says what is missing.
    assert page.locator("#error-summary li").all_inner_texts() == [
        "Ich habe die Datenschutzhinweise gelesen und bin einverstanden: Bitte stimmen Sie "
        "den Datenschutzhinweisen zu, damit wir antworten können."
    ]
    page.check("#id_consent")
    page.click("#submit-id-submit")
    page.wait_for_url("**/kontakt/danke/")
    assert page.locator("h1").inner_text() == "Vielen Dank für Ihre Nachricht"
    assert ContactMessage.objects.count() == 1
    context.close()


def test_leitung_answers_and_closes_a_contact_request(page, live_server):
    from team import services

    message = services.contact_submit(
        data={
            "name": "Jana Presse",
            "email": "jana@zeitung.example",
            "organisation": "",
            "topic": ContactMessage.Topic.PRESS,
            "message": "Hätten Sie Zeit für ein Gespräch?",
        },
        language="de",
    )
    leitung = UserFactory(username="leitung-kontakt")
    leitung.groups.add(Group.objects.get(name=LEITUNG))

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "leitung-kontakt")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("input[type=submit]")
    enter_second_factor(page, leitung)

    page.get_by_role("link", name="1 neue Kontaktanfrage").click()
    page.get_by_role("link", name=message.reference).click()
    assert "Hätten Sie Zeit für ein Gespräch?" in page.locator("#content-main").inner_text()
    assert page.input_value("#id_subject") == f"Ihre Nachricht {message.reference}"
    page.fill("#id_body", "Guten Tag, gern. Wir melden uns.")
    page.get_by_role("button", name="Antwort senden").click()

    page.wait_for_selector(".messagelist")
    assert f"Die Antwort an {message.reference} wird gesendet." in page.inner_text(".messagelist")
    reply = ContactReply.objects.get()
    assert reply.body.startswith("Guten Tag, gern. Wir melden uns.")
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.CONTACT_REPLY).count() == 1

    page.get_by_role("button", name="Als erledigt markieren").click()
    page.wait_for_url("**/admin/team/contactmessage/")
    message.refresh_from_db()
    assert message.status == ContactMessage.Status.CLOSED
