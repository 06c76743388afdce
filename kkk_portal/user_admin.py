"""The admin's user list: second-factor status and reset, deactivation with case hand-over.

Leitung (and superusers) may see the staff accounts, reset a colleague's lost second
factor and deactivate an account after handing its open cases to a colleague. Editing
accounts otherwise stays with whoever holds Django's user permissions.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin  # noqa: F401 - registers
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin  # noqa: F401 - registers
from django_otp.plugins.otp_totp.models import TOTPDevice

from counselling.admin import counsellor_choices

from . import services

User = get_user_model()

# The devices hold the TOTP secrets: no admin pages for them. Reset goes through the
# user list's action, which writes the admin log.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


def may_manage_staff(user) -> bool:
    """Leitung and superusers reset second factors and deactivate accounts.

    Leitung is recognised by its permission `counselling.view_all_cases` (as everywhere
    in the back office): the permission cache answers, no extra query on every admin page.
    """
    return user.is_active and (user.is_superuser or user.has_perm("counselling.view_all_cases"))


class StaffUserChangeForm(UserChangeForm):
    def clean(self):
        cleaned = super().clean()
        was_active = self.instance.pk and type(self.instance).objects.get(pk=self.instance.pk)
        if was_active and was_active.is_active and cleaned.get("is_active") is False:
            references = list(
                services.cases_open_for(user=self.instance).values_list("reference", flat=True)
            )
            if references:
                raise ValidationError({"is_active": services.open_cases_message(references)})
        return cleaned


class ReassignForm(forms.Form):
    reassign_to = forms.ModelChoiceField(
        label=gettext_lazy("Offene Fälle übergeben an"),
        queryset=User.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Federführung und Mitarbeit in allen offenen Fällen gehen an diese Person über."
        ),
    )

    def __init__(self, *args, exclude_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reassign_to"].queryset = counsellor_choices().exclude(pk__in=exclude_ids)


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = StaffUserChangeForm
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
        "has_second_factor",
    ]
    list_filter = [*DjangoUserAdmin.list_filter]
    actions = ["reset_second_factor", "deactivate_accounts"]

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(second_factor=Exists(confirmed))

    @admin.display(description=gettext_lazy("Zweiter Faktor"), boolean=True)
    def has_second_factor(self, obj) -> bool:
        return obj.second_factor

    # Leitung sees the accounts (read-only unless it holds auth's change permission).
    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or may_manage_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_view_permission(request, obj) or may_manage_staff(request.user)

    def has_manage_staff_permission(self, request: HttpRequest) -> bool:
        return may_manage_staff(request.user)

    def _refuse_superusers(self, request: HttpRequest, queryset):
        """Only superusers act on superusers' accounts."""
        if request.user.is_superuser:
            return queryset, []
        return queryset.filter(is_superuser=False), list(queryset.filter(is_superuser=True))

    @admin.action(
        description=gettext_lazy("Zweiten Faktor zurücksetzen (Telefon verloren)"),
        permissions=["manage_staff"],
    )
    def reset_second_factor(self, request: HttpRequest, queryset) -> None:
        queryset, refused = self._refuse_superusers(request, queryset)
        for user in queryset:
            services.second_factor_reset(user=user, by=request.user)
        if queryset:
            messages.success(
                request,
                ngettext(
                    "Zweiter Faktor für %(count)d Konto zurückgesetzt; es richtet ihn bei der "
                    "nächsten Anmeldung neu ein.",
                    "Zweiter Faktor für %(count)d Konten zurückgesetzt; sie richten ihn bei der "
                    "nächsten Anmeldung neu ein.",
                    len(queryset),
                )
                % {"count": len(queryset)},
            )
        if refused:
            messages.error(request, _("Konten mit allen Rechten kann nur ein Superuser ändern."))

    @admin.action(
        description=gettext_lazy("Konto deaktivieren (offene Fälle vorher übergeben)"),
        permissions=["manage_staff"],
    )
    def deactivate_accounts(self, request: HttpRequest, queryset):
        queryset, refused = self._refuse_superusers(request, queryset)
        if refused:
            messages.error(request, _("Konten mit allen Rechten kann nur ein Superuser ändern."))
        users = [user for user in queryset if user.is_active and user.pk != request.user.pk]
        if not users:
            return None
        open_cases = {user: list(services.cases_open_for(user=user)) for user in users}
        form = ReassignForm(
            request.POST if "apply" in request.POST else None,
            exclude_ids=[user.pk for user in users],
        )
        if "apply" in request.POST and form.is_valid():
            reassign_to = form.cleaned_data["reassign_to"]
            done = 0
            for user in users:
                try:
                    services.staff_deactivate(
                        user=user,
                        by=request.user,
                        reassign_to=reassign_to if open_cases[user] else None,
                    )
                except ValidationError as error:
                    messages.error(request, f"{user.get_username()}: {' '.join(error.messages)}")
                else:
                    done += 1
            if done:
                messages.success(
                    request,
                    ngettext("%(count)d Konto deaktiviert.", "%(count)d Konten deaktiviert.", done)
                    % {"count": done},
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Konten deaktivieren"),
            "opts": self.opts,
            "users": users,
            "open_cases": open_cases.items(),
            "any_open": any(open_cases.values()),
            "form": form,
            "queryset": queryset,
            "action": "deactivate_accounts",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/auth/user/deactivate.html", context)
