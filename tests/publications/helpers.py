"""Small helpers for the publication, news and team tests."""

import html
import io
import re

from PIL import Image


def image_bytes(width=1200, height=800, fmt="JPEG", color=(11, 90, 115)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def _text(fragment):
    """HTML fragment to text: tags dropped, entities unescaped, spacing as a reader sees it."""
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
    return re.sub(r"\s+([,.;)])", r"\1", text)


def texts(pattern, content):
    """All matches of `pattern` (one group) in the HTML as text: tags dropped, unescaped."""
    if isinstance(content, bytes):
        content = content.decode()
    return [_text(m) for m in re.findall(pattern, content, re.S)]


def visible_text(content):
    """The page text roughly as a person reads it: tags removed, whitespace collapsed."""
    if isinstance(content, bytes):
        content = content.decode()
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S)
    return _text(content)


def card_titles(response):
    # English pages mark a title without translation as German (lang="de").
    pattern = r'<h3 class="h5 card-title"><a href="[^"]*"(?: lang="de")?>(.*?)</a>'
    return texts(pattern, response.content)
