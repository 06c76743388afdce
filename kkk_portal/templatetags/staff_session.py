"""`{% staff_session_banner %}`: the element the admin's session script fills in."""

from django import template

from kkk_portal.accounts import session_remaining

register = template.Library()


@register.inclusion_tag("admin/accounts/session_banner.html", takes_context=True)
def staff_session_banner(context) -> dict:
    request = context.get("request")
    remaining = session_remaining(request.session) if request is not None else {}
    return {"remaining": remaining}
