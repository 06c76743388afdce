"""Markup quality of every public page, in German and English, without a browser.

What the Nu Html Checker and axe would flag first and what a parser can see:
unique ids, images with alt and size, links with a target and a name, one h1,
no skipped heading level, every form field labelled, one main landmark, and
several navigation landmarks told apart by their labels.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from projects.models import FocusArea
from tests.counselling.conftest import VALID_REQUEST
from tests.factories import (
    EventFactory,
    FundingFactory,
    MunicipalityFactory,
    NewsPostFactory,
    ProjectFactory,
    PublicationFactory,
    SpeakerFactory,
    TeamMemberFactory,
    TopicFactory,
)
from tests.publications.helpers import image_bytes

UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class MarkupAudit(HTMLParser):
    """Collects what the checks below need in one pass over a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = []
        self.images = []
        self.links = []  # [attrs, text parts, alt texts of images inside]
        self.open_links = []
        self.headings = []
        self.fields = []
        self.label_targets = set()
        self.landmarks = []  # (tag, attrs)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a":
            link = [attrs, [], []]
            self.links.append(link)
            self.open_links.append(link)
        elif tag == "img":
            self.images.append(attrs)
            for link in self.open_links:
                link[2].append(attrs.get("alt") or "")
        elif tag in HEADINGS:
            self.headings.append(int(tag[1]))
        elif tag == "label" and attrs.get("for"):
            self.label_targets.add(attrs["for"])
        elif tag in ("select", "textarea") or (
            tag == "input" and attrs.get("type", "text") not in UNLABELLED_INPUT_TYPES
        ):
            self.fields.append((tag, attrs))
        if tag in ("main", "nav"):
            self.landmarks.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self.open_links.pop()

    def handle_endtag(self, tag):
        if tag == "a" and self.open_links:
            self.open_links.pop()

    def handle_data(self, data):
        for link in self.open_links:
            link[1].append(data)


def markup_problems(html):
    """Every problem found in a page, one readable line each; [] when the page is clean."""
    audit = MarkupAudit()
    audit.feed(html)
    audit.close()
    problems = []

    seen = set()
    for duplicate in (i for i in audit.ids if i in seen or seen.add(i)):
        problems.append(f'duplicate id="{duplicate}"')

    for img in audit.images:
        missing = [name for name in ("alt", "width", "height") if name not in img]
        if missing:
            problems.append(f"<img src={img.get('src')!r}> without {', '.join(missing)}")

    for attrs, text, alts in audit.links:
        name = " ".join(
            [*text, *alts, attrs.get("aria-label") or "", attrs.get("aria-labelledby") or ""]
        ).strip()
        if not attrs.get("href"):
            problems.append(f"<a> without href: {name!r}")
        if not name:
            problems.append(f"<a href={attrs.get('href')!r}> without accessible text")

    if audit.headings.count(1) != 1:
        problems.append(f"{audit.headings.count(1)} <h1> elements")
    previous = 0
    for level in audit.headings:
        if level > previous + 1:
            problems.append(f"<h{level}> follows <h{previous}>")
        previous = level

    for tag, attrs in audit.fields:
        labelled = attrs.get("id") in audit.label_targets or (
            attrs.get("aria-label") or attrs.get("aria-labelledby")
        )
        if not labelled:
            problems.append(f"<{tag} name={attrs.get('name')!r}> without label")

    mains = [attrs for tag, attrs in audit.landmarks if tag == "main"]
    if len(mains) != 1:
        problems.append(f"{len(mains)} <main> elements")
    navs = [attrs for tag, attrs in audit.landmarks if tag == "nav"]
    nav_names = [a.get("aria-label") or a.get("aria-labelledby") for a in navs]
    if len(navs) > 1 and (None in nav_names or len(set(nav_names)) != len(nav_names)):
        problems.append(f"navigation landmarks not told apart: {nav_names}")
    return problems


def test_audit_finds_what_it_checks():
    page = """
    <main><h1>A</h1><h3 id="x">B</h3><h2 id="x">C</h2>
    <img src="a.png" alt=""><a href="/"></a><a>Text</a><a href="/p"><img src="p.png" alt="Bild"
    width="1" height="1"></a><input name="q"><input type="hidden" name="t">
    <label for="s">S</label><select id="s" name="s"></select><textarea aria-label="T"></textarea>
    <nav></nav><nav aria-label="Seiten"></nav></main>
    """
    assert markup_problems(page) == [
        'duplicate id="x"',
        "<img src='a.png'> without width, height",
        "<a href='/'> without accessible text",
        "<a> without href: 'Text'",
        "<h3> follows <h1>",
        "<input name='q'> without label",
        "navigation landmarks not told apart: [None, 'Seiten']",
    ]


@pytest.fixture
def site(db, centre_content):
    """The real content plus one of everything that has its own markup: {name: url}."""
    place = MunicipalityFactory(name="Altmarkstadt")
    area = FocusArea.objects.order_by("order").first()
    project = ProjectFactory(title="Altmark-Projekt", municipalities=[place], focus_areas=[area])
    project.image.save("projekt.jpg", ContentFile(image_bytes(1200, 800)))
    FundingFactory(project=project)
    ProjectFactory.create_batch(20)  # a second page of projects
    publication = PublicationFactory(
        title="Altmark-Publikation", projects=[project], cover_alt="Titelbild des Berichts"
    )
    publication.cover.save("titel.jpg", ContentFile(image_bytes(1200, 800)))
    publication.file.save("bericht.pdf", ContentFile(b"%PDF-1.4 Bericht"))
    post = NewsPostFactory(title="Altmark-Neuigkeit")
    post.image.save("neu.jpg", ContentFile(image_bytes(1200, 800)))
    NewsPostFactory.create_batch(10)  # a second page of news
    upcoming = EventFactory(title="Altmark-Tag", is_online=False, venue="Rathaus Stendal")
    SpeakerFactory.create_batch(2, event=upcoming)
    start = timezone.now() - datetime.timedelta(days=400)
    past = EventFactory(title="Altmark-Rückblick", start=start, end=start)
    SpeakerFactory(event=past)
    member = TeamMemberFactory(name="Anna Beispiel")
    member.photo.save("anna.jpg", ContentFile(image_bytes(800, 1000)))
    TopicFactory(name="Migration und Zusammenleben")
    return {
        "home": "/",
        "focus areas": "/arbeitsfelder/",
        "focus area": area.get_absolute_url(),
        "projects": "/projekte/",
        "projects filtered": f"/projekte/?status=abgeschlossen&focus_area={area.slug}&q=Altmark",
        "projects invalid filter": "/projekte/?status=quatsch&municipality=nix&year=x",
        "projects none found": "/projekte/?q=Zzzzzz",
        "projects page 2": "/projekte/?page=2",
        "project": project.get_absolute_url(),
        "municipalities": "/kommunen/",
        "municipality": place.get_absolute_url(),
        "publications": "/publikationen/",
        "publications filtered": f"/publikationen/?kind=bericht&project={project.slug}",
        "publication": publication.get_absolute_url(),
        "news and events": "/aktuelles/",
        "news page 2": "/aktuelles/?page=2",
        "news post": post.get_absolute_url(),
        "upcoming event": upcoming.get_absolute_url(),
        "past event": past.get_absolute_url(),
        "event archive": "/veranstaltungen/archiv/",
        "team": "/team/",
        "contact": "/kontakt/",
        "request form": "/beratung-anfragen/",
        "impressum": "/impressum/",
        "privacy": "/datenschutz/",
        "accessibility": "/barrierefreiheit/",
        "easy language": "/leichte-sprache/",
        "search": "/suche/?q=Altmark",
        "search without words": "/suche/?q=",
        "not found": "/gibt-es-nicht/",
    }


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_every_public_page_has_clean_markup(site, prefix):
    client = Client()
    found = {}
    for name, url in site.items():
        response = client.get(prefix + url)
        assert response.status_code == (404 if name == "not found" else 200), url
        found[name] = markup_problems(response.content.decode())
    assert {name: problems for name, problems in found.items() if problems} == {}


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_request_form_pages_have_clean_markup(site, prefix):
    client = Client()
    invalid = client.post(prefix + "/beratung-anfragen/", {"email": "kaputt"})
    valid = client.post(prefix + "/beratung-anfragen/", VALID_REQUEST)
    done = client.get(valid["Location"])

    assert (invalid.status_code, valid.status_code, done.status_code) == (200, 302, 200)
    assert markup_problems(invalid.content.decode()) == []
    assert markup_problems(done.content.decode()) == []


def test_german_text_on_english_pages_is_marked_as_german(client, db):
    """Screen readers switch pronunciation where a text has no English version yet."""
    ProjectFactory(title="Streit um den Marktplatz", title_en="")
    ProjectFactory(title="Runder Tisch", title_en="Round table")

    english = client.get("/en/projekte/").content.decode()
    german = client.get("/projekte/").content.decode()

    assert '<a href="/en/projekte/streit-um-den-marktplatz/" lang="de">' in english
    assert '<a href="/en/projekte/runder-tisch/">Round table</a>' in english
    assert 'lang="de"' not in german.split("<main", 1)[1]
