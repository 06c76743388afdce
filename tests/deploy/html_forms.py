"""Read an HTML form the way a browser would submit it (for admin pages driven over HTTP)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class _FormParser(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: tuple[str, bool] | None = None
        self._select_chosen: list[str] = []
        self._select_first: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form" and attr.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attr.get("name")
        if tag == "input" and name:
            kind = attr.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attr:
                return
            self.fields.append((name, attr.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = (name, "multiple" in attr)
            self._select_chosen, self._select_first = [], None
        elif tag == "option" and self._select:
            value = attr.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in attr:
                self._select_chosen.append(value)
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select:
            name, multiple = self._select
            chosen = self._select_chosen
            if not chosen and not multiple and self._select_first is not None:
                chosen = [self._select_first]
            self.fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser would send for the form with this id."""
    parser = _FormParser(form_id)
    parser.feed(html)
    assert parser.fields, f"form #{form_id} not found or empty"
    return parser.fields


def document_upload_data(html: str, *, title: str) -> tuple[list[tuple[str, str]], str]:
    """The case change form with a new document in the CaseDocument inline's empty row.

    Returns the fields for a multipart POST and the name of the row's file field.
    """
    fields = form_fields(html, "case_form")
    prefix = next(
        name.removesuffix("-TOTAL_FORMS")
        for name, _value in fields
        if name.endswith("-TOTAL_FORMS") and "document" in name.lower()
    )
    row = f"{prefix}-{dict(fields)[f'{prefix}-INITIAL_FORMS']}"
    data = [(n, v) for n, v in fields if n not in {f"{row}-title", f"{row}-kind"}]
    data += [(f"{row}-title", title), (f"{row}-kind", "protokoll"), ("_continue", "1")]
    return data, f"{row}-file"
