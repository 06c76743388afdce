"""Every page of this area works under a strict Content-Security-Policy."""

import itertools
import re

import pytest

from tests.factories import NewsPostFactory

pytestmark = pytest.mark.django_db

URLS = [
    "/publikationen/",
    "/publikationen/?year=abc",
    "/publikationen/nur-dabeisein-ist-nicht-alles-broschuere/",
    "/aktuelles/",
    "/aktuelles/meldung/",
    "/veranstaltungen/archiv/",
    "/veranstaltungen/online-seminar-kommunales-konfliktmanagement-2022/",
    "/team/",
    "/kontakt/",
]


@pytest.mark.parametrize("url", URLS)
def test_pages_have_no_inline_code_and_clean_headings(client, centre_content, url):
    NewsPostFactory(slug="meldung")
    for prefix in ["", "/en"]:
        response = client.get(prefix + url)
        assert response.status_code == 200
        html = response.content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        assert re.findall(r"\sstyle=\"", html) == []
        assert re.findall(r"\son[a-z]+=\"", html) == []
        assert len(re.findall(r"<h1[\s>]", html)) == 1
        levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
