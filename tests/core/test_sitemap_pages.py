"""Sitemap sections read their rows page by page, as (slug, updated_at) tuples."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from kkk_portal.sitemaps import ProjectSitemap
from projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def _urls(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return ET.fromstring(response.content).findall("s:url", NS)  # noqa: S314 - our own sitemap


def test_pages_split_between_the_languages_of_a_row_lose_nothing(client, monkeypatch):
    # Three URLs a page: a project's German and English entries fall on two pages.
    monkeypatch.setattr(ProjectSitemap, "limit", 3)
    for n, day in enumerate([4, 3, 2, 1]):
        ProjectFactory(title=f"Projekt {n}", start_date=datetime.date(2021, 1, day))

    pages = [_urls(client, "/sitemap-projects.xml")]
    pages += [_urls(client, f"/sitemap-projects.xml?p={page}") for page in (2, 3)]
    assert client.get("/sitemap-projects.xml?p=4").status_code == 404

    assert [len(page) for page in pages] == [3, 3, 2]
    locations = [url.find("s:loc", NS).text for page in pages for url in page]
    expected = []
    for n in range(4):
        expected += [
            f"http://testserver/projekte/projekt-{n}/",
            f"http://testserver/en/projekte/projekt-{n}/",
        ]
    assert locations == expected
    second_english = pages[1][0]
    alternates = [(a.get("hreflang"), a.get("href")) for a in second_english.findall("x:link", NS)]
    assert alternates == [
        ("de", "http://testserver/projekte/projekt-1/"),
        ("en", "http://testserver/en/projekte/projekt-1/"),
        ("x-default", "http://testserver/projekte/projekt-1/"),
    ]


def test_lastmod_of_an_entry_and_of_the_index_is_the_rows_updated_at(client):
    project = ProjectFactory(title="Geändert")
    changed = timezone.now().replace(microsecond=0) - datetime.timedelta(days=3)
    Project.objects.filter(pk=project.pk).update(updated_at=changed)

    # Dates as the site's time zone gives them (Europe/Berlin: not UTC's date late at night).
    local_date = timezone.localtime(changed).date().isoformat()
    (entry, _english) = _urls(client, "/sitemap-projects.xml")
    assert entry.find("s:lastmod", NS).text == local_date
    index = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314
    projects = next(
        item
        for item in index.findall("s:sitemap", NS)
        if item.find("s:loc", NS).text.endswith("/sitemap-projects.xml")
    )
    assert projects.find("s:lastmod", NS).text.startswith(local_date)
