"""Site-wide template helpers."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def localized(obj, field):
    """The English version of `field` when the page is English and one exists."""
    if get_language() == "en":
        value = getattr(obj, f"{field}_en", "")
        if value:
            return value
    return getattr(obj, field)


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (for pagination)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()
