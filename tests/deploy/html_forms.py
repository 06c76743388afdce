"""Read an HTML form the way a browser would submit it (for admin pages driven over HTTP).

Thin wrappers over tests/html.py, which parses the page with a real HTML parser.
"""

from __future__ import annotations

from tests import html as parsed


def csrf_token(html: str) -> str:
    return parsed.csrf_token(html)


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser would send for the form with this id."""
    return parsed.form_fields(html, f"form#{form_id}")


def document_upload_data(html: str, *, title: str) -> tuple[list[tuple[str, str]], str]:
    """The case change form with one new row in the CaseDocument inline.

    Returns the fields for a multipart POST and the name of the row's file field.
    """
    fields = form_fields(html, "case_form")
    prefix = next(
        name.removesuffix("-TOTAL_FORMS")
        for name, _value in fields
        if name.endswith("-TOTAL_FORMS") and "document" in name.lower()
    )
    initial = int(dict(fields)[f"{prefix}-INITIAL_FORMS"])
    row = f"{prefix}-{initial}"
    # The inline shows no empty row: add one, as its "add another" link does.
    total = f"{prefix}-TOTAL_FORMS"
    replaced = {total, f"{row}-title", f"{row}-kind"}
    data = [(n, v) for n, v in fields if n not in replaced]
    data += [
        (total, str(initial + 1)),
        (f"{row}-title", title),
        (f"{row}-kind", "protokoll"),
        ("_continue", "1"),
    ]
    return data, f"{row}-file"
