"""Shared by the leadership tests: tables of an HTML page, rows of a CSV download."""

import csv
import io

import pytest
from django.utils import translation

from tests.html import doc, text_of


def html_tables(response) -> dict[str, list[list[str]]]:
    """{caption: rows} of every table in a response, each row a list of cell texts."""
    tables = {}
    for table in doc(response).select("table"):
        caption = table.find("caption")
        tables[text_of(caption) if caption else ""] = [
            [text_of(cell) for cell in row.find_all(["th", "td"])] for row in table.find_all("tr")
        ]
    return tables


def csv_rows(response):
    """The rows of a streamed CSV response; checks the BOM and the `;` separator."""
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


@pytest.fixture(autouse=True)
def _german():
    """URLs reversed in German, whatever language an earlier test left active."""
    with translation.override("de"):
        yield
