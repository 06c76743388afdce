"""Staff account pages: second factor (enrol, verify), keep-alive, password reset by mail."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice

from counselling.models import StaffProfile

from . import safe_cache, services
from .accounts import has_confirmed_device, session_remaining


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy(
            "Der sechsstellige Code aus Ihrer Authenticator-App oder einer Ihrer Notfallcodes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_otp_token(self) -> str:
        return "".join(self.cleaned_data["otp_token"].split())


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def _context(request: HttpRequest, **extra) -> dict:
    return {
        "site_header": _("Kompetenzzentrum Kommunale Konfliktberatung"),
        "next": _next_url(request),
        **extra,
    }


def _count_failure(request: HttpRequest) -> HttpResponse | None:
    """A wrong code counts like a wrong password toward the account's lockout."""
    user = request.user
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    if getattr(request, "axes_locked_out", False):
        logout(request)
        return redirect("admin:login")  # AxesMiddleware answers with the lockout page
    return None


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step of the login: a TOTP code or a one-time recovery code."""
    if not has_confirmed_device(request.user):
        return redirect(f"{reverse('accounts:otp_setup')}?next={_next_url(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["otp_token"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    _(
                        "Sie haben einen Notfallcode benutzt; er ist damit verbraucht. "
                        "Noch übrig: %(count)s."
                    )
                    % {"count": device.token_set.count()},
                )
            return redirect(_next_url(request))
        locked = _count_failure(request)
        if locked is not None:
            return locked
        form.add_error("otp_token", _("Der Code ist falsch oder abgelaufen."))
    return render(
        request, "admin/accounts/otp_verify.html", _context(request, form=form, title=_("Anmelden"))
    )


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: scan the QR code, confirm one code, receive the recovery codes once."""
    if has_confirmed_device(request.user):
        if request.user.is_verified():
            return render(
                request,
                "admin/accounts/otp_done.html",
                _context(request, title=_("Zweiter Faktor")),
            )
        # Only the existing device may be used; a new one needs a reset by Leitung.
        return redirect(f"{reverse('accounts:otp_verify')}?next={_next_url(request)}")
    device = services.totp_device_pending(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.totp_device_confirm(
            device=device, token=form.cleaned_data["otp_token"], count=settings.OTP_RECOVERY_CODES
        )
        if codes is not None:
            otp_login(request, device)
            # Shown once, in this response; only their use is stored afterwards.
            return render(
                request,
                "admin/accounts/otp_codes.html",
                _context(request, codes=codes, title=_("Ihre Notfallcodes")),
            )
        form.add_error("otp_token", _("Der Code ist falsch oder abgelaufen."))
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title=_("QR-Code für die Authenticator-App")
    )
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "admin/accounts/otp_setup.html",
        _context(
            request,
            form=form,
            qr_svg=svg,
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            title=_("Zweiten Faktor einrichten"),
        ),
    )


@require_POST
def keep_alive(request: HttpRequest) -> JsonResponse:
    """Called by the admin's script while a form holds unsaved input.

    The request itself counts as activity (StaffSessionMiddleware); the answer says
    how long the session has left, so the script can warn before the hard limit.
    """
    if not (request.user.is_authenticated and request.user.is_staff):
        return JsonResponse({"expired": True}, status=401)
    return JsonResponse(session_remaining(request.session))


class PasswordResetView(auth_views.PasswordResetView):
    """Links in the mail point at SITE_URL, never at whatever Host the request named.

    Reset mails are limited per address (PASSWORD_RESET_RATE_LIMIT an hour), so
    nobody can flood a colleague's inbox through this form.
    """

    def form_valid(self, form):
        from counselling.views import client_cache_key

        if not safe_cache.count_within_limit(
            key=client_cache_key(self.request, prefix="accounts:reset"),
            limit=settings.PASSWORD_RESET_RATE_LIMIT,
            window=60 * 60,
        ):
            return render(self.request, "admin/accounts/reset_limited.html", status=429)
        site = urlsplit(settings.SITE_URL)
        self.extra_email_context = {
            "protocol": site.scheme,
            "domain": site.netloc,
            "site_name": site.netloc,
        }
        return super().form_valid(form)


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = StaffProfile
        fields = [
            "notify_assignments",
            "notify_status_changes",
            "notify_documents",
            "notify_follow_ups",
        ]


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Each staff member switches the mails about their cases on or off."""
    from counselling import services as counselling_services

    from .accounts import needs_second_factor, second_factor_url

    if not request.user.is_staff:
        return redirect(f"{reverse('admin:login')}?next={request.path}")
    if needs_second_factor(request.user):
        return redirect(second_factor_url(request.user, request.get_full_path()))
    profile = counselling_services.staff_profile_get(user=request.user)
    form = NotificationSettingsForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        counselling_services.staff_profile_update(
            user=request.user, **{name: form.cleaned_data[name] for name in form.Meta.fields}
        )
        messages.success(request, _("Ihre Einstellungen sind gespeichert."))
        return redirect("accounts:notifications")
    return render(
        request,
        "admin/accounts/notifications.html",
        {
            **admin_site_context(request),
            "form": form,
            "title": _("Benachrichtigungen"),
        },
    )


def admin_site_context(request: HttpRequest) -> dict:
    """The admin's own context (site header, user tools, nav sidebar) for pages beside it."""
    from django.contrib import admin

    return admin.site.each_context(request)
