"""`{% editorial_start_for_user user as editorial %}`: the editors' boxes on the admin index."""

from django import template
from django.contrib.auth.models import AbstractBaseUser

from kkk_portal.editorial import EditorialStart, editorial_start_for

register = template.Library()


@register.simple_tag
def editorial_start_for_user(user: AbstractBaseUser) -> EditorialStart | None:
    """Drafts, scheduled, recently changed and English-missing content; None for
    people who change no public content (e.g. Beratung)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return None
    return editorial_start_for(user=user)
