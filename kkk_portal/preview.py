"""Staff preview: a draft, scheduled or expired item exactly as its public page will show it.

`/admin/vorschau/<app_label>.<model>/<pk>/` (and `/en/admin/vorschau/…` for the
English page) renders the item's own public view while `published()` treats that
one item as public (`kkk_portal.publishing.PREVIEWING`). Only staff who may view
the content type open it; everybody else gets "not found", as for any hidden item.
The response is never cached and never indexed.
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.module_loading import import_string

from .accounts import needs_second_factor, second_factor_url
from .publishing import PREVIEWING
from .translation import format_time_range

# Content type -> the public view that shows one item (its detail page; for team
# members, who have no page of their own, the team page).
PREVIEW_VIEWS = {
    "projects.project": "projects.views.ProjectDetailView",
    "projects.focusarea": "projects.views.FocusAreaDetailView",
    "publications.publication": "publications.views.PublicationDetailView",
    "publications.newspost": "publications.views.NewsDetailView",
    "publications.event": "publications.views.EventDetailView",
    "kkk_portal.sitepage": "kkk_portal.views.SitePageView",
    "team.teammember": "team.views.TeamListView",
}


def preview_url(obj: models.Model) -> str | None:
    """The preview address of `obj` in the current language, if its type has one."""
    label = obj._meta.label_lower
    if label not in PREVIEW_VIEWS:
        return None
    return reverse("preview", kwargs={"label": label, "pk": obj.pk})


def schedule_fields(model: type[models.Model]) -> tuple[str, str, str]:
    """The model's (state, publish time, unpublish time) fields, as `published()` uses them."""
    queryset = model._default_manager.get_queryset()
    return queryset.state_field, queryset.publish_field, queryset.unpublish_field


def publication_state(obj: models.Model) -> tuple[str, datetime.datetime | None]:
    """("draft" | "scheduled" | "expired" | "public", the publication time)."""
    now = timezone.now()
    state, publish, unpublish = schedule_fields(type(obj))
    publish_at = getattr(obj, publish, None)
    unpublish_at = getattr(obj, unpublish, None)
    if not getattr(obj, state):
        return "draft", publish_at
    if publish_at and publish_at > now:
        return "scheduled", publish_at
    if unpublish_at and unpublish_at <= now:
        return "expired", publish_at
    return "public", publish_at


def _view_kwargs(obj: models.Model) -> dict:
    if obj._meta.label_lower == "team.teammember":
        return {}
    if getattr(obj, "parent_id", None):
        return {"parent": obj.parent.slug, "slug": obj.slug}
    return {"slug": obj.slug}


def preview(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    user = request.user
    if label not in PREVIEW_VIEWS or not (user.is_authenticated and user.is_staff):
        raise Http404
    model = apps.get_model(label)
    if not user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
        raise Http404
    if needs_second_factor(user):
        return redirect(second_factor_url(user, request.get_full_path()))
    obj = get_object_or_404(model._default_manager, pk=pk)
    state, publish_at = publication_state(obj)
    view_class = import_string(PREVIEW_VIEWS[label])
    initkwargs: dict = {
        "extra_context": {
            "preview": obj,
            "preview_state": state,
            "preview_when": format_time_range(publish_at) if publish_at else "",
            "preview_admin_url": reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]
            ),
        }
    }
    if hasattr(view_class, "canonical_redirect"):
        initkwargs["canonical_redirect"] = False  # stay on the preview address
    view = view_class.as_view(**initkwargs)
    token = PREVIEWING.set((model._meta.concrete_model, obj.pk))
    try:
        response = view(request, **_view_kwargs(obj))
        if hasattr(response, "render"):
            response.render()  # inside the preview: lazy templates see the item too
    finally:
        PREVIEWING.reset(token)
    if response.status_code in (301, 302):
        # Never send staff on to the public address, where the item is hidden.
        raise Http404
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response
