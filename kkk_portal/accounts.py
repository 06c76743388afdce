"""Staff accounts: session time limits and the second-factor gate for the admin.

Two middlewares (registered in settings/base.py after the auth and OTP middleware):

- `StaffSessionMiddleware` ends a staff session after STAFF_SESSION_IDLE_MINUTES
  without a request and after STAFF_SESSION_MAX_HOURS in any case. The admin's
  keep-alive script (static/js/staff-session.js) sends a request while a form holds
  unsaved input, so typing is never lost to the idle limit.
- `SecondFactorMiddleware` sends an account that must use a second factor
  (`counselling.permissions.requires_second_factor`) to the verify page, or to the
  enrolment page if it has no confirmed device yet, before any staff page answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from counselling.permissions import requires_second_factor

SESSION_LOGIN_AT = "staff_login_at"
SESSION_LAST_SEEN = "staff_last_seen"
# Write the "last seen" time at most this often (one session write per minute).
TOUCH_INTERVAL_SECONDS = 60

# Staff pages behind the second factor: the admin, the leadership pages, case documents.
GATED_NAMESPACES = {"admin", "leadership"}
GATED_VIEWS = {"counselling:document"}
# Admin views an account without a verified second factor may still open.
UNGATED_VIEWS = {"admin:login", "admin:logout", "admin:jsi18n"}


def idle_seconds() -> int:
    return settings.STAFF_SESSION_IDLE_MINUTES * 60


def max_seconds() -> int:
    return settings.STAFF_SESSION_MAX_HOURS * 60 * 60


def session_remaining(session, now: float | None = None) -> dict[str, int]:
    """Seconds until the idle limit and until the absolute limit end this session."""
    now = time.time() if now is None else now
    login_at = session.get(SESSION_LOGIN_AT, now)
    last_seen = session.get(SESSION_LAST_SEEN, now)
    return {
        "idle_seconds": max(0, int(last_seen + idle_seconds() - now)),
        "ends_in": max(0, int(login_at + max_seconds() - now)),
    }


@receiver(user_logged_in, dispatch_uid="kkk_portal.accounts.stamp_login")
def stamp_login(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """Every login starts both clocks."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_LOGIN_AT] = now
        request.session[SESSION_LAST_SEEN] = now


def expiry_message(session, now: float) -> str | None:
    """Why this session has ended, or None while it is still valid."""
    login_at = session.get(SESSION_LOGIN_AT)
    last_seen = session.get(SESSION_LAST_SEEN, login_at)
    if login_at is None:
        return None
    if now - login_at >= max_seconds():
        return _(
            "Sie wurden abgemeldet, weil Ihre Sitzung die Höchstdauer von %(hours)s Stunden "
            "erreicht hat. Bitte melden Sie sich erneut an."
        ) % {"hours": settings.STAFF_SESSION_MAX_HOURS}
    if now - last_seen >= idle_seconds():
        return _(
            "Sie wurden nach %(minutes)s Minuten ohne Aktivität abgemeldet. "
            "Bitte melden Sie sich erneut an."
        ) % {"minutes": settings.STAFF_SESSION_IDLE_MINUTES}
    return None


class StaffSessionMiddleware:
    """Idle and absolute time limits for staff sessions."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            now = time.time()
            session = request.session
            message = expiry_message(session, now)
            if message:
                logout(request)
                messages.warning(request, message)
            elif SESSION_LOGIN_AT not in session:
                # A session from before these limits existed: the clocks start now.
                session[SESSION_LOGIN_AT] = now
                session[SESSION_LAST_SEEN] = now
            elif now - session.get(SESSION_LAST_SEEN, 0) >= TOUCH_INTERVAL_SECONDS:
                session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def needs_second_factor(user) -> bool:
    """Must this (logged-in) account still confirm a second factor in this session?"""
    if not settings.STAFF_2FA or not user.is_authenticated:
        return False
    if getattr(user, "is_verified", lambda: False)():
        return False
    return requires_second_factor(user) or has_confirmed_device(user)


def second_factor_url(user, next_url: str) -> str:
    """The verify page, or the enrolment page if the account has no device yet."""
    name = "accounts:otp_verify" if has_confirmed_device(user) else "accounts:otp_setup"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


class SecondFactorMiddleware:
    """The admin refuses accounts that need a second factor until one is confirmed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not settings.STAFF_2FA:
            return None
        gated = bool(GATED_NAMESPACES & set(match.namespaces)) or match.view_name in GATED_VIEWS
        if not gated or match.view_name in UNGATED_VIEWS:
            return None
        if not needs_second_factor(request.user):
            return None
        if _wants_json(request):
            return JsonResponse({"error": _("Zweiter Faktor erforderlich.")}, status=403)
        return redirect(second_factor_url(request.user, request.get_full_path()))


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("x-requested-with") == "XMLHttpRequest"


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): a German page, 429."""
    from django.shortcuts import render

    cool_off = settings.AXES_COOLOFF_TIME
    return render(
        request,
        "admin/lockout.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        },
        status=429,
    )


def _log_lockout(sender, request=None, **kwargs) -> None:
    """One line per lockout, without login name or address (both are in the admin)."""
    import logging

    logging.getLogger("kkk_portal.accounts").warning(
        "Login locked out after repeated failures (details: admin, Axes > Zugriffsversuche)."
    )


def _connect_lockout_log() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(_log_lockout, dispatch_uid="kkk_portal.accounts.log_lockout")


_connect_lockout_log()
