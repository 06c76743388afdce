"""Rich text for editors: one allow-list for the editor, the stored HTML and the page.

Editors write in django-prose-editor (Tiptap) with headings (h2–h4), bold, italic,
links, lists and block quotes; nothing else: no colours, fonts, classes, inline
styles, event handlers or raw HTML. What is stored is cleaned with nh3 against
the same allow-list on every save (`RichTextField.pre_save`), and cleaned again
when a page shows it (the `rich` template filter), so no path can bring a
`<script>`, an `onclick`, a `style` or a `javascript:` link onto a page.

Texts written before (plain paragraphs, and the old page markup with "## "
headings and "- " lists) are turned into HTML by `markup_to_html`.

The editor needs two inline elements the strict Content-Security-Policy would
block: its `<script type="importmap">` and the `<style>` Tiptap injects. Admin
pages that show the editor allow exactly those two by their SHA-256 hash
(`EditorCSPMiddleware`); every other page keeps the plain policy.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import re
from collections.abc import Callable
from typing import Any

import nh3
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import escape, strip_tags, urlize
from django_prose_editor.fields import ProseEditorField

#: Tags an editor may use, and the only attribute: a link's address. The empty "*"
#: entry replaces nh3's default generic attributes ("lang", "title" on every tag).
ALLOWED_TAGS = frozenset(
    {"p", "br", "h2", "h3", "h4", "strong", "em", "a", "ul", "ol", "li", "blockquote"}
)
ALLOWED_ATTRIBUTES = {"*": frozenset(), "a": frozenset({"href"})}
#: Besides addresses on this site ("/…", "#…"): web and e-mail links only.
URL_SCHEMES = frozenset({"http", "https", "mailto"})

#: The editor's extensions: exactly the allow-list above.
EDITOR_EXTENSIONS: dict[str, Any] = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": sorted(URL_SCHEMES)},
}

_LINK = re.compile(r'<a href="([^"]*)">')
_H1 = re.compile(r"<(/?)h1\b", re.I)
_H56 = re.compile(r"<(/?)h[56]\b", re.I)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _is_internal(href: str) -> bool:
    site = settings.SITE_URL.rstrip("/")
    return (
        href.startswith(("/", "#"))
        or href == site
        or href.startswith((f"{site}/", f"{site}#", f"{site}?"))
    )


def _add_rel(match: re.Match) -> str:
    href = html_lib.unescape(match[1])
    if _is_internal(href) or href.lower().startswith("mailto:"):
        return match[0]
    return f'<a href="{match[1]}" rel="noopener">'


def sanitize_html(html: str | None) -> str:
    """`html` with only the allowed tags and link addresses; external links get rel="noopener".

    Idempotent: cleaning clean HTML gives the same string. An editor's empty
    paragraph (no text at all) becomes "".
    """
    # Pasted headings outside h2–h4 keep being headings: h1 (the page title's level) → h2,
    # h5/h6 → h4, instead of losing the break between the words.
    html = _H1.sub(r"<\1h2", html or "")
    html = _H56.sub(r"<\1h4", html)
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    ).strip()
    if not strip_tags(cleaned).strip():
        return ""
    return _LINK.sub(_add_rel, cleaned)


def looks_like_html(text: str | None) -> bool:
    """True when `text` has at least one tag (editor output always has)."""
    return bool(text and _ANY_TAG.search(text))


# The former markup of text pages (plain text everywhere else is a subset of it).
_HEADING = re.compile(r"^##\s+(?P<text>.+)$")
_ITEM = re.compile(r"^[-*]\s+(?P<text>.+)$")


def _inline(text: str) -> str:
    """Escape a line and link web and e-mail addresses in it."""
    return urlize(text, autoescape=True)


def markup_to_html(text: str | None) -> str:
    """Plain text or the former page markup as clean HTML.

    A blank line starts a paragraph, a single line break stays one (`<br>`), a line
    starting with "## " becomes a subheading (h2), lines starting with "- " a list;
    web and e-mail addresses become links. Everything else is escaped.
    """
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            html.append("<p>" + "<br>".join(_inline(p) for p in paragraph) + "</p>")
            paragraph.clear()
        if items:
            html.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        for raw in block.split("\n"):
            line = raw.strip()
            if not line:
                continue
            heading = _HEADING.match(line)
            item = _ITEM.match(line)
            if heading:
                flush()
                html.append(f"<h2>{escape(heading['text'])}</h2>")
            elif item:
                if paragraph:
                    flush()
                items.append(item["text"])
            else:
                if items:
                    flush()
                paragraph.append(line)
        flush()
    return sanitize_html("".join(html))


def to_rich_html(value: str | None) -> str:
    """Clean HTML from editor output (sanitised) or from older plain text (converted)."""
    if looks_like_html(value):
        return sanitize_html(value)
    return markup_to_html(value)


_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|h[1-6]|li|blockquote|ul|ol)>", re.I)


def plain_text(value: str | None) -> str:
    """The words of a rich text without any tag or entity (search, feeds, meta, iCal)."""
    text = _BLOCK_END.sub("\n", value or "")
    text = html_lib.unescape(strip_tags(text))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


class RichTextField(ProseEditorField):
    """A text field edited in the prose editor and stored as clean HTML.

    `deconstruct` (inherited) names a plain TextField: no schema change, and
    migrations do not depend on this module.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("config", {"extensions": dict(EDITOR_EXTENSIONS)})
        kwargs.setdefault("sanitize", to_rich_html)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance: Any, add: bool) -> str:
        # Every save path (admin, load_content, shell, services) stores clean HTML.
        value = to_rich_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


# --- Content-Security-Policy for admin pages with the editor -----------------

#: The `<style>` Tiptap 3 injects (`injectCSS`, the default) in django-prose-editor
#: 0.28.0's editor.js. tests/core/test_richtext_csp.py reads it out of the bundle and
#: fails when it changes.
TIPTAP_STYLE_SHA256 = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"

_IMPORTMAP = re.compile(r'<script type="importmap"[^>]*>(.*?)</script>', re.S)


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def editor_csp_update(content: str) -> dict[str, list[str]] | None:
    """The extra CSP sources a rendered admin page with the editor needs, else None."""
    if "django-prose-editor" not in content:
        return None
    scripts = [csp_hash(body) for body in _IMPORTMAP.findall(content)]
    if not scripts:
        return None
    return {"script-src": scripts, "style-src": [TIPTAP_STYLE_SHA256]}


class EditorCSPMiddleware:
    """Allows the editor's import map and Tiptap's style by hash, on admin pages with the editor.

    Sits after `csp.middleware.CSPMiddleware` in MIDDLEWARE, so its response passes
    here first; django-csp then adds `_csp_update` to the policy of this response only.
    The import map's hash is taken from the page as rendered (static URLs differ
    between development and hashed production files).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(reverse("admin:index"))
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
        ):
            update = editor_csp_update(response.content.decode(response.charset, "replace"))
            if update:
                existing = getattr(response, "_csp_update", None) or {}
                response._csp_update = {**existing, **update}
        return response
