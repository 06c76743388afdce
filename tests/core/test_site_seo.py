"""Findable and shareable: sitemap, robots.txt, canonical, hreflang, OpenGraph, language switch."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone
from PIL import Image

from projects.models import Project
from tests.factories import ProjectFactory

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def sitemap_urls(client):
    """The <url> elements of every sitemap the index at /sitemap.xml points to."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    root = ET.fromstring(index.content)  # noqa: S314 - our own sitemap
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    urls = []
    for loc in root.findall("s:sitemap/s:loc", NS):
        response = client.get(loc.text.removeprefix("http://testserver"))
        assert response.status_code == 200, loc.text
        urls += ET.fromstring(response.content).findall("s:url", NS)  # noqa: S314
    return urls


def head_links(html):
    return re.findall(
        r'<link rel="(canonical|alternate)"(?: hreflang="([^"]+)")? href="([^"]+)">', html
    )


def meta(html, prop):
    found = re.findall(rf'<meta property="{prop}" content="([^"]*)">', html)
    return found[0] if found else None


@pytest.mark.django_db
def test_robots_txt_points_to_sitemap_and_keeps_admin_out(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Disallow: /en/admin/" in lines
    assert lines[-1] == "Sitemap: http://testserver/sitemap.xml"


@pytest.mark.django_db
def test_sitemap_lists_pages_in_both_languages_with_alternates(client, centre_content):
    ProjectFactory(title="Unveröffentlicht", is_published=False)
    urls = sitemap_urls(client)
    locations = [url.find("s:loc", NS).text for url in urls]
    assert "http://testserver/" in locations
    assert "http://testserver/en/" in locations
    assert "http://testserver/projekte/demokratiefoerderung-altmark/" in locations
    assert "http://testserver/en/projekte/demokratiefoerderung-altmark/" in locations
    assert "http://testserver/arbeitsfelder/beratung-von-kommunen/" in locations
    assert "http://testserver/en/kommunen/altmarkkreis-salzwedel/" in locations
    assert "http://testserver/kontakt/" in locations
    assert "http://testserver/beratung-anfragen/" in locations
    for slug in ["impressum", "datenschutz", "barrierefreiheit", "leichte-sprache"]:
        assert f"http://testserver/{slug}/" in locations
        assert f"http://testserver/en/{slug}/" in locations
    assert not [loc for loc in locations if "unveroeffentlicht" in loc]
    assert len(locations) == len(set(locations))
    imprint = next(url for url in urls if url.find("s:loc", NS).text.endswith("/impressum/"))
    alternates = [(a.get("hreflang"), a.get("href")) for a in imprint.findall("x:link", NS)]
    assert alternates == [
        ("de", "http://testserver/impressum/"),
        ("en", "http://testserver/en/impressum/"),
        ("x-default", "http://testserver/impressum/"),
    ]


@pytest.mark.django_db
def test_sitemap_query_count_is_constant(client, django_assert_max_num_queries):
    for count in [3, 200]:
        ProjectFactory.create_batch(count)
        # One query per section with rows (its size and latest lastmod), whatever the size.
        with django_assert_max_num_queries(7):
            assert client.get("/sitemap.xml").status_code == 200
        # A section's page: its rows with their total beside them.
        with django_assert_max_num_queries(1):
            assert client.get("/sitemap-projects.xml").status_code == 200


def _projects_lastmod(client) -> str:
    root = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314
    (projects,) = (
        item
        for item in root.findall("s:sitemap", NS)
        if item.find("s:loc", NS).text.endswith("/sitemap-projects.xml")
    )
    return projects.find("s:lastmod", NS).text


@pytest.mark.django_db
def test_section_sizes_are_kept_per_content_version_and_follow_a_change(
    client, django_assert_max_num_queries
):
    project = ProjectFactory(title="Dialog im Quartier")
    earlier = timezone.now() - datetime.timedelta(days=3)
    Project.objects.filter(pk=project.pk).update(updated_at=earlier)
    client.get("/projekte/")  # a page body that looks up the next scheduled change
    first = _projects_lastmod(client)
    assert first.startswith(timezone.localtime(earlier).date().isoformat())
    # Kept: the index no longer reads the sections' sizes and latest changes.
    with django_assert_max_num_queries(1):
        assert _projects_lastmod(client) == first

    ProjectFactory(title="Runder Tisch")  # saved: a new content version
    assert _projects_lastmod(client).startswith(timezone.localdate().isoformat())


@pytest.mark.django_db
def test_large_sections_are_split_into_pages(client):
    ProjectFactory.create_batch(1001)  # 2,002 URLs in two languages: two pages of 2,000
    root = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314
    locations = [loc.text for loc in root.findall("s:sitemap/s:loc", NS)]
    assert "http://testserver/sitemap-projects.xml" in locations
    assert "http://testserver/sitemap-projects.xml?p=2" in locations
    second = ET.fromstring(client.get("/sitemap-projects.xml?p=2").content)  # noqa: S314
    assert len(second.findall("s:url", NS)) == 2
    assert client.get("/sitemap-projects.xml?p=3").status_code == 404


@pytest.mark.django_db
def test_every_page_has_canonical_and_hreflang(client, centre_content):
    html = client.get("/projekte/demokratiefoerderung-altmark/").content.decode()
    assert head_links(html) == [
        ("canonical", "", "http://testserver/projekte/demokratiefoerderung-altmark/"),
        ("alternate", "de", "http://testserver/projekte/demokratiefoerderung-altmark/"),
        ("alternate", "x-default", "http://testserver/projekte/demokratiefoerderung-altmark/"),
        ("alternate", "en", "http://testserver/en/projekte/demokratiefoerderung-altmark/"),
    ]
    html = client.get("/en/impressum/").content.decode()
    assert head_links(html)[0] == ("canonical", "", "http://testserver/en/impressum/")


@pytest.mark.django_db
def test_canonical_keeps_the_page_number_but_drops_filters(client, centre_content):
    html = client.get("/suche/?q=Altmark&page=2").content.decode()
    assert head_links(html)[0] == ("canonical", "", "http://testserver/suche/?page=2")


@pytest.mark.django_db
def test_opengraph_tags_use_the_page_title_and_a_real_image(client, centre_content):
    html = client.get("/impressum/").content.decode()
    assert meta(html, "og:title") == "Impressum"
    assert (
        meta(html, "og:description")
        == "Impressum des Kompetenzzentrums Kommunale Konfliktberatung."
    )
    assert meta(html, "og:image") == "http://testserver/static/img/og-default.png"
    assert meta(html, "og:locale") == "de_DE"
    with Image.open(finders.find("img/og-default.png")) as image:
        assert image.size == (1200, 630)
    assert meta(client.get("/en/").content.decode(), "og:locale") == "en_GB"


@pytest.mark.django_db
def test_title_with_markup_characters_is_escaped_once(client):
    html = client.get("/suche/?q=Tom+%26+Jerry").content.decode()
    assert meta(html, "og:title") == "Suche nach „Tom &amp; Jerry“"
    assert (
        "<title>Suche nach „Tom &amp; Jerry“ · Kompetenzzentrum Kommunale Konfliktberatung</title>"
        in html
    )


@pytest.mark.django_db
def test_language_switch_links_to_the_same_page(client, centre_content):
    html = client.get("/projekte/demokratiefoerderung-altmark/?x=1").content.decode()
    assert (
        '<a class="nav-link" href="/en/projekte/demokratiefoerderung-altmark/?x=1" '
        'hreflang="en" lang="en">English</a>' in html
    )
    html = client.get("/en/projekte/demokratiefoerderung-altmark/").content.decode()
    assert (
        '<a class="nav-link" href="/projekte/demokratiefoerderung-altmark/" '
        'hreflang="de" lang="de">Deutsch</a>' in html
    )
    assert client.get("/en/projekte/demokratiefoerderung-altmark/")["Content-Language"] == "en"


@pytest.mark.django_db
def test_pages_have_no_inline_script_style_or_handlers(client, centre_content):
    for url in ["/", "/en/", "/suche/?q=Altmark", "/impressum/", "/gibt-es-nicht/"]:
        html = client.get(url).content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        assert re.findall(r"\sstyle=\"", html) == []
        assert re.findall(r"\son[a-z]+=\"", html) == []


@pytest.mark.django_db
def test_every_sitemap_url_answers(client, centre_content):
    locations = [url.find("s:loc", NS).text for url in sitemap_urls(client)]
    statuses = {
        loc: client.get(loc.removeprefix("http://testserver")).status_code for loc in locations
    }
    assert {loc: code for loc, code in statuses.items() if code != 200} == {}
    assert len(locations) > 80
