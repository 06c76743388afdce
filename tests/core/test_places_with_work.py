"""Which places have a page: a published project there or in one of their member towns.

One rule (`places_with_published_work`) for the municipality sitemap and the search's
"Orte" section, checked through both.
"""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from kkk_portal.enums import MunicipalityKind
from kkk_portal.search import places_with_published_work
from projects.models import Municipality
from tests.factories import MunicipalityFactory, ProjectFactory

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def places() -> dict[str, Municipality]:
    district = MunicipalityFactory(name="Kreis Nord", kind=MunicipalityKind.LANDKREIS)
    town = MunicipalityFactory(name="Weide Nord", district=district)
    quiet = MunicipalityFactory(name="Weide Still")
    draft_only = MunicipalityFactory(name="Weide Entwurf")
    later = MunicipalityFactory(name="Weide Spaet")
    ProjectFactory(title="Öffentlich", municipalities=[town])
    ProjectFactory(title="Entwurf", is_published=False, municipalities=[draft_only])
    ProjectFactory(
        title="Geplant",
        publish_at=timezone.now() + datetime.timedelta(days=1),
        municipalities=[later],
    )
    return {p.name: p for p in (district, town, quiet, draft_only, later)}


def test_a_place_has_a_page_with_a_published_project_there_or_in_a_member_town(places):
    assert set(places_with_published_work().values_list("name", flat=True)) == {
        "Kreis Nord",
        "Weide Nord",
    }


def test_the_municipality_sitemap_lists_exactly_those_places(client, places):
    response = client.get("/sitemap-municipalities.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own sitemap
    locations = {loc.text for loc in root.findall("s:url/s:loc", NS)}
    assert locations == {
        f"http://testserver{prefix}/kommunen/{places[name].slug}/"
        for name in ("Kreis Nord", "Weide Nord")
        for prefix in ("", "/en")
    }


def test_search_finds_only_places_with_a_page(client, places):
    response = client.get("/suche/", {"q": "Weide", "bereich": "orte"})
    groups = {group.key: group for group in response.context["groups"]}
    assert [hit.title for hit in groups["orte"].hits] == ["Weide Nord"]
    assert groups["orte"].total == 1


@pytest.mark.parametrize("page", ["0", "-1", "zwei", "1.0", "2"])
def test_a_sitemap_page_out_of_range_or_not_a_number_is_not_found(client, places, page):
    assert client.get(f"/sitemap-municipalities.xml?p={page}").status_code == 404


def test_an_empty_section_still_has_its_first_page(client):
    response = client.get("/sitemap-municipalities.xml")
    assert response.status_code == 200
    assert ET.fromstring(response.content).findall("s:url", NS) == []  # noqa: S314
