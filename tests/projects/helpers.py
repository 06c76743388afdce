"""Read what a visitor sees from the HTML of the project pages (through tests/html.py)."""

from tests.html import attrs, doc, text, text_of, texts

__all__ = [
    "alerts",
    "card_titles",
    "ignored_notes",
    "map_places",
    "map_state_codes",
    "result_count",
    "section_links",
    "text_of",
]


def card_titles(response) -> list[str]:
    """The project titles on the page, in order."""
    return texts(response, "h3.h5.card-title > a[href]")


def result_count(response) -> str:
    return text(response, "p.result-count")


def alerts(response) -> list[str]:
    """The texts of the notices above the list, one per notice."""
    return texts(response, 'div[class^="alert"]')


def ignored_notes(response) -> list[str]:
    return texts(response, "p.ignored-filter")


def map_places(response) -> list[tuple[str, str]]:
    """(href, accessible name) of every place link on the map."""
    return [
        (link["href"], link["aria-label"])
        for link in doc(response).select("a.map-place[href][aria-label]")
    ]


def map_state_codes(response) -> list[str]:
    return attrs(response, 'path[class^="map-state"]', "data-state")


def section_links(response, heading_id: str) -> list[str]:
    """Link texts inside the <section> labelled by `heading_id`."""
    return texts(response, f'section[aria-labelledby="{heading_id}"] a')
