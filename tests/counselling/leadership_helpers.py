"""Shared by the leadership tests: tables of an HTML page, rows of a CSV download."""

import csv
import io
from html.parser import HTMLParser

import pytest
from django.utils import translation


class _TableParser(HTMLParser):
    """Collects every <table>: its caption and its rows as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables = []
        self._cell = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._in_caption:
            self.tables[-1]["caption"] += data
        elif self._cell is not None:
            self._cell.append(data)


def html_tables(response):
    """{caption: rows} of every table in a response."""
    parser = _TableParser()
    parser.feed(response.content.decode())
    return {" ".join(t["caption"].split()): t["rows"] for t in parser.tables}


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
