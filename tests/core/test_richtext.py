"""Rich text: the allow-list, every save path, every page, search, feeds and the CSP."""

import datetime
import importlib
import re
import tomllib
from pathlib import Path

import django_prose_editor
import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from kkk_portal.models import SitePage
from kkk_portal.richtext import (
    TIPTAP_STYLE_SHA256,
    csp_hash,
    markup_to_html,
    plain_text,
    sanitize_html,
)
from publications.models import Event, NewsPost
from tests.factories import EventFactory, NewsPostFactory, PublicationFactory, UserFactory
from tests.html import doc, form_fields, texts

migration = importlib.import_module("kkk_portal.migrations.0008_rich_text_content")

MALICIOUS = (
    "<h2 onclick=\"alert('h')\">Titel</h2>"
    '<p style="color:red">Rot <span style="font-family:Comic Sans">Schrift</span>'
    '<a href="javascript:alert(1)">böse</a> <a href="data:text/html;base64,PHNjcmlwdD4=">daten</a>'
    '<img src="x" onerror="alert(2)"></p>'
    "<script>alert(3)</script><style>p{color:red}</style>"
    '<iframe src="https://example.org/"></iframe>'
    '<p class="lead" id="x"><a href="https://example.org/" target="_blank" title="t">gut</a></p>'
)
CLEAN = (
    "<h2>Titel</h2>"
    "<p>Rot Schrift<a>böse</a> <a>daten</a></p>"
    '<p><a href="https://example.org/" rel="noopener">gut</a></p>'
)


# --- The sanitiser ----------------------------------------------------------


def test_sanitizer_removes_everything_outside_the_allow_list():
    assert sanitize_html(MALICIOUS) == CLEAN


@pytest.mark.parametrize(
    "html",
    [
        "<h2>Zwei</h2><h3>Drei</h3><h4>Vier</h4>",
        "<p><strong>fett</strong> und <em>kursiv</em><br>neue Zeile</p>",
        "<ul><li><p>eins</p></li></ul><ol><li><p>zwei</p></li></ol>",
        "<blockquote><p>Ein Zitat.</p></blockquote>",
        '<p><a href="/projekte/">intern</a> <a href="#kontakt">Anker</a></p>',
        '<p><a href="mailto:info@example.org">Mail</a></p>',
    ],
)
def test_sanitizer_keeps_what_editors_may_write(html):
    assert sanitize_html(html) == html


@pytest.mark.parametrize(
    ("html", "clean"),
    [
        ("<h1>Eins</h1><h5>Fünf</h5><h6>Sechs</h6>", "<h2>Eins</h2><h4>Fünf</h4><h4>Sechs</h4>"),
        ('<p><span style="color:#f00">rot</span></p>', "<p>rot</p>"),
        ('<p><font face="Arial" color="red">alt</font></p>', "<p>alt</p>"),
        ("<p><u>unter</u><s>durch</s><code>x</code></p>", "<p>unterdurchx</p>"),
        ('<p><a href="JaVaScRiPt:alert(1)">x</a></p>', "<p><a>x</a></p>"),
        ('<p><a href="vbscript:x">x</a></p>', "<p><a>x</a></p>"),
        ("<p></p>", ""),
        ("<!-- Kommentar --><p>Text</p>", "<p>Text</p>"),
    ],
)
def test_sanitizer_strips_headings_styles_and_schemes_outside_the_list(html, clean):
    assert sanitize_html(html) == clean


def test_external_links_get_noopener_and_own_links_do_not(settings):
    settings.SITE_URL = "https://kommunale-konfliktberatung.example"
    html = (
        '<p><a href="https://kommunale-konfliktberatung.example/angebot/">eigen</a>'
        '<a href="https://example.org/" rel="nofollow noreferrer">fremd</a></p>'
    )
    assert sanitize_html(html) == (
        '<p><a href="https://kommunale-konfliktberatung.example/angebot/">eigen</a>'
        '<a href="https://example.org/" rel="noopener">fremd</a></p>'
    )


def test_sanitizing_is_idempotent():
    once = sanitize_html(MALICIOUS)
    assert sanitize_html(once) == once


# --- Old texts: the markup conversion and the data migration ----------------

MARKUP_SAMPLES = [
    ("Ein Absatz.", "<p>Ein Absatz.</p>"),
    (
        "Zeile eins\nZeile zwei\n\nNeuer Absatz",
        "<p>Zeile eins<br>Zeile zwei</p><p>Neuer Absatz</p>",
    ),
    ("## Kopf\nText", "<h2>Kopf</h2><p>Text</p>"),
    ("Liste:\n- eins\n- zwei", "<p>Liste:</p><ul><li>eins</li><li>zwei</li></ul>"),
    (
        "Siehe https://example.org/ oder info@example.org",
        '<p>Siehe <a href="https://example.org/" rel="noopener">https://example.org/</a> oder '
        '<a href="mailto:info@example.org">info@example.org</a></p>',
    ),
    ("a < b & c <script>x</script>", "<p>a &lt; b &amp; c &lt;script&gt;x&lt;/script&gt;</p>"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "html"), MARKUP_SAMPLES)
def test_markup_to_html(text, html):
    assert markup_to_html(text) == html


@pytest.mark.parametrize(("text", "html"), MARKUP_SAMPLES)
def test_the_migrations_frozen_copy_converts_like_the_live_code(text, html):
    # "<script>" counts as a tag for the migration: such a text stays as it is, and is
    # cleaned on display; everything else is converted exactly like markup_to_html.
    expected = text if "<script>" in text else html
    assert migration.convert(text) == expected


def test_the_migration_leaves_html_alone():
    html = "<h2>Schon HTML</h2><p>Text</p>"
    assert migration.convert(html) == html


@pytest.mark.django_db
def test_migration_converts_stored_texts_and_their_history():
    post = NewsPostFactory(title="Alt")
    page = SitePage.objects.create(slug="alt", title="Alt", body="<p>x</p>")
    # Texts as they were stored before rich text (bypassing the field's cleaning).
    NewsPost.objects.filter(pk=post.pk).update(body="## Kopf\n- eins\n- zwei", body_en="")
    SitePage.objects.filter(pk=page.pk).update(body="Absatz eins\n\nAbsatz zwei")
    post.history.update(body="Erste Fassung")

    migration.forwards(apps, None)

    post.refresh_from_db()
    page.refresh_from_db()
    assert post.body == "<h2>Kopf</h2><ul><li>eins</li><li>zwei</li></ul>"
    assert post.body_en == ""
    assert page.body == "<p>Absatz eins</p><p>Absatz zwei</p>"
    assert set(post.history.values_list("body", flat=True)) == {"<p>Erste Fassung</p>"}


# --- Every save path stores clean HTML, every page shows clean HTML ----------


@pytest.fixture
def redaktion(client):
    user = UserFactory(username="redaktion-rich")
    user.groups.add(Group.objects.get(name="Redaktion"))
    client.force_login(user)
    return user


def _admin_form(client, url: str, **values) -> dict:
    fields = form_fields(client.get(url), "#content-main form")
    data: dict = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    data.update({name: [value] for name, value in values.items()})
    return data


@pytest.mark.django_db
def test_admin_post_of_news_with_malicious_html_is_stored_and_shown_clean(client, redaktion):
    data = _admin_form(
        client,
        "/admin/publications/newspost/add/",
        title="Sauber",
        slug="sauber",
        teaser="Kurz.",
        body=MALICIOUS,
        body_en='<p onmouseover="x()">English</p>',
    )
    response = client.post("/admin/publications/newspost/add/", data)
    assert response.status_code == 302
    post = NewsPost.objects.get(slug="sauber")
    assert post.body == CLEAN
    assert post.body_en == "<p>English</p>"

    html = client.get("/aktuelles/sauber/").content.decode()
    for bad in ("alert(", "onclick", "onerror", "javascript:", "data:text", "<iframe", 'style="'):
        assert bad not in html
    assert texts(html, "main h2") == ["Titel"]


@pytest.mark.django_db
def test_admin_post_of_a_page_with_malicious_html_is_stored_and_shown_clean(client, redaktion):
    data = _admin_form(
        client,
        "/admin/kkk_portal/sitepage/add/",
        title="Seite",
        slug="seite",
        body=MALICIOUS,
    )
    response = client.post("/admin/kkk_portal/sitepage/add/", data)
    assert response.status_code == 302
    assert SitePage.objects.get(slug="seite").body == CLEAN
    html = client.get("/seite/").content.decode()
    assert "alert(" not in html and "javascript:" not in html and "<script>alert" not in html


@pytest.mark.django_db
def test_the_page_cleans_again_what_bypassed_the_field(client):
    post = NewsPostFactory(title="Umgangen", slug="umgangen")
    NewsPost.objects.filter(pk=post.pk).update(body=MALICIOUS)  # no pre_save
    response = client.get("/aktuelles/umgangen/")
    body = doc(response).select_one("main div:has(> h2)")
    assert body is not None
    assert "".join(str(c) for c in body.contents) == CLEAN


@pytest.mark.django_db
def test_plain_text_from_code_is_converted_on_save():
    post = NewsPostFactory(body="Erster Absatz\n\n- Punkt")
    post.refresh_from_db()
    assert post.body == "<p>Erster Absatz</p><ul><li>Punkt</li></ul>"


# --- Seeds, search, feeds, iCal ----------------------------------------------


@pytest.mark.django_db
def test_load_content_stores_the_seed_markup_as_html_and_reloads_unchanged(centre_content):
    page = SitePage.objects.get(slug="leichte-sprache")
    assert page.body.startswith("<")
    assert "<h2>" in page.body or "<p>" in page.body
    assert not re.search(r"^## |\n- ", page.body, re.M)
    before = dict(NewsPost.objects.values_list("slug", "body"))
    call_command("load_content", verbosity=0)
    assert dict(NewsPost.objects.values_list("slug", "body")) == before


@pytest.mark.django_db
def test_search_snippets_show_no_tags(client):
    NewsPostFactory(
        title="Beitrag",
        teaser="Kurz.",
        body="<p>Der <strong>Spielplatz</strong> &amp; <em>die</em> Nachbarn</p>",
    )
    response = client.get("/suche/", {"q": "Spielplatz"})
    snippets = [str(s) for s in doc(response).select(".search-snippet")]
    assert snippets
    for snippet in snippets:
        assert "&lt;" not in snippet and "<strong>" not in snippet and "&amp;amp;" not in snippet
    assert "Spielplatz" in " ".join(texts(response, ".search-snippet"))


@pytest.mark.django_db
def test_ical_and_meta_description_show_no_tags(client):
    event = EventFactory(
        title="Fachtag",
        description="<h2>Programm</h2><p>Vortrag &amp; <strong>Gespräch</strong></p>",
    )
    response = client.get(f"/veranstaltungen/{event.slug}/kalender.ics")
    ics = response.content.decode()
    assert "<" not in ics.replace("\r\n ", "")
    assert "Programm" in ics
    assert plain_text(Event.objects.get(pk=event.pk).description) == (
        "Programm\nVortrag & Gespräch"
    )


@pytest.mark.django_db
def test_news_feed_shows_no_tags(client):
    NewsPostFactory(
        title="Im Feed",
        teaser="Kurz gesagt.",
        body="<p><strong>fett</strong></p>",
        published_at=timezone.now() - datetime.timedelta(hours=1),
    )
    feed = client.get("/aktuelles/feed/").content.decode()
    assert "Im Feed" in feed
    assert "&lt;strong" not in feed and "<strong" not in feed


# --- CSP of the admin's editor -------------------------------------------------


def test_tiptap_style_hash_matches_the_bundled_editor():
    """Fails when django-prose-editor ships another injected Tiptap style."""
    bundle = Path(django_prose_editor.__file__).parent / "static/django_prose_editor/editor.js"
    source = bundle.read_text(encoding="utf-8")
    styles = re.findall(r"=`(\.ProseMirror \{.*?)`", source, re.S)
    assert len(styles) == 1
    assert csp_hash(styles[0]) == TIPTAP_STYLE_SHA256


def _policy(response) -> dict[str, list[str]]:
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


@pytest.mark.django_db
def test_editor_pages_allow_exactly_the_import_map_and_tiptap_style(client, redaktion):
    response = client.get("/admin/publications/newspost/add/")
    importmaps = re.findall(
        r'<script type="importmap">(.*?)</script>', response.content.decode(), re.S
    )
    assert len(importmaps) == 1
    policy = _policy(response)
    assert policy["script-src"] == ["'self'", csp_hash(importmaps[0])]
    assert policy["style-src"] == ["'self'", TIPTAP_STYLE_SHA256]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_pages_without_the_editor_keep_the_plain_policy(client, redaktion):
    for url in ("/admin/", "/admin/publications/newspost/", "/aktuelles/"):
        policy = _policy(client.get(url))
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url


@pytest.mark.django_db
def test_fingerprints_from_before_rich_text_still_recognise_untouched_seeds(centre_content):
    from kkk_portal.content import Seed, _digest, content_load
    from kkk_portal.models import ContentFingerprint

    seeds = tomllib.loads(Path("fixtures/centre.toml").read_text(encoding="utf-8"))
    raw = next(p for p in seeds["pages"] if p["slug"] == "leichte-sprache")
    page = SitePage.objects.get(slug="leichte-sprache")
    # The record and its fingerprint as load_content left them before rich text.
    SitePage.objects.filter(pk=page.pk).update(body=raw["body"], body_en=raw.get("body_en", ""))
    ContentFingerprint.objects.filter(key="kkk_portal.sitepage:leichte-sprache").update(
        digest=_digest(page, Seed("", SitePage, {}, {}))
    )
    migration.forwards(apps, None)

    report = content_load()

    assert report.kept_keys == []
    page.refresh_from_db()
    assert page.body == markup_to_html(raw["body"])
    # An editor's change is still kept.
    SitePage.objects.filter(pk=page.pk).update(body="<p>Von Hand geändert.</p>")
    assert content_load().kept_keys == ["kkk_portal.sitepage:leichte-sprache"]


@pytest.mark.django_db
def test_publication_meta_description_and_card_show_no_tags(client):
    PublicationFactory(
        title="Handreichung",
        slug="handreichung",
        abstract=(
            "<h2>Worum es geht</h2><p>Konflikte <strong>früh</strong> erkennen &amp; klären.</p>"
        ),
    )
    detail = doc(client.get("/publikationen/handreichung/"))
    assert detail.select_one('meta[name="description"]')["content"] == (
        "Worum es geht Konflikte früh erkennen & klären."
    )
    assert texts(detail, "#abstract-title ~ div h2") == ["Worum es geht"]
    card = doc(client.get("/publikationen/")).select_one(".card-text")
    assert " ".join(card.decode_contents().split()) == (
        "Worum es geht Konflikte früh erkennen &amp; klären."
    )
