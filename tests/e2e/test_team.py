"""Real browser: team and contact pages with axe-core."""

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from team.models import ContactDetails, TeamMember
from tests.axe import assert_no_axe_violations
from tests.publications.helpers import image_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def content(transactional_db):
    call_command("load_content", verbosity=0)
    # The seeds name no staff and give no email: an editor adds them in the admin.
    ContactDetails.objects.update(email="kontakt@zentrum.example.org")
    member = TeamMember.objects.create(
        name="Anna Berg", slug="anna-berg", role="Beratung", role_en="Counselling"
    )
    member.photo.save("anna.jpg", ContentFile(image_bytes(600, 800)))


@pytest.mark.parametrize("prefix", ["", "/en"], ids=["de", "en"])
@pytest.mark.parametrize("width", [360, 1280])
def test_team_and_contact_have_no_axe_violations(page, live_server, content, width, prefix):
    page.set_viewport_size({"width": width, "height": 900})
    english = prefix == "/en"
    page.goto(live_server.url + prefix + "/team/")
    assert page.locator("h1").all_inner_texts() == ["Team"]
    assert page.locator(".example-badge").count() == 0
    assert_no_axe_violations(page)

    page.goto(live_server.url + prefix + "/kontakt/")
    assert page.locator("h1").all_inner_texts() == ["Contact" if english else "Kontakt"]
    assert page.get_by_role("link", name="kontakt@zentrum.example.org").get_attribute("href") == (
        "mailto:kontakt@zentrum.example.org"
    )
    assert_no_axe_violations(page)


def test_contact_leads_to_the_request_form(page, live_server, content):
    page.goto(live_server.url + "/kontakt/")
    link = page.get_by_role("link", name="Zum Anfrageformular")
    if link.count() == 0:
        pytest.skip("counselling:request does not exist yet")
    link.click()
    page.wait_for_load_state()
    assert page.url != live_server.url + "/kontakt/"
