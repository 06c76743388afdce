"""Read HTML the way a person or a browser does: one real parser for every test.

A small API over BeautifulSoup (with soupsieve for CSS selectors), so no test
needs a regular expression to find something in a page:

- `doc(source)`: the parsed page (`source` is a response, bytes or a string);
- `texts(source, css)`: the text of every element matching `css`, as read;
- `text(source, css)`: the text of the one element matching `css`;
- `links(source, css)`: (href, text) of every link matching `css`;
- `attrs(source, css, name)`: the attribute `name` of every element matching `css`;
- `visible_text(source)`: the whole page's text (scripts and styles left out);
- `form_fields(source, css)`: the (name, value) pairs a browser would submit;
- `csrf_token(source)`: the CSRF token of the page's first form.

Text is what a reader sees: tags separate words, entities are decoded,
whitespace collapses, and no space is left before a comma or a full stop.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag

# Text in these elements is never shown.
HIDDEN_TAGS = ("script", "style", "template")
# Attributes read out or shown to a person (alt text, tooltips, labels, meta content).
VISIBLE_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "content")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?)])")
_SPACE_AFTER_PARENTHESIS = re.compile(r"\(\s+")

Source = Any  # a Django/Playwright response, bytes, str, or an already parsed Tag


def doc(source: Source) -> BeautifulSoup | Tag:
    """The parsed HTML of a response (its `content`), of bytes or of a string."""
    if isinstance(source, Tag):
        return source
    content = getattr(source, "content", source)
    if isinstance(content, bytes):
        content = content.decode()
    return BeautifulSoup(content, "html.parser")


def _clean(text: str) -> str:
    text = " ".join(text.split())
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    return _SPACE_AFTER_PARENTHESIS.sub("(", text)


def text_of(node: Source) -> str:
    """The text of an element (or an HTML fragment) as a reader sees it."""
    return visible_text(node)


def texts(source: Source, css: str) -> list[str]:
    """The text of every element matching the CSS selector `css`, in page order."""
    return [text_of(element) for element in doc(source).select(css)]


def text(source: Source, css: str) -> str:
    """The text of the single element matching `css` (fails if there is not exactly one)."""
    found = texts(source, css)
    assert len(found) == 1, f"{len(found)} elements match {css!r}, expected one"
    return found[0]


def links(source: Source, css: str = "a[href]") -> list[tuple[str, str]]:
    """(href, text) of every link matching `css`; the text falls back to aria-label."""
    return [
        (element.get("href", ""), text_of(element) or element.get("aria-label", ""))
        for element in doc(source).select(css)
    ]


def attrs(source: Source, css: str, name: str) -> list[str]:
    """The value of attribute `name` on every element matching `css` (missing ones skipped)."""
    values = []
    for element in doc(source).select(css):
        value = element.get(name)
        if value is None:
            continue
        values.append(" ".join(value) if isinstance(value, list) else value)
    return values


def visible_text(source: Source, *, attributes: bool = False) -> str:
    """The page's text as a person reads it, in document order.

    With `attributes`, also what is read out or shown from attributes (alt, title,
    aria-label, placeholder, meta content; values that are URLs are left out).
    Comments and the contents of script, style and template never count.
    """
    page = doc(source)
    parts: list[str] = []
    for node in page.descendants:
        if isinstance(node, Tag):
            if attributes and not node.find_parent(HIDDEN_TAGS) and node.name not in HIDDEN_TAGS:
                for name in VISIBLE_ATTRIBUTES:
                    value = node.get(name)
                    if value and not value.startswith(("http", "/")):
                        parts.append(value)
        elif type(node) is NavigableString and not node.find_parent(HIDDEN_TAGS):
            parts.append(str(node))
    return _clean(" ".join(parts))


def form_fields(source: Source, css: str = "form") -> list[tuple[str, str]]:
    """The (name, value) pairs a browser would send for the first form matching `css`.

    Unchecked boxes, buttons and file inputs send nothing; a single select without a
    selected option sends its first option; a textarea drops its first newline.
    """
    form = doc(source).select_one(css)
    assert form is not None, f"no form matches {css!r}"
    fields: list[tuple[str, str]] = []
    for element in form.find_all(["input", "select", "textarea"]):
        name = element.get("name")
        if not name or element.has_attr("disabled"):
            continue
        if element.name == "input":
            kind = element.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                continue
            if kind in {"checkbox", "radio"} and not element.has_attr("checked"):
                continue
            fields.append((name, element.get("value", "on" if kind == "checkbox" else "")))
        elif element.name == "select":
            options = element.find_all("option")
            chosen = [o.get("value", o.get_text()) for o in options if o.has_attr("selected")]
            if not chosen and not element.has_attr("multiple") and options:
                chosen = [options[0].get("value", options[0].get_text())]
            fields.extend((name, value) for value in chosen)
        else:
            # Like a browser: the newline right after <textarea> is not part of the value.
            fields.append((name, element.get_text().removeprefix("\n")))
    assert fields, f"form {css!r} is empty"
    return fields


def csrf_token(source: Source) -> str:
    """The value of the page's CSRF token field."""
    found = attrs(source, 'input[name="csrfmiddlewaretoken"]', "value")
    assert found, "no CSRF token in the page"
    return found[0]
