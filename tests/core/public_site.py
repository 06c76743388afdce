"""Everything a visitor or requester can read, fetched through real HTTP requests.

The sitemap lists every public page in German and English; to those come the
feeds, the calendar files, the search, an error page and robots.txt. Text is
what a person sees or hears: text nodes (the <title> included) and the
attributes read out or shown (alt, title, aria-label, placeholder, meta content),
read with the one HTML parser of the tests (tests/html.py).
"""

from publications.models import Event
from tests import html

TESTSERVER = "http://testserver"


def visible_text(markup: str) -> str:
    return html.visible_text(markup, attributes=True)


def sitemap_urls(client) -> list[str]:
    """Every page of the sitemap index, German locations and their English alternates."""
    index = client.get("/sitemap.xml")
    urls: list[str] = []
    for section in html.texts(index, "loc"):
        body = client.get(section.replace(TESTSERVER, ""))
        urls += html.texts(body, "loc")
        urls += html.attrs(body, "[hreflang][href]", "href")
    paths = [u.replace(TESTSERVER, "") for u in urls]
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
    # Feeds: the text of every element, entities decoded (escaped HTML stays readable).
    return html.text_of(body)


def fetch_public_site(client) -> dict[str, str]:
    """{path: readable text} for every public URL (each must answer 200, or 404 on purpose)."""
    texts = {}
    for path in public_urls(client):
        response = client.get(path)
        expected = 404 if path.endswith("/gibt-es-nicht/") else 200
        assert response.status_code == expected, path
        texts[path] = readable_text(response)
    return texts
