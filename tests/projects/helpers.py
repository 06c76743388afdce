"""Read what a visitor sees from the HTML of the project pages."""

import html
import re

# English pages mark a title without translation as German (lang="de").
_CARD_TITLE = re.compile(
    r'<h3 class="h5 card-title"><a href="[^"]*"(?: lang="de")?>([^<]*)</a></h3>'
)
_TAG = re.compile(r"<[^>]+>")


def card_titles(response):
    """The project titles on the page, in order."""
    return [html.unescape(t) for t in _CARD_TITLE.findall(response.content.decode())]


def text_of(fragment):
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def result_count(response):
    match = re.search(r'<p class="result-count"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    return text_of(match.group(1))


def alerts(response):
    """The texts of the notices above the list, one per line."""
    page = response.content.decode()
    return [text_of(p) for p in re.findall(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', page, re.S)]


def ignored_notes(response):
    page = response.content.decode()
    return [text_of(p) for p in re.findall(r'<p class="ignored-filter mb-0">(.*?)</p>', page, re.S)]


def map_places(response):
    """(href, accessible name) of every place link on the map."""
    page = response.content.decode()
    return [
        (href, html.unescape(label))
        for href, label in re.findall(
            r'<a class="map-place" href="([^"]+)" aria-label="([^"]+)"', page
        )
    ]


def map_state_codes(response):
    return re.findall(
        r'<path class="map-state[^"]*" data-state="([A-Z]{2})"', response.content.decode()
    )


def section_links(response, heading_id):
    """Link texts inside the <section> labelled by `heading_id`."""
    page = response.content.decode()
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, re.S)
    if not match:
        return []
    return [text_of(t) for t in re.findall(r"<a [^>]*>(.*?)</a>", match.group(0), re.S)]
