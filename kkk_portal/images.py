"""Responsive thumbnails made with Pillow, stored once under MEDIA_ROOT.

`responsive_image(field_file)` returns the thumbnails of an uploaded image in
a few widths (never wider than the original) as `thumbs/<hash>-<width>.webp`.
A thumbnail file is written only when it does not exist yet; its sizes are
kept in the cache, so a page render after the first costs neither an image
decode nor a write. A missing or corrupt source image gives `None` (and a
logged warning), never an exception: a bad upload must not break a page.
"""

import hashlib
import io
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

WIDTHS = (320, 640, 960)
THUMB_DIR = "thumbs"
THUMB_FORMAT = "WEBP"
THUMB_EXTENSION = "webp"
THUMB_QUALITY = 80
CACHE_SECONDS = 60 * 60 * 24
FAILURE_CACHE_SECONDS = 60 * 5
# Pillow raises these for unreadable, truncated or oversized images.
IMAGE_ERRORS = (
    OSError,
    ValueError,
    SyntaxError,
    UnidentifiedImageError,
    Image.DecompressionBombError,
)


@dataclass(frozen=True)
class Thumbnail:
    name: str
    width: int
    height: int

    @property
    def url(self):
        return default_storage.url(self.name)


@dataclass(frozen=True)
class ResponsiveImage:
    thumbnails: tuple  # of Thumbnail, narrowest first

    @property
    def src(self):
        """The middle width: a sensible fallback for browsers without srcset."""
        return self.thumbnails[(len(self.thumbnails) - 1) // 2]

    @property
    def srcset(self):
        return ", ".join(f"{t.url} {t.width}w" for t in self.thumbnails)


def thumbnail_name(source_name, width):
    digest = hashlib.sha256(source_name.encode()).hexdigest()[:20]
    return f"{THUMB_DIR}/{digest}-{width}.{THUMB_EXTENSION}"


def _target_widths(source_width, widths):
    fitting = [w for w in sorted(widths) if w <= source_width]
    return fitting or [source_width]


def _encode(image, width):
    height = max(1, round(image.height * width / image.width))
    resized = image.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    resized.save(buffer, THUMB_FORMAT, quality=THUMB_QUALITY, method=4)
    return buffer.getvalue(), height


def _read_size(name):
    with default_storage.open(name, "rb") as fh, Image.open(fh) as thumb:
        return thumb.size


def make_thumbnails(field_file, widths=WIDTHS):
    """Write the missing thumbnails of `field_file`; return them, or () if unreadable."""
    result = []
    with field_file.open("rb") as fh, Image.open(fh) as original:
        original.draft("RGB", (max(widths) * 2, max(widths) * 2))  # faster JPEG decode
        image = ImageOps.exif_transpose(original)
        image = image.convert("RGBA" if image.mode in {"RGBA", "LA", "P"} else "RGB")
        for width in _target_widths(image.width, widths):
            name = thumbnail_name(field_file.name, width)
            if default_storage.exists(name):
                thumb_width, height = _read_size(name)
                result.append(Thumbnail(name, thumb_width, height))
                continue
            data, height = _encode(image, width)
            saved = default_storage.save(name, ContentFile(data))
            result.append(Thumbnail(saved, width, height))
    return tuple(result)


def responsive_image(field_file, widths=WIDTHS):
    """The cached thumbnails of an image field, or None if there is no usable image."""
    if not field_file or not field_file.name:
        return None
    widths = tuple(sorted(widths))
    key = "kkk-thumbs:" + hashlib.sha256(f"{field_file.name}|{widths}".encode()).hexdigest()
    cached = cache.get(key)
    if cached is None:
        try:
            cached = make_thumbnails(field_file, widths)
        except IMAGE_ERRORS as error:
            logger.warning("No thumbnails for %s: %s", field_file.name, error)
            cache.set(key, (), FAILURE_CACHE_SECONDS)
            return None
        cache.set(key, cached, CACHE_SECONDS)
    return ResponsiveImage(cached) if cached else None
