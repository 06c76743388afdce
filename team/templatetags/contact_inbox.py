"""The contact inbox's box on the admin start page."""

from django import template

from ..models import ContactMessage

register = template.Library()


@register.simple_tag
def new_contact_messages(user) -> int | None:
    """How many contact requests are new, for holders of the permission; else None."""
    if not user.has_perm("team.view_contactmessage"):
        return None
    return ContactMessage.objects.filter(status=ContactMessage.Status.NEW).count()
