"""`{% responsive_img %}`: an <img> with Pillow-made thumbnails and srcset."""

from django import template
from django.utils.html import format_html

from kkk_portal.images import WIDTHS, responsive_image

register = template.Library()


@register.simple_tag
def responsive_img(field_file, alt="", sizes="100vw", css_class="img-fluid", widths=None):
    """Render a lazily loaded, responsive image, or nothing if the image is unusable.

    `widths` is an optional comma-separated list ("160,320") overriding the defaults.
    """
    chosen = tuple(int(w) for w in widths.split(",")) if widths else WIDTHS
    image = responsive_image(field_file, chosen)
    if image is None:
        return ""
    src = image.src
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" class="{}" '
        'loading="lazy" decoding="async">',
        src.url,
        image.srcset,
        sizes,
        src.width,
        src.height,
        alt or "",
        css_class,
    )
