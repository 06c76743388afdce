"""Editors' tools on the admin of public content: recent changes, compare and restore.

`EditorialAdminMixin` goes on every public content admin (projects, fields of work,
news, events, publications, funders, text pages, team members):

- a "Zuletzt geändert" list filter (`?geaendert=14`) on types that record their
  last change, which the editors' start page links to (kkk_portal/editorial.py);
- on types with a history (simple-history), two links per version on the history
  page: "Mit aktueller Version vergleichen" (a field-by-field difference, long texts
  word by word) and "Diese Version wiederherstellen" (a confirmation page whose POST
  restores the content, `kkk_portal.services.version_restore`; the publication
  state and times and the address stay as they are).

simple-history's own revert form (which would bring back every field, the
publication state included) is read-only here: restoring goes through the one
documented path. Counselling data never gets this mixin: its admins
(`counselling.admin.GuardedHistoryAdmin`) refuse every write through history pages,
and the rule `kkk_portal.restore_version` (counselling/permissions.py) refuses any
object outside the public content apps.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin import SimpleListFilter
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .editorial import (
    RECENT_PARAMETER,
    has_changed_field,
    recently_changed_q,
    restore_kept_fields,
    version_changes,
    version_label,
)

RECENT_CHOICES = (1, 7, 14, 30)
NOT_FOUND = _("Diese Version gibt es nicht oder Sie dürfen sie nicht sehen.")


class RecentlyChangedFilter(SimpleListFilter):
    """Admin list filter: items changed in the last n days (by `updated_at`)."""

    title = _("Zuletzt geändert")
    parameter_name = RECENT_PARAMETER

    def lookups(self, request, model_admin):
        return [
            (
                str(days),
                gettext("in den letzten 24 Stunden")
                if days == 1
                else gettext("in den letzten %(days)s Tagen") % {"days": days},
            )
            for days in RECENT_CHOICES
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and int(value) in RECENT_CHOICES:
            return queryset.filter(recently_changed_q(int(value)))
        return queryset


def _has_history(model: type[models.Model]) -> bool:
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    return bool(manager and hasattr(model, manager))


class EditorialAdminMixin:
    """Recent-changes filter, and compare/restore on the history pages of public content.

    Put it first among the bases of a public content admin; compare and restore need
    `simple_history.admin.SimpleHistoryAdmin` further down and a model with history.
    """

    object_history_list_template = "admin/history/object_history_list.html"

    @property
    def _history_tools(self) -> bool:
        """Compare and restore: the model keeps a history and the admin shows it."""
        return isinstance(self, SimpleHistoryAdmin) and _has_history(self.model)

    # --- list filter --------------------------------------------------------------

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if has_changed_field(self.model) and RecentlyChangedFilter not in filters:
            filters.append(RecentlyChangedFilter)
        return filters

    # --- URLs ---------------------------------------------------------------------

    def get_urls(self):
        urls = super().get_urls()
        if not self._history_tools:
            return urls
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path(
                "<str:object_id>/history/<str:version_id>/compare/",
                view(self.history_compare_view),
                name=f"{prefix}_history_compare",
            ),
            path(
                "<str:object_id>/history/<str:version_id>/restore/",
                view(self.history_restore_view),
                name=f"{prefix}_history_restore",
            ),
            *urls,
        ]

    # --- simple-history's own pages -----------------------------------------------

    def revert_disabled(self, request, obj=None) -> bool:
        # The old version's form is for reading; "restore" is the way back.
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        if not self._history_tools:
            return super().history_view(request, object_id, extra_context)
        obj = self.get_object(request, unquote(object_id))
        context = {"history_actions": False}
        if obj is not None:
            latest = self._versions(obj).values_list("history_id", flat=True)
            context = {
                "history_actions": True,
                "latest_version_id": latest.first(),
                "may_restore": self._may_restore(request, obj),
            }
        return super().history_view(request, object_id, {**context, **(extra_context or {})})

    # --- compare and restore ------------------------------------------------------

    def _versions(self, obj: models.Model) -> models.QuerySet:
        """The item's historical records, the newest first."""
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        pk_name = self.model._meta.pk.attname
        return history.filter(**{pk_name: obj.pk}).order_by("-history_date", "-history_id")

    def _may_restore(self, request: HttpRequest, obj: models.Model) -> bool:
        return self.has_change_permission(request, obj) and request.user.has_perm(
            "kkk_portal.restore_version", obj
        )

    def _item_and_version(self, request: HttpRequest, object_id: str, version_id: str):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not str(version_id).isdigit():
            raise Http404(NOT_FOUND)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = self._versions(obj)
        version = versions.filter(history_id=int(version_id)).first()
        current = versions.first()
        if version is None or current is None:
            raise Http404(NOT_FOUND)
        return obj, version, current

    def _version_context(self, request, obj, version, current, title) -> dict:
        opts = self.model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        comparison = version_changes(
            old=version, current=current, kept_fields=restore_kept_fields(self.model)
        )
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": str(obj),
            "opts": opts,
            "object": obj,
            "version": version,
            "version_label": version_label(version),
            "is_latest": version.history_id == current.history_id,
            "comparison": comparison,
            "history_url": reverse(f"{prefix}_history", args=[obj.pk]),
            "change_url": reverse(f"{prefix}_change", args=[obj.pk]),
            "compare_url": reverse(f"{prefix}_history_compare", args=[obj.pk, version.history_id]),
            "restore_url": reverse(f"{prefix}_history_restore", args=[obj.pk, version.history_id]),
            "may_restore": self._may_restore(request, obj),
            "module_name": capfirst(opts.verbose_name_plural),
        }

    def history_compare_view(self, request, object_id, version_id) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        obj, version, current = self._item_and_version(request, object_id, version_id)
        context = self._version_context(
            request, obj, version, current, gettext("Mit aktueller Version vergleichen")
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/history/compare.html", context)

    def history_restore_view(self, request, object_id, version_id) -> HttpResponse:
        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        obj, version, current = self._item_and_version(request, object_id, version_id)
        if not self._may_restore(request, obj):
            raise PermissionDenied
        context = self._version_context(
            request, obj, version, current, gettext("Diese Version wiederherstellen")
        )
        if request.method == "POST":
            if not context["comparison"].restorable:
                self.message_user(
                    request,
                    gettext("Diese Version stimmt schon mit der aktuellen überein."),
                    messages.INFO,
                )
                return redirect(context["history_url"])
            try:
                restored = services.version_restore(version=version, user=request.user)
            except ValidationError as error:
                context["errors"] = _error_lines(self.model, error)
                request.current_app = self.admin_site.name
                return TemplateResponse(request, "admin/history/restore.html", context)
            message = gettext("%(version)s wiederhergestellt.") % {
                "version": context["version_label"]
            }
            self.log_change(request, restored, message)
            self.message_user(request, message, messages.SUCCESS)
            return redirect(context["change_url"])
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/history/restore.html", context)


def _error_lines(model: type[models.Model], error: ValidationError) -> list[str]:
    """ "Field: message" lines, in German, for a version that no longer validates."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    lines = []
    for name, field_errors in error.message_dict.items():
        try:
            label = str(capfirst(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:  # NON_FIELD_ERRORS
            label = ""
        for message in field_errors:
            lines.append(f"{label}: {message}" if label else message)
    return lines
