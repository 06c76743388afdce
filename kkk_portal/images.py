"""Responsive thumbnails made with Pillow by the worker, stored once under MEDIA_ROOT.

When a model with an image field is saved, a renditions job is queued (in the
same transaction) for each new image; the worker (`run_worker`) writes the
thumbnails in a few widths (never wider than the original) as
`thumbs/<hash>-<width>.webp` and records them in `ImageRendition`.

A page never decodes or writes an image: `responsive_image(field_file)` uses
the recorded thumbnails (their sizes are also kept in the cache) and, until the
worker has made them, the original with its width and height. An image the
worker could not read gives `None` (and a logged warning), never an exception:
a bad upload must not break a page.
"""

import hashlib
import io
import logging
from dataclasses import dataclass
from functools import cache as memoize

from django.core.files.base import ContentFile
from django.core.files.images import get_image_dimensions
from django.core.files.storage import default_storage
from django.db import models
from django.db.models.signals import post_save
from PIL import Image, ImageOps, UnidentifiedImageError

from kkk_portal import safe_cache

logger = logging.getLogger(__name__)

WIDTHS = (320, 640, 960)
THUMB_DIR = "thumbs"
THUMB_FORMAT = "WEBP"
THUMB_EXTENSION = "webp"
THUMB_QUALITY = 80
CACHE_SECONDS = 60 * 60 * 24
ORIENTATION_TAG = 0x0112
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
    def url(self) -> str:
        return default_storage.url(self.name)


@dataclass(frozen=True)
class ResponsiveImage:
    thumbnails: tuple  # of Thumbnail, narrowest first

    @property
    def src(self) -> Thumbnail:
        """The middle width: a sensible fallback for browsers without srcset."""
        return self.thumbnails[(len(self.thumbnails) - 1) // 2]

    @property
    def srcset(self) -> str:
        return ", ".join(f"{t.url} {t.width}w" for t in self.thumbnails)


def thumbnail_name(source_name: str, width: int) -> str:
    digest = hashlib.sha256(source_name.encode()).hexdigest()[:20]
    return f"{THUMB_DIR}/{digest}-{width}.{THUMB_EXTENSION}"


def _target_widths(source_width: int, widths) -> list[int]:
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


def make_thumbnails(source_name: str, widths=WIDTHS) -> tuple[tuple, tuple[int, int]]:
    """Write the missing thumbnails of an image in storage; worker only.

    Returns (thumbnails, (original width, original height)); raises one of
    IMAGE_ERRORS if the image cannot be read.
    """
    result = []
    with default_storage.open(source_name, "rb") as fh, Image.open(fh) as original:
        size = original.size
        if original.getexif().get(ORIENTATION_TAG) in {5, 6, 7, 8}:  # turned by 90°
            size = (size[1], size[0])
        original.draft("RGB", (max(widths) * 2, max(widths) * 2))  # faster JPEG decode
        image = ImageOps.exif_transpose(original)
        image = image.convert("RGBA" if image.mode in {"RGBA", "LA", "P"} else "RGB")
        for width in _target_widths(image.width, widths):
            name = thumbnail_name(source_name, width)
            if default_storage.exists(name):
                thumb_width, height = _read_size(name)
                result.append(Thumbnail(name, thumb_width, height))
                continue
            data, height = _encode(image, width)
            saved = default_storage.save(name, ContentFile(data))
            result.append(Thumbnail(saved, width, height))
    return tuple(result), size


def _cache_key(source_name: str) -> str:
    return "kkk-renditions:" + hashlib.sha256(source_name.encode()).hexdigest()


def renditions_make(source_name: str):
    """The worker's job: make and record the thumbnails of one stored image."""
    from counselling.models import ImageRendition

    try:
        thumbnails, (width, height) = make_thumbnails(source_name)
    except IMAGE_ERRORS as error:
        logger.warning("No thumbnails for %s: %s", source_name, error)
        values = {"width": None, "height": None, "thumbnails": [], "error": str(error)[:2000]}
    else:
        values = {
            "width": width,
            "height": height,
            "thumbnails": [[t.name, t.width, t.height] for t in thumbnails],
            "error": "",
        }
    rendition, _created = ImageRendition.objects.update_or_create(
        source=source_name, defaults=values
    )
    safe_cache.set(_cache_key(source_name), values, CACHE_SECONDS)
    return rendition


def _recorded(source_name: str) -> dict | None:
    """The worker's record of an image: from the cache, else from the database."""
    values = safe_cache.get(_cache_key(source_name))
    if values is None:
        from counselling.models import ImageRendition

        values = (
            ImageRendition.objects.filter(source=source_name)
            .values("width", "height", "thumbnails", "error")
            .first()
        )
        if values is not None:  # only found records are cached: the worker may be on its way
            safe_cache.set(_cache_key(source_name), values, CACHE_SECONDS)
    return values


def _original(field_file) -> ResponsiveImage | None:
    """The uploaded image itself, with its size read from the file header (no decode)."""
    try:
        with default_storage.open(field_file.name, "rb") as fh:
            width, height = get_image_dimensions(fh)
    except IMAGE_ERRORS as error:
        logger.warning("Image %s unreadable: %s", field_file.name, error)
        return None
    if not (width and height):
        return None
    return ResponsiveImage((Thumbnail(field_file.name, width, height),))


def responsive_image(field_file, widths=WIDTHS) -> ResponsiveImage | None:
    """The thumbnails of an image field, the original until they exist, or None."""
    if not field_file or not field_file.name:
        return None
    values = _recorded(field_file.name)
    if values is None:
        return _original(field_file)
    if not values["thumbnails"]:
        return None  # the worker could not read it: show nothing rather than a broken image
    targets = set(_target_widths(values["width"] or 0, widths))
    made = {name: (name, w, h) for name, w, h in values["thumbnails"]}
    chosen = [
        Thumbnail(*made[thumbnail_name(field_file.name, t)])
        for t in sorted(targets)
        if thumbnail_name(field_file.name, t) in made
    ]
    if not chosen:  # widths the worker does not make: fall back to the original
        return _original(field_file)
    return ResponsiveImage(tuple(chosen))


# --- Queueing on save ---------------------------------------------------------


@memoize
def _image_fields(model) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields if isinstance(f, models.ImageField))


def renditions_enqueue(*, names) -> None:
    """Queue a renditions job for each image that has none recorded yet."""
    from counselling import services
    from counselling.models import ImageRendition, Job

    names = set(names)
    names -= set(ImageRendition.objects.filter(source__in=names).values_list("source", flat=True))
    for name in sorted(names):
        services.job_enqueue(kind=Job.Kind.RENDITIONS, key=name)


def _enqueue_on_save(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: the files may not even exist
        return
    names = [getattr(instance, f).name for f in _image_fields(sender) if getattr(instance, f)]
    if names:
        renditions_enqueue(names=names)


def connect_rendition_signals(models_to_watch) -> None:
    """Queue renditions whenever one of these models is saved with an image (apps.ready)."""
    for model in models_to_watch:
        if _image_fields(model) and not model.__name__.startswith("Historical"):
            post_save.connect(
                _enqueue_on_save, sender=model, dispatch_uid=f"renditions-{model._meta.label}"
            )
