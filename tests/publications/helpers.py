"""Small helpers for the publication, news and team tests.

Reading HTML goes through tests/html.py (a real parser): `texts(response, css)`
and `visible_text(response)` are re-exported here for the tests that import them.
"""

import io

from PIL import Image

from tests.html import texts, visible_text

__all__ = ["card_titles", "image_bytes", "texts", "visible_text"]


def image_bytes(width=1200, height=800, fmt="JPEG", color=(11, 90, 115)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def card_titles(response) -> list[str]:
    """The titles of the cards on a list page, in order."""
    return texts(response, "h3.h5.card-title > a[href]")
