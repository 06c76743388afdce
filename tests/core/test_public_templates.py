"""The public templates: identity, feeds in <head>, who may ask, breadcrumbs, EU line,
the project list's order on phones, the map markers and the request form's end."""

import re
from html.parser import HTMLParser
from itertools import combinations
from math import dist
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from projects.map import MARKER_RADIUS, MARKER_SPACING, spread
from projects.models import Funder
from tests.factories import (
    EventFactory,
    FunderFactory,
    FundingFactory,
    MunicipalityFactory,
    NewsPostFactory,
    ProjectFactory,
    PublicationFactory,
)
from tests.html import doc as parse_html
from tests.html import text as element_text

pytestmark = pytest.mark.django_db

NAME = "Kompetenzzentrum Kommunale Konfliktberatung"
FORM = "/beratung-anfragen/"


def _text(response) -> str:
    """The page with runs of whitespace collapsed, as a person reads it."""
    return re.sub(r"\s+", " ", response.content.decode())


def _visible_text(response) -> str:
    """The words on the page: tags removed, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


class _Links(HTMLParser):
    """The <link> elements of a page's <head>."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "link":
            self.links.append(dict(attrs))


def _head_links(response) -> list[dict]:
    parser = _Links()
    parser.feed(response.content.decode().split("</head>")[0])
    return parser.links


def _breadcrumbs(response) -> list[tuple[str, str]]:
    """(text, aria-current) of each breadcrumb item."""
    html = _text(response)
    nav = re.search(
        r'<nav class="site-breadcrumbs" aria-label="Brotkrümelnavigation">(.*?)</nav>', html
    )
    assert nav, "no breadcrumbs"
    items = re.findall(r'<li class="breadcrumb-item[^"]*"([^>]*)>(.*?)</li>', nav.group(1))
    return [
        (re.sub(r"<[^>]+>", "", inner).strip(), "current" if "aria-current" in attrs else "")
        for attrs, inner in items
    ]


def _h1(response) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", _text(response)).group(1))


# --- identity -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/projekte/", FORM, "/kontakt/", "/kommunen/", "/gibt-es-nicht/", "/en/"]
)
def test_titles_and_header_use_the_full_name_never_the_letters(client, url):
    response = client.get(url)

    html = _text(response)
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert title.endswith(f" · {NAME}")
    assert not re.search(r"\bKKK\b", _visible_text(response), re.I)
    assert not re.search(r"\bKKK\b", title, re.I)
    # No template syntax leaks onto the page (a multi-line {# … #} is printed as text).
    assert "{#" not in _visible_text(response) and "{%" not in _visible_text(response)
    assert (
        '<span class="site-brand-line1">Kompetenzzentrum</span> '
        '<span class="site-brand-line2">Kommunale Konfliktberatung</span>'
    ) in html


def test_the_server_error_page_has_no_abbreviation_either(client):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "KKK" not in html
    assert f"<title>Technischer Fehler · {NAME}</title>" in html


def test_icons_are_linked_and_have_their_sizes(client):
    links = _head_links(client.get("/"))

    icons = {(link["rel"], link["href"]) for link in links if "icon" in link["rel"]}
    assert icons == {
        ("icon", "/static/img/favicon.ico"),
        ("icon", "/static/img/favicon.svg"),
        ("apple-touch-icon", "/static/img/apple-touch-icon.png"),
    }
    for name, size in [("apple-touch-icon.png", 180), ("icon-192.png", 192), ("icon-512.png", 512)]:
        with Image.open(finders.find(f"img/{name}")) as image:
            assert image.size == (size, size)
    with Image.open(finders.find("img/favicon.ico")) as ico:
        assert {(16, 16), (32, 32), (48, 48)} <= set(ico.info["sizes"])
    for svg in ["favicon.svg", "logo-mark.svg", "eu-emblem.svg"]:
        text = Path(finders.find(f"img/{svg}")).read_text(encoding="utf-8")
        assert text.startswith("<svg ") and "KKK" not in text


def test_menu_button_has_a_visible_label(client):
    # A native disclosure: no JavaScript, closed on load, the visible word is its name.
    page = parse_html(client.get("/"))

    menu = page.select_one("nav details#main-nav")
    toggle = menu.find("summary", recursive=False)
    assert "open" not in menu.attrs
    assert element_text(toggle, ".site-menu-label") == "Menü"
    assert "aria-label" not in toggle.attrs
    assert [a["href"] for a in menu.select("a.nav-link")][:2] == ["/arbeitsfelder/", "/projekte/"]


# --- feeds in every page's head ---------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "prefix"),
    [("/", ""), ("/projekte/", ""), (FORM, ""), ("/impressum/", ""), ("/gibt-es-nicht/", ""),
     ("/en/", "/en"), ("/en/projekte/", "/en")],
)  # fmt: skip
def test_every_page_announces_rss_and_atom(client, url, prefix):
    links = _head_links(client.get(url))

    feeds = [
        (link["type"], link["href"])
        for link in links
        if link["rel"] == "alternate" and "type" in link
    ]
    assert feeds == [
        ("application/rss+xml", f"{prefix}/aktuelles/feed/"),
        ("application/atom+xml", f"{prefix}/aktuelles/atom/"),
    ]


# --- home page ----------------------------------------------------------------------------


def test_home_hides_empty_blocks(client):
    text = _visible_text(client.get("/"))

    for absent in [
        "Noch keine",
        "Zurzeit sind keine",
        "Kommende Veranstaltungen",
        "Neuigkeiten",
        "Aktuelle und jüngste Projekte",
        "Unsere Arbeitsfelder",
    ]:
        assert absent not in text


def test_home_shows_the_newest_items(client):
    NewsPostFactory(title="Ältere Meldung", published_at="2024-01-01T10:00:00+01:00")
    NewsPostFactory(title="Neueste Meldung", published_at="2026-01-01T10:00:00+01:00")
    EventFactory(title="Fachtag im Frühjahr")
    PublicationFactory(title="Bericht ohne Datum", date=None)

    html = _text(client.get("/"))

    news = re.search(r'<section[^>]*aria-labelledby="news-title">(.*?)</section>', html).group(1)
    assert re.findall(r'<a href="[^"]+">([^<]+)</a>', news)[:2] == [
        "Neueste Meldung",
        "Ältere Meldung",
    ]
    assert "Fachtag im Frühjahr" in html
    assert "Bericht ohne Datum</a></li>" in html  # no date shown where none is known


def test_home_and_form_say_who_may_ask_and_what_to_do_instead(client, centre_content):
    for url in ["/", FORM]:
        text = _visible_text(client.get(url))
        assert "Wer kann eine Beratung anfragen?" in text
        assert "Verwaltungen von Gemeinden, Städten, Ämtern und Landkreisen" in text
        assert "Gemeinderäte, Stadträte, Kreistage und andere kommunale Gremien" in text
        assert "Vereine, Initiativen und andere Teile der Zivilgesellschaft" in text
        assert "Bei Konflikten unter Privatleuten" in text
        assert "In akuter Gefahr rufen Sie die Polizei: 110." in text
        assert "Eine Anfrage über dieses Portal ist kein Notruf." in text


@pytest.mark.parametrize("url", ["/", FORM, "/en/", "/en" + FORM])
def test_no_invented_promises_on_home_and_form(client, centre_content, url):
    text = _visible_text(client.get(url)).lower()

    for promise in [
        "kostenlos",
        "so bald wie möglich",
        "unverbindlich",
        "so arbeiten wir",
        "free of charge",
        "as soon as possible",
        "working days",
        "werktag",
    ]:
        assert promise not in text, promise


# --- breadcrumbs ---------------------------------------------------------------------------


def test_every_detail_page_has_breadcrumbs_ending_at_the_page(client, centre_content):
    from kkk_portal.models import SitePage
    from projects.models import FocusArea, Municipality, Project
    from publications.models import Event, Publication

    news = NewsPostFactory(title="Eine Meldung")
    pages = {
        Project.objects.first().get_absolute_url(): "Projekte",
        FocusArea.objects.first().get_absolute_url(): "Arbeitsfelder",
        Municipality.objects.filter(latitude__isnull=False).first().get_absolute_url(): "Kommunen",
        Publication.objects.first().get_absolute_url(): "Publikationen",
        Event.objects.first().get_absolute_url(): "Aktuelles",
        news.get_absolute_url(): "Aktuelles",
        SitePage.objects.get(slug="impressum").get_absolute_url(): None,
    }
    for url, section in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        expected = [("Startseite", "")]
        if section:
            expected.append((section, ""))
        expected.append((_h1(response).strip(), "current"))
        assert _breadcrumbs(response) == expected, url


# --- funding: the EU emblem -----------------------------------------------------------


def test_eu_funding_line_shows_the_emblem_and_the_statement(client):
    project = ProjectFactory(title="Vielfalt vor Ort")
    eu = FunderFactory(name="Europäische Union – AMIF", kind=Funder.Kind.EU)
    FundingFactory(project=project, funder=eu, programme="AMIF", notice="")
    FundingFactory(project=project, programme="Landesprogramm")

    html = _text(client.get(project.get_absolute_url()))

    assert html.count('class="eu-emblem"') == 1
    assert (
        '<p class="eu-funding"><img class="eu-emblem" src="/static/img/eu-emblem.svg" '
        'alt="Emblem der Europäischen Union" width="72" height="48"> '
        '<span class="eu-statement">Kofinanziert von der Europäischen Union</span></p>'
    ) in html


def test_generic_funders_are_text_and_named_funders_organisations(client):
    project = ProjectFactory(title="Vielfalt vor Ort")
    named = FunderFactory(name="Bündnis Brandenburg", kind=Funder.Kind.STATE)
    generic = FunderFactory(name="Landesprogramme", kind=Funder.Kind.STATE, is_generic=True)
    FundingFactory(project=project, funder=named, programme="Tolerantes Brandenburg", notice="")
    FundingFactory(project=project, funder=generic, programme="", notice="")

    html = _text(client.get(project.get_absolute_url()))

    assert "<strong>Bündnis Brandenburg</strong>: <span>Tolerantes Brandenburg</span>" in html
    assert '<span class="funding-generic">Landesprogramme</span>' in html
    assert "<strong>Landesprogramme" not in html
    assert 'class="eu-emblem"' not in html


# --- project list on phones ---------------------------------------------------------------


def test_project_list_puts_count_and_results_before_the_filters(client):
    ProjectFactory(title="Erstes Projekt")
    html = _text(client.get("/projekte/"))

    count = html.index('id="result-count"')
    toggle = html.index('<details class="filter-details">')
    first_result = html.index("Erstes Projekt")
    assert count < toggle
    assert '<summary class="filter-summary">Projekte filtern</summary>' in html
    # The closed toggle takes one line; the results follow it (no reordering by CSS).
    assert toggle < first_result
    assert html.index("</details>") < first_result


def test_project_list_opens_the_filters_when_filtering(client):
    html = _text(client.get("/projekte/?state=ST"))

    assert '<details class="filter-details" open>' in html
    assert "(Filter aktiv)" in html


# --- map markers ---------------------------------------------------------------------------


def test_close_places_get_markers_that_do_not_overlap():
    points = [(100.0, 100.0), (101.0, 100.0), (100.0, 100.0), (130.0, 120.0), (400.0, 400.0)]

    markers = spread(points)

    for a, b in combinations(markers, 2):
        assert dist(a, b) >= MARKER_SPACING - 0.1
    assert markers[-1] == (400.0, 400.0)  # a lone place stays where it is
    assert MARKER_SPACING > 2 * MARKER_RADIUS


def test_map_markers_are_labelled_targets_with_lines_to_moved_places(client):
    close = [
        MunicipalityFactory(name="Nordort", latitude=52.60, longitude=11.40),
        MunicipalityFactory(name="Südort", latitude=52.59, longitude=11.41),
    ]
    ProjectFactory(title="Zwei Orte", municipalities=close)

    html = _text(client.get("/kommunen/"))

    targets = re.findall(
        r'<a class="map-place" href="[^"]+" aria-label="([^"]+)" data-place="[^"]+">'
        r'<title>\1</title><circle class="map-target" cx="([\d.]+)" cy="([\d.]+)" r="(\d+)"/>',
        html,
    )
    assert [(label, int(r)) for label, _, _, r in targets] == [
        ("Nordort (Sachsen-Anhalt)", MARKER_RADIUS),
        ("Südort (Sachsen-Anhalt)", MARKER_RADIUS),
    ]
    (_, x1, y1, _), (_, x2, y2, _) = targets
    assert dist((float(x1), float(y1)), (float(x2), float(y2))) >= MARKER_SPACING - 0.1
    leaders = re.search(r'<g class="map-leaders" aria-hidden="true">(.*?)</g>', html).group(1)
    assert leaders.count("<line ") == 2


# --- the request form's end -----------------------------------------------------------------


def test_error_summary_reads_naturally(client, topics_for_form):
    response = client.post(FORM, {"institution": "Gemeinde Musterdorf"})

    text = _visible_text(response)
    assert (
        "Ich habe die Datenschutzhinweise gelesen und bin einverstanden: Bitte stimmen Sie "
        "den Datenschutzhinweisen zu, damit wir antworten können."
    ) in text
    assert "einverstanden.:" not in text


def test_confirmation_page_says_what_happens_next_and_shows_the_summary_once(client, request_data):
    response = client.post(FORM, request_data, follow=True)

    from counselling.models import CounsellingRequest

    stored = CounsellingRequest.objects.get()
    html = _text(response)
    assert f'<strong class="reference">{stored.reference}</strong>' in html
    text = _visible_text(response)
    assert "Wie es weitergeht" in text
    assert "Sie erhalten eine Bestätigung mit dieser Nummer an die E-Mail-Adresse" in text
    summary = re.search(r'<dl class="summary-list">(.*?)</dl>', html).group(1)
    pairs = re.findall(r"<dt>(.*?)</dt> <dd>(.*?)</dd>", summary)
    assert pairs == [
        ("Name der Kommune oder Institution", "Gemeinde Musterdorf"),
        ("Art der Körperschaft", "Gemeinde"),
        ("Bundesland", "Sachsen-Anhalt"),
        ("Ansprechperson", "Erika Mustermann"),
        ("Funktion", "Bürgermeisterin"),
        ("E-Mail", "erika@musterdorf.example"),
        ("Bevorzugter Kontaktweg", "E-Mail"),
        ("Themen", "Migration und Zusammenleben"),
        ("Beschreibung der Situation", "Der Gemeinderat streitet über den Marktplatz."),
        ("Konfliktlage", "akut"),
        ("Beteiligte", "Gemeinderat, Bürgerinitiative"),
        ("Dringlichkeit", "bald (innerhalb von Wochen)"),
    ]
    assert "data-print hidden>Zusammenfassung drucken</button>" in html

    again = _text(client.get("/beratung-anfragen/danke/"))
    assert stored.reference not in again
    assert "summary-list" not in again
    assert "Erika" not in again


@pytest.fixture
def topics_for_form(db):
    from tests.factories import TopicFactory

    return [TopicFactory(name="Migration und Zusammenleben", order=1)]


@pytest.fixture
def request_data(topics_for_form):
    return {
        "institution": "Gemeinde Musterdorf",
        "body_kind": "gemeinde",
        "state": "ST",
        "contact_name": "Erika Mustermann",
        "contact_role": "Bürgermeisterin",
        "email": "erika@musterdorf.example",
        "phone": "",
        "contact_preference": "email",
        "topics": [str(topics_for_form[0].pk)],
        "situation": "Der Gemeinderat streitet über den Marktplatz.",
        "conflict_type": "akut",
        "involved": "Gemeinderat, Bürgerinitiative",
        "urgency": "mittel",
        "heard_from": "",
        "consent": "on",
    }


def test_root_favicon_leads_to_the_self_hosted_icon(client):
    response = client.get("/favicon.ico")

    assert (response.status_code, response["Location"]) == (301, "/static/img/favicon.ico")
    assert finders.find("img/favicon.ico")
