"""Template helpers for the leadership pages and their link on the admin index."""

from django import template

from counselling.leadership_views import may_view_leadership

register = template.Library()


@register.filter
def may_view_leadership_pages(user):
    """`{% if user|may_view_leadership_pages %}`: the rule the leadership views check.

    That is `counselling.view_statistics` (counselling/permissions.py), never a group name.
    """
    return may_view_leadership(user)
