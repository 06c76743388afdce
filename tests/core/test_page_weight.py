"""Page weight: every public page loads in at most 30 KB over the wire.

Counted as a phone on a first visit gets it behind the documented nginx
(deploy/nginx/kkk-portal.conf): the HTML compressed at nginx's gzip level, every
stylesheet and script the page links as the .gz file collectstatic (WhiteNoise)
writes and nginx sends as it is; no web fonts. Images are left aside.

The one stylesheet, static/css/site.min.css, is built by `make css`
(tools/build-css.mjs); a test here rebuilds it and fails while the committed file
is out of date.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from whitenoise.compress import Compressor

from projects.models import FocusArea, Municipality, Project
from publications.models import Event, NewsPost, Publication
from tests import html

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx" / "kkk-portal.conf"
BUDGET = 30 * 1024
BUILT_CSS = ROOT / "static" / "css" / "site.min.css"


def nginx_gzip_level() -> int:
    match = re.search(r"^\s*gzip_comp_level (\d);", NGINX_CONF.read_text(), re.MULTILINE)
    assert match, "deploy/nginx/kkk-portal.conf sets no gzip_comp_level"
    return int(match.group(1))


def static_file(url: str) -> bytes:
    assert url.startswith("/static/"), url
    path = finders.find(url.removeprefix("/static/").split("?")[0])
    assert path, f"{url} is not a static file"
    return Path(path).read_bytes()


def transferred(response) -> dict[str, int]:
    """Bytes on the wire for the page and everything it links that is not an image."""
    page = response.content
    sizes = {"html": len(gzip.compress(page, compresslevel=nginx_gzip_level(), mtime=0))}
    assets = html.attrs(page, "link[rel~=stylesheet]", "href")
    assets += html.attrs(page, "script[src]", "src")
    assets += html.attrs(page, "link[rel~=preload], link[rel~=modulepreload]", "href")
    for url in assets:
        data = static_file(url)
        sizes[url] = len(Compressor.compress_gzip(data))
    return sizes


@pytest.fixture
def content(db):
    call_command("load_content", verbosity=0)


def public_pages() -> dict[str, str]:
    first = {
        "project": Project.objects.order_by("pk").first(),
        "field of work": FocusArea.objects.order_by("pk").first(),
        "municipality": Municipality.objects.order_by("pk").first(),
        "publication": Publication.objects.order_by("pk").first(),
        "news post": NewsPost.objects.order_by("pk").first(),
        "event": Event.objects.order_by("pk").first(),
    }
    missing = [name for name, obj in first.items() if obj is None]
    assert not missing, f"the seeds have no {missing}"
    return {
        "home": "/",
        "home (English)": "/en/",
        "fields of work": "/arbeitsfelder/",
        "projects": "/projekte/",
        "projects filtered": "/projekte/?state=ST",
        "municipalities": "/kommunen/",
        "publications": "/publikationen/",
        "news and events": "/aktuelles/",
        "event archive": "/veranstaltungen/archiv/",
        "team": "/team/",
        "contact": "/kontakt/",
        "request form": "/beratung-anfragen/",
        "search": "/suche/?q=Konflikt",
        "text page": "/impressum/",
        **{name: obj.get_absolute_url() for name, obj in first.items()},
        "project (English)": "/en" + first["project"].get_absolute_url(),
    }


def test_every_public_page_transfers_at_most_30_kb(client, content):
    weights = {}
    for name, url in public_pages().items():
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        sizes = transferred(response)
        weights[name] = sum(sizes.values())
        assert weights[name] <= BUDGET, (name, url, sizes)
    # One stylesheet and no Bootstrap JavaScript on any of them.
    page = client.get("/beratung-anfragen/").content
    assert html.attrs(page, "link[rel~=stylesheet]", "href")[0] == "/static/css/site.min.css"
    assert not [src for src in html.attrs(page, "script[src]", "src") if "bootstrap" in src]
    print({name: round(weight / 1024, 1) for name, weight in weights.items()})


def test_the_404_page_is_light_too(client, db):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert sum(transferred(response).values()) <= BUDGET


def test_no_web_fonts_the_system_fonts_are_used():
    css = BUILT_CSS.read_text(encoding="utf-8")
    assert "@font-face" not in css
    assert "url(" not in css.replace('url("data:image/svg+xml,', "")  # no file loaded by CSS


def test_the_stylesheet_keeps_what_the_pages_and_forms_need():
    css = BUILT_CSS.read_text(encoding="utf-8")
    assert css.startswith("/*! Bootstrap v5.3.9 ")
    assert (
        (BUILT_CSS.parent / "bootstrap-LICENSE.txt").read_text().startswith("The MIT License (MIT)")
    )
    # Set by crispy-forms (its templates outside the repository), by Django's message
    # levels or in site.css, never written as such in our templates.
    for selector in [
        ".form-control",
        ".form-select",
        ".form-check-input",
        ".is-invalid",
        ".invalid-feedback",
        ".alert-success",
        ".alert-danger",
        ".visually-hidden-focusable",
        ".site-menu-panel",
        ".status-laufend",
    ]:
        assert selector in css, selector
    # Nothing from components no public page uses.
    for selector in [".modal", ".accordion", ".carousel", ".tooltip", ".dropdown-menu{"]:
        assert selector not in css, selector


def test_the_committed_stylesheet_is_what_make_css_builds(tmp_path):
    node = shutil.which("node")
    if not node or not (ROOT / "node_modules" / "purgecss").is_dir():
        pytest.fail("Node.js tools missing: run `make node-tools` (`make test` does)")
    sources = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "tools" / "css_sources.py")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    built = tmp_path / "site.min.css"

    subprocess.run(  # noqa: S603 - our own build script
        [node, str(ROOT / "tools" / "build-css.mjs"), f"--output={built}", *sources],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )

    assert built.read_bytes() == BUILT_CSS.read_bytes(), (
        "static/css/site.min.css is out of date: run `make css` and commit it"
    )
