"""`{% workspace_for user as workspace %}`: the counsellors' start page (admin index)."""

from django import template
from django.contrib.auth.models import AbstractBaseUser

from counselling.selectors import Workspace, may_work_on_counselling, workspace_for

register = template.Library()


@register.simple_tag
def workspace_for_user(user: AbstractBaseUser) -> Workspace | None:
    """The start page's boxes for staff who see counselling data; None for everyone else."""
    if not (user.is_authenticated and user.is_staff and may_work_on_counselling(user)):
        return None
    return workspace_for(user=user)
