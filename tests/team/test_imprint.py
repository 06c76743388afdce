"""The imprint's legal facts: structured fields that start empty, shown when filled,
and a deploy check that fails while a required one is missing."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from kkk_portal import page_cache
from team.models import ContactDetails
from tests.publications.helpers import visible_text

pytestmark = pytest.mark.django_db

FILLED = {
    "street": "Musterstraße 1",
    "postcode": "29410",
    "city": "Salzwedel",
    "phone": "03901 123456",
    "email": "kontakt@zentrum.example.org",
    "represented_by": "Der Vorstand",
    "register_court": "Amtsgericht Stendal",
    "register_number": "VR 1234",
    "responsible_person": "Erika Beispiel",
}


def test_seeded_contact_record_starts_without_invented_details(centre_content):
    contact = ContactDetails.objects.get()
    assert (contact.name, contact.carrier) == (
        "Kompetenzzentrum Kommunale Konfliktberatung",
        "VFB Salzwedel",
    )
    assert [getattr(contact, name) for name in FILLED] == [""] * len(FILLED)


def test_deploy_check_fails_while_the_imprint_lacks_required_details(centre_content):
    with pytest.raises(SystemCheckError) as error:
        call_command("check", deploy=True, tags=["database"])
    assert "team.E002" in str(error.value)
    assert "Straße und Hausnummer" in str(error.value)
    # Ordinary commands are not blocked.
    call_command("check", tags=["database"])


def test_deploy_check_passes_once_the_details_are_entered(centre_content):
    ContactDetails.objects.update(**FILLED)
    call_command("check", deploy=True, tags=["database"])


def test_imprint_shows_filled_details_above_its_text_and_omits_empty_ones(client, centre_content):
    html = client.get("/impressum/").content.decode()
    assert "Vertreten durch" not in html
    assert "Registereintrag" not in html
    assert "mailto:" not in html.split("<footer")[0]

    ContactDetails.objects.update(**FILLED)
    page_cache.content_changed()  # an update() behind the ORM's signals (README)
    html = client.get("/impressum/").content.decode()
    details = re.search(r'<section class="legal-details".*?</section>', html, re.S).group(0)
    assert visible_text(details) == (
        "Angaben zum Anbieter Kompetenzzentrum Kommunale Konfliktberatung Träger: VFB Salzwedel "
        "Musterstraße 1 29410 Salzwedel Vertreten durch Der Vorstand Telefon 03901 123456 "
        "E-Mail kontakt@zentrum.example.org Registereintrag Amtsgericht Stendal, VR 1234 "
        "Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV Erika Beispiel, "
        "Musterstraße 1, 29410 Salzwedel"
    )
    assert html.index('class="legal-details"') < html.index("<h2>Förderungen</h2>")


def test_register_court_and_number_go_together():
    from django.core.exceptions import ValidationError

    contact = ContactDetails(carrier="VFB Salzwedel", register_court="Amtsgericht Stendal")
    with pytest.raises(ValidationError) as error:
        contact.full_clean()
    assert "register_number" in error.value.message_dict
