"""The team page and the contact page."""

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from counselling import services
from kkk_portal.images import Spec, thumbnail_name
from team.models import ContactDetails, TeamMember
from tests.factories import FocusAreaFactory, TeamMemberFactory
from tests.html import doc
from tests.publications.helpers import image_bytes, texts, visible_text

pytestmark = pytest.mark.django_db


def member_names(response):
    return texts(response, "h2.h5.card-title")


def test_team_shows_active_members_in_order_with_role_and_fields(client):
    area = FocusAreaFactory(title="Beratung von Kommunen")
    anna = TeamMemberFactory(name="Anna Berg", role="Leitung", order=1)
    anna.focus_areas.set([area])
    TeamMemberFactory(name="Ben Frei", role="Beratung", order=2)
    TeamMemberFactory(name="Cora Alt", role="Verwaltung", order=3, is_active=False)
    response = client.get("/team/")
    assert response.status_code == 200
    assert texts(response, "h1") == ["Team"]
    assert member_names(response) == ["Anna Berg", "Ben Frei"]
    assert texts(response, "p.card-subtitle.team-role") == [
        "Leitung",
        "Beratung",
    ]
    assert "Arbeitsfelder: Beratung von Kommunen" in visible_text(response.content)
    assert "Beispieleintrag" not in response.content.decode()


def test_example_team_entries_never_show_in_production(client, centre_content):
    TeamMemberFactory(name="Beispiel: Berater*in", is_example=True, order=1)
    TeamMemberFactory(name="Anna Berg", role="Leitung", order=2)
    response = client.get("/team/")
    assert member_names(response) == ["Anna Berg"]
    assert "Beispieleintrag" not in response.content.decode()


def test_demo_data_team_is_visibly_marked_in_development(client, settings, centre_content):
    settings.DEBUG = True
    call_command("load_demo_data", verbosity=0)
    response = client.get("/team/")
    assert member_names(response) == ["Beispiel: Berater*in", "Beispiel: Projektkoordination"]
    assert texts(response, "span.badge.example-badge") == [
        "Beispieleintrag",
        "Beispieleintrag",
    ]
    english = client.get("/en/team/")
    assert texts(english, "p.card-subtitle.team-role") == [
        "Municipal conflict counselling (example entry)",
        "Project coordination (example entry)",
    ]


def test_demo_data_refuses_to_run_in_production(db):
    with pytest.raises(CommandError):
        call_command("load_demo_data", verbosity=0)
    assert TeamMember.objects.count() == 0


def test_team_photo_is_a_thumbnail_with_the_name_as_alt(client):
    member = TeamMemberFactory(name="Anna Berg")
    member.photo.save("anna.jpg", ContentFile(image_bytes(800, 1000)))
    services.jobs_run()  # the worker makes the thumbnails
    response = client.get("/team/")
    (picture,) = doc(response).select("picture")
    key = Spec.of(member.photo).key  # 4:5, as the photo is: nothing is cut
    webp, jpeg = (
        [thumbnail_name(key, w, extension) for w in (320, 640)] for extension in ("webp", "jpg")
    )
    source = picture.select_one('source[type="image/webp"]')
    assert source["srcset"] == f"/media/{webp[0]} 320w, /media/{webp[1]} 640w"
    img = picture.select_one("img")
    assert img["src"] == f"/media/{jpeg[0]}"
    assert img["srcset"] == f"/media/{jpeg[0]} 320w, /media/{jpeg[1]} 640w"
    assert (img["width"], img["height"]) == ("320", "400")
    assert img["alt"] == "Anna Berg"  # no description given: the name
    assert img["loading"] == "lazy"


def test_broken_team_photo_does_not_break_the_page(client):
    member = TeamMemberFactory(name="Anna Berg")
    member.photo.save("anna.jpg", ContentFile(b"kein Bild"))
    response = client.get("/team/")
    assert response.status_code == 200
    assert member_names(response) == ["Anna Berg"]


def test_empty_team_says_so(client):
    text = visible_text(client.get("/team/").content)
    assert "Hier stellen wir bald unser Team vor." in text


@pytest.mark.parametrize("amount", [3, 200])
def test_team_query_count_is_constant(client, django_assert_max_num_queries, amount):
    areas = FocusAreaFactory.create_batch(2)
    for member in TeamMemberFactory.create_batch(amount):
        member.focus_areas.set(areas)
    with django_assert_max_num_queries(3):  # members, their fields of work, the menus
        response = client.get("/team/")
    assert len(member_names(response)) == amount


def test_contact_shows_the_centres_details(client):
    ContactDetails.objects.create(
        carrier="VFB Salzwedel",
        street="Musterstraße 1",
        postcode="29410",
        city="Salzwedel",
        phone="03901 123456",
        email="kontakt@zentrum.example.org",
        office_hours="Mo–Do 9–15 Uhr",
    )
    response = client.get("/kontakt/")
    assert response.status_code == 200
    assert texts(response, "h1") == ["Kontakt"]
    assert texts(response, "address.contact-address") == [
        "Kompetenzzentrum Kommunale Konfliktberatung Träger: VFB Salzwedel Musterstraße 1 "
        "29410 Salzwedel"
    ]
    content = response.content.decode()
    assert '<a href="mailto:kontakt@zentrum.example.org">kontakt@zentrum.example.org</a>' in content
    assert '<a href="tel:03901123456">03901 123456</a>' in content
    assert "Erreichbarkeit Mo–Do 9–15 Uhr" in visible_text(content)


def test_contact_with_real_content_and_request_link(client, centre_content):
    from django.urls import NoReverseMatch, reverse

    response = client.get("/kontakt/")
    text = visible_text(response.content)
    assert "Träger: VFB Salzwedel" in text
    # The seeds give no address, phone or email: nothing stands in for them.
    assert "mailto:" not in response.content.decode()
    assert "example" not in response.content.decode()
    try:
        request_url = reverse("counselling:request")
    except NoReverseMatch:  # built in parallel by another area
        request_url = None
    if request_url:
        assert (
            f'<a class="btn btn-primary btn-lg" href="{request_url}">Zum Anfrageformular</a>'
            in response.content.decode()
        )


def test_contact_before_details_are_entered(client):
    response = client.get("/kontakt/")
    assert response.status_code == 200
    assert "Anfragen zur Beratung senden Sie uns über das Anfrageformular." in visible_text(
        response.content
    )


def test_contact_query_count(client, django_assert_max_num_queries, centre_content):
    # The contact details, the privacy notice's version (shown beside the contact form)
    # and the menus.
    with django_assert_max_num_queries(3):
        client.get("/kontakt/")


def test_search_result_for_a_team_member_lands_on_their_card(client, centre_content):
    TeamMemberFactory(name="Anna Berg", slug="anna-berg", role="Projektkoordination")
    TeamMemberFactory(name="Beispiel", slug="beispiel", role="Projektkoordination", is_example=True)
    html = client.get("/suche/", {"q": "Projektkoordination", "bereich": "team"}).content.decode()
    assert 'href="/team/#anna-berg"' in html
    assert 'href="/team/#beispiel"' not in html
    team = client.get("/team/").content.decode()
    assert team.count('id="anna-berg"') == 1
