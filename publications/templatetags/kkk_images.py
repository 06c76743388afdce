"""`{% responsive_img %}`: a <picture> with the worker's WebP renditions and a fallback."""

from django import template
from django.utils.html import format_html

from kkk_portal.images import WIDTHS, responsive_image
from kkk_portal.translation import Translated, translated

register = template.Library()


def _alt(field_file, alt: str | None, default_alt: str) -> Translated:
    """The alternative text: given, else the field's `<name>_alt` in the page's language
    (English falling back to German), else `default_alt` (e.g. a person's name)."""
    if alt is not None:
        return Translated(str(alt), "", fallback=False)
    instance = getattr(field_file, "instance", None)
    field = getattr(field_file, "field", None)
    if instance is not None and field is not None and hasattr(instance, f"{field.name}_alt"):
        text = translated(instance, f"{field.name}_alt")
        if text:
            return text
    return Translated(str(default_alt or ""), "", fallback=False)


@register.simple_tag
def responsive_img(
    field_file, alt=None, sizes="100vw", css_class="img-fluid", widths=None, default_alt=""
):
    """A lazily loaded, responsive image, or nothing if the image is unusable.

    Once the worker has made the renditions: `<picture>` with the WebP files as a
    `<source>` and the JPEG/PNG fallback in the `<img>`; until then the original.
    `widths` is an optional comma-separated list ("160,320") overriding the defaults.
    """
    chosen = tuple(int(w) for w in widths.split(",")) if widths else WIDTHS
    image = responsive_image(field_file, chosen)
    if image is None:
        return ""
    text = _alt(field_file, alt, default_alt)
    lang = format_html(' lang="{}"', text.lang) if text.fallback else ""
    src = image.src
    img = format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{} class="{}" '
        'loading="lazy" decoding="async">',
        src.fallback_url,
        image.fallback_srcset,
        sizes,
        src.width,
        src.height,
        text.text,
        lang,
        css_class,
    )
    if image.is_original:
        return img
    return format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">{}</picture>',
        image.srcset,
        sizes,
        img,
    )
