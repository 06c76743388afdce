"""Image renditions made with Pillow by the worker, cropped around the focal point.

Every image field (`kkk_portal.fields.ImageField`) may declare a `crop_ratio`
(width, height), e.g. 16:9 for news images; its renditions are then cut to that
aspect ratio around the focal point the editor set in the admin
(`<field>_focus_x` / `<field>_focus_y`, percent of width and height; empty: the
middle). Without `crop_ratio` (funders' logos: a logo is never cut) the whole
image is scaled and the focal point is not used.

A *rendition spec* names what is made: the stored image, the aspect ratio and
the focal point, written as the key `<name>|<w>x<h>|<x>,<y>` (or `<name>|orig|50,50`).
Its files are `thumbs/<hash of the key>-<width>.webp` plus a fallback for
browsers without WebP (`.jpg`, or `.png` for images with transparency), in a few
widths (never wider than the cropped original). A new focal point or a new image
is a new key and so gives new file names: no cache can serve the old crop.

When a model with an image field is saved, a renditions job for the spec is
queued in the same transaction (unless it is recorded already); the worker
(`run_worker`) makes the files and records them in `ImageRendition`.

A page never decodes or writes an image: `responsive_image(field_file)` uses
the recorded renditions (also kept in the cache) and, until the worker has made
them, the original with its width and height. An image the worker could not
read gives `None` (and a logged warning), never an exception: a bad upload must
not break a page.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterable
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
WEBP_QUALITY = 80
JPEG_QUALITY = 82
CACHE_SECONDS = 60 * 60 * 24
ORIENTATION_TAG = 0x0112
CENTRE = (50, 50)
# Pillow raises these for unreadable, truncated or oversized images.
IMAGE_ERRORS = (
    OSError,
    ValueError,
    SyntaxError,
    UnidentifiedImageError,
    Image.DecompressionBombError,
)


# --- What is made -------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One image's renditions: which file, cut to which aspect ratio, around which point."""

    source: str
    ratio: tuple[int, int] | None = None  # width:height of the renditions; None: uncut
    focus: tuple[int, int] = CENTRE  # percent from the left and from the top

    @property
    def key(self) -> str:
        if self.ratio is None:
            return f"{self.source}|orig|{CENTRE[0]},{CENTRE[1]}"
        return f"{self.source}|{self.ratio[0]}x{self.ratio[1]}|{self.focus[0]},{self.focus[1]}"

    @classmethod
    def from_key(cls, key: str) -> Spec:
        """The spec of a job key; a bare storage name (older jobs) is the uncut image."""
        source, _sep, rest = key.partition("|")
        if not rest:
            return cls(source)
        ratio_text, _sep, focus_text = rest.partition("|")
        ratio = None
        if ratio_text != "orig":
            width, height = (int(n) for n in ratio_text.split("x"))
            ratio = (width, height)
        x, y = (int(n) for n in focus_text.split(","))
        return cls(source, ratio, (x, y) if ratio else CENTRE)

    @classmethod
    def of(cls, field_file) -> Spec:
        """The spec of an image field's current value on its model instance."""
        field = getattr(field_file, "field", None)
        instance = getattr(field_file, "instance", None)
        ratio = getattr(field, "crop_ratio", None)
        if ratio is None or instance is None:
            return cls(field_file.name)
        x = getattr(instance, f"{field.name}_focus_x", None)
        y = getattr(instance, f"{field.name}_focus_y", None)
        focus = (int(x), int(y)) if x is not None and y is not None else CENTRE
        return cls(field_file.name, tuple(ratio), _clamped(focus))


def _clamped(focus: tuple[int, int]) -> tuple[int, int]:
    return (min(max(focus[0], 0), 100), min(max(focus[1], 0), 100))


def crop_box(
    size: tuple[int, int], ratio: tuple[int, int] | None, focus: tuple[int, int]
) -> tuple[int, int, int, int]:
    """The largest box of aspect `ratio` inside an image of `size`, centred on the
    focal point as far as the edges allow: (left, top, right, bottom)."""
    width, height = size
    if ratio is None:
        return (0, 0, width, height)
    wanted = ratio[0] / ratio[1]
    if width / height > wanted:  # too wide: cut left and right
        box_w, box_h = max(1, round(height * wanted)), height
    else:  # too tall: cut top and bottom
        box_w, box_h = width, max(1, round(width / wanted))
    centre_x, centre_y = width * focus[0] / 100, height * focus[1] / 100
    left = min(max(round(centre_x - box_w / 2), 0), width - box_w)
    top = min(max(round(centre_y - box_h / 2), 0), height - box_h)
    return (left, top, left + box_w, top + box_h)


# --- Files ----------------------------------------------------------------------


@dataclass(frozen=True)
class Thumbnail:
    """One width of a rendition: the WebP file and its fallback (JPEG or PNG)."""

    name: str
    width: int
    height: int
    fallback: str = ""  # empty for the original itself (shown until the worker has run)

    @property
    def url(self) -> str:
        return default_storage.url(self.name)

    @property
    def fallback_url(self) -> str:
        return default_storage.url(self.fallback or self.name)


@dataclass(frozen=True)
class ResponsiveImage:
    thumbnails: tuple[Thumbnail, ...]  # narrowest first

    @property
    def is_original(self) -> bool:
        """The uploaded file itself: the worker has not made the renditions yet."""
        return not self.thumbnails[0].fallback

    @property
    def src(self) -> Thumbnail:
        """The middle width: a sensible default for browsers without srcset."""
        return self.thumbnails[(len(self.thumbnails) - 1) // 2]

    @property
    def srcset(self) -> str:
        """The WebP files (the original's file before the worker has run)."""
        return ", ".join(f"{t.url} {t.width}w" for t in self.thumbnails)

    @property
    def fallback_srcset(self) -> str:
        return ", ".join(f"{t.fallback_url} {t.width}w" for t in self.thumbnails)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def thumbnail_name(key: str, width: int, extension: str = "webp") -> str:
    """Where the rendition `key` (a spec key, or a storage name) is stored in `width`."""
    return f"{THUMB_DIR}/{_digest(key)}-{width}.{extension}"


def _target_widths(source_width: int, widths: Iterable[int]) -> list[int]:
    fitting = [w for w in sorted(widths) if w <= source_width]
    return fitting or [source_width]


def _encode(image: Image.Image, width: int, fmt: str) -> tuple[bytes, int]:
    height = max(1, round(image.height * width / image.width))
    resized = image.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if fmt == "WEBP":
        resized.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    elif fmt == "JPEG":
        resized.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        resized.save(buffer, "PNG", optimize=True)
    return buffer.getvalue(), height


def _read_size(name: str) -> tuple[int, int]:
    with default_storage.open(name, "rb") as fh, Image.open(fh) as thumb:
        return thumb.size


def _write(name: str, image: Image.Image, width: int, fmt: str) -> tuple[int, int]:
    """Write one file unless it exists; returns its size."""
    if default_storage.exists(name):
        return _read_size(name)
    data, height = _encode(image, width, fmt)
    default_storage.save(name, ContentFile(data))
    return width, height


def make_thumbnails(
    spec: Spec | str, widths: Iterable[int] = WIDTHS
) -> tuple[tuple[Thumbnail, ...], tuple[int, int]]:
    """Write the missing files of a rendition in storage; worker only.

    Returns (thumbnails, (original width, original height)); raises one of
    IMAGE_ERRORS if the image cannot be read.
    """
    spec = spec if isinstance(spec, Spec) else Spec.from_key(spec)
    widths = tuple(widths)
    result = []
    with default_storage.open(spec.source, "rb") as fh, Image.open(fh) as original:
        size = original.size
        if original.getexif().get(ORIENTATION_TAG) in {5, 6, 7, 8}:  # turned by 90°
            size = (size[1], size[0])
        original.draft("RGB", (max(widths) * 2, max(widths) * 2))  # faster JPEG decode
        image = ImageOps.exif_transpose(original)
        alpha = image.mode in {"RGBA", "LA", "PA"} or (
            image.mode == "P" and "transparency" in image.info
        )
        image = image.convert("RGBA" if alpha else "RGB")
        image = image.crop(crop_box(image.size, spec.ratio, spec.focus))
        fallback_format, fallback_extension = ("PNG", "png") if alpha else ("JPEG", "jpg")
        for width in _target_widths(image.width, widths):
            name = thumbnail_name(spec.key, width)
            fallback = thumbnail_name(spec.key, width, fallback_extension)
            actual_width, height = _write(name, image, width, "WEBP")
            _write(fallback, image, width, fallback_format)
            result.append(Thumbnail(name, actual_width, height, fallback))
    return tuple(result), size


def _cache_key(key: str) -> str:
    return "kkk-renditions:" + hashlib.sha256(key.encode()).hexdigest()


def renditions_make(key: str):
    """The worker's job: make and record the renditions of one spec (see `Spec.key`)."""
    from counselling.models import ImageRendition

    spec = Spec.from_key(key)
    try:
        thumbnails, (width, height) = make_thumbnails(spec)
    except IMAGE_ERRORS as error:
        logger.warning("No renditions for %s: %s", key, error)
        values = {"width": None, "height": None, "thumbnails": [], "error": str(error)[:2000]}
    else:
        values = {
            "width": width,
            "height": height,
            "thumbnails": [[t.name, t.width, t.height, t.fallback] for t in thumbnails],
            "error": "",
        }
    rendition, _created = ImageRendition.objects.update_or_create(source=spec.key, defaults=values)
    safe_cache.set(_cache_key(spec.key), values, CACHE_SECONDS)
    return rendition


def _recorded(key: str) -> dict | None:
    """The worker's record of a rendition: from the cache, else from the database."""
    values = safe_cache.get(_cache_key(key))
    if values is None:
        from counselling.models import ImageRendition

        values = (
            ImageRendition.objects.filter(source=key)
            .values("width", "height", "thumbnails", "error")
            .first()
        )
        if values is not None:  # only found records are cached: the worker may be on its way
            safe_cache.set(_cache_key(key), values, CACHE_SECONDS)
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


def responsive_image(field_file, widths: Iterable[int] = WIDTHS) -> ResponsiveImage | None:
    """The renditions of an image field, the original until they exist, or None."""
    if not field_file or not field_file.name:
        return None
    key = Spec.of(field_file).key
    values = _recorded(key)
    if values is None:
        return _original(field_file)
    if not values["thumbnails"]:
        return None  # the worker could not read it: show nothing rather than a broken image
    made = [Thumbnail(*entry) for entry in values["thumbnails"]]
    wanted = set(widths)
    # A small image (or crop) has one rendition narrower than every wanted width.
    chosen = [t for t in made if t.width in wanted] or made
    return ResponsiveImage(tuple(chosen))


# --- Queueing on save ---------------------------------------------------------


@memoize
def _image_fields(model) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields if isinstance(f, models.ImageField))


def rendition_keys(instance: models.Model) -> list[str]:
    """The spec keys of the images `instance` has now."""
    fields = (getattr(instance, name) for name in _image_fields(type(instance)))
    return [Spec.of(field_file).key for field_file in fields if field_file]


def renditions_enqueue(*, names: Iterable[str]) -> None:
    """Queue a renditions job for each spec key (or storage name) with none recorded yet."""
    from counselling import services
    from counselling.models import ImageRendition, Job

    keys = set(names)
    keys -= set(ImageRendition.objects.filter(source__in=keys).values_list("source", flat=True))
    for key in sorted(keys):
        services.job_enqueue(kind=Job.Kind.RENDITIONS, key=key)


def _enqueue_on_save(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: the files may not even exist
        return
    if keys := rendition_keys(instance):
        renditions_enqueue(names=keys)


def connect_rendition_signals(models_to_watch) -> None:
    """Queue renditions whenever one of these models is saved with an image (apps.ready)."""
    for model in models_to_watch:
        if _image_fields(model) and not model.__name__.startswith("Historical"):
            post_save.connect(
                _enqueue_on_save, sender=model, dispatch_uid=f"renditions-{model._meta.label}"
            )
