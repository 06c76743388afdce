"""Everything a visitor or requester can read, fetched through real HTTP requests.

The sitemap lists every public page in German and English; to those come the
feeds, the calendar files, the search, an error page and robots.txt. Text is
what a person sees or hears: text nodes (the <title> included) and the
attributes read out or shown (alt, title, aria-label, placeholder, meta content).
"""

import html
import re
from html.parser import HTMLParser

from publications.models import Event

TESTSERVER = "http://testserver"
VISIBLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "content"}


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "template"}:
            self._hidden += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value and not value.startswith(("http", "/")):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style", "template"} and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(markup: str) -> str:
    parser = _VisibleText()
    parser.feed(markup)
    return " ".join(" ".join(parser.parts).split())


def sitemap_urls(client) -> list[str]:
    """Every page of the sitemap index, German locations and their English alternates."""
    index = client.get("/sitemap.xml").content.decode()
    sections = re.findall(r"<loc>(.*?)</loc>", index)
    urls: list[str] = []
    for section in sections:
        body = client.get(section.replace(TESTSERVER, "")).content.decode()
        urls += re.findall(r"<loc>(.*?)</loc>", body)
        urls += re.findall(r'hreflang="[a-z-]+" href="(.*?)"', body)
    paths = [html.unescape(u).replace(TESTSERVER, "") for u in urls]
    return sorted(set(paths))


def public_urls(client) -> list[str]:
    paths = set(sitemap_urls(client))
    for prefix in ("", "/en"):
        paths |= {
            f"{prefix}/aktuelles/feed/",
            f"{prefix}/aktuelles/atom/",
            f"{prefix}/veranstaltungen/kalender.ics",
            f"{prefix}/suche/?q=Bautzen",
            f"{prefix}/gibt-es-nicht/",
        }
        for event in Event.objects.published():
            paths.add(f"{prefix}{event.get_absolute_url()}kalender.ics")
    paths.add("/robots.txt")
    return sorted(paths)


def readable_text(response) -> str:
    """What a person reads in a response: visible HTML text, or the whole feed/calendar."""
    body = response.content.decode()
    if response["Content-Type"].startswith("text/html"):
        return visible_text(body)
    if "calendar" in response["Content-Type"]:
        body = body.replace("\r\n ", "").replace("\\n", " ").replace("\\,", ",")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def fetch_public_site(client) -> dict[str, str]:
    """{path: readable text} for every public URL (each must answer 200, or 404 on purpose)."""
    texts = {}
    for path in public_urls(client):
        response = client.get(path)
        expected = 404 if path.endswith("/gibt-es-nicht/") else 200
        assert response.status_code == expected, path
        texts[path] = readable_text(response)
    return texts
