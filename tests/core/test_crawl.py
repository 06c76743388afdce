"""Follow every same-site link from / and /en/: no page may answer 404 or 500."""

import datetime
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.utils import timezone

from tests.factories import (
    EventFactory,
    MunicipalityFactory,
    NewsPostFactory,
    ProjectFactory,
    PublicationFactory,
    SpeakerFactory,
    TeamMemberFactory,
)

MAX_PAGES = 3000
# Filter and page links combine freely; a few variants per path are enough.
MAX_QUERY_VARIANTS_PER_PATH = 25
SKIP_PREFIXES = ("/admin/", "/en/admin/", "/static/", "/media/")


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def same_site_links(base, html):
    parser = LinkParser()
    parser.feed(html)
    found = []
    for href in parser.links:
        if href.startswith(("mailto:", "tel:", "#", "javascript:")):
            continue
        url, _fragment = urldefrag(urljoin(base, href))
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(SKIP_PREFIXES):
            continue
        found.append(path)
    return found


def crawl(client, starts):
    """Breadth-first over the site; returns ({url: status}, {url: first referring page})."""
    seen = {}
    referrer = {}
    variants = {}
    queue = deque(starts)
    for start in starts:
        referrer[start] = "(start)"
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        path = url.split("?")[0]
        if "?" in url:
            variants[path] = variants.get(path, 0) + 1
            if variants[path] > MAX_QUERY_VARIANTS_PER_PATH:
                continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code in (301, 302):
            target = response["Location"]
            if target not in referrer:
                referrer[target] = url
                queue.append(target)
            continue
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            continue  # .ics, feeds and files are fetched, not parsed
        for link in same_site_links(url, response.content.decode()):
            if link not in referrer:
                referrer[link] = url
            if link not in seen:
                queue.append(link)
    return seen, referrer


@pytest.mark.django_db
def test_every_link_on_the_site_works(client, centre_content):
    project = ProjectFactory(
        title="Crawl-Projekt",
        municipalities=[MunicipalityFactory(name="Crawlstadt")],
    )
    PublicationFactory(title="Crawl-Publikation", projects=[project])
    NewsPostFactory(title="Crawl-Neuigkeit")
    SpeakerFactory(event=EventFactory(title="Crawl-Veranstaltung"))
    past = timezone.now() - datetime.timedelta(days=400)
    EventFactory(title="Vergangene Crawl-Veranstaltung", start=past, end=past)
    TeamMemberFactory(name="Crawl Mitglied")

    seen, referrer = crawl(client, ["/", "/en/", "/suche/?q=Crawl", "/en/suche/?q=Crawl"])

    broken = {url: (status, referrer[url]) for url, status in seen.items() if status >= 400}
    assert broken == {}, "\n".join(
        f"{status} {url} (linked from {ref})" for url, (status, ref) in sorted(broken.items())
    )
    # The crawl reached the sections and both languages.
    for expected in [
        "/projekte/",
        "/en/projekte/",
        "/impressum/",
        "/en/leichte-sprache/",
        f"/projekte/{project.slug}/",
    ]:
        assert any(url.split("?")[0] == expected for url in seen), expected
    assert len(seen) < MAX_PAGES
