"""Stable addresses: a changed slug keeps its old URL answering with a permanent redirect.

Slugs are set once from the title (the admin's prepopulated fields fill them only
while an item is new) and then stay. When an editor changes one anyway, the old
slug is recorded (`SlugRedirect`) and `SlugRedirectMiddleware` answers a request for
an old address that would otherwise be "not found" with a 301 to the same view of
the item's current slug, in the same language, with the query string kept. A
redirect never reveals an item the public may not see, and a slug taken up again
by another item belongs to that item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, pre_save
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import NoReverseMatch, Resolver404, resolve, reverse


@dataclass(frozen=True)
class SluggedType:
    model: str  # "app_label.ModelName"
    view_names: tuple[str, ...]  # URL names whose `slug` is this model's slug
    visible: Callable[[models.Manager], models.QuerySet]  # what the public may see


def _published(manager: models.Manager) -> models.QuerySet:
    return manager.published()


SLUGGED_TYPES = (
    SluggedType("projects.Project", ("projects:detail",), _published),
    SluggedType("projects.FocusArea", ("projects:focus_area",), _published),
    SluggedType("projects.Municipality", ("projects:municipality",), lambda m: m.all()),
    SluggedType("publications.Publication", ("publications:detail",), _published),
    SluggedType("publications.NewsPost", ("publications:news_detail",), _published),
    SluggedType(
        "publications.Event",
        (
            "publications:event_detail",
            "publications:event_ics",
            "publications:event_register",
            "publications:registration_done",
        ),
        _published,
    ),
    SluggedType("kkk_portal.SitePage", ("pages:detail", "pages:child"), _published),
)


def _type_for_view(view_name: str) -> SluggedType | None:
    for slugged in SLUGGED_TYPES:
        if view_name in slugged.view_names:
            return slugged
    return None


def slug_changed(*, instance: models.Model, old_slug: str, new_slug: str) -> None:
    """Record `old_slug` as a former address of `instance`; `new_slug` is live again."""
    from .models import SlugRedirect

    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=False)
    SlugRedirect.objects.filter(content_type=content_type, old_slug=new_slug).delete()
    SlugRedirect.objects.update_or_create(
        content_type=content_type, old_slug=old_slug, defaults={"object_id": instance.pk}
    )


def _remember_old_slug(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    old_slug = sender._base_manager.filter(pk=instance.pk).values_list("slug", flat=True).first()
    if old_slug and old_slug != instance.slug:
        slug_changed(instance=instance, old_slug=old_slug, new_slug=instance.slug)


def _forget_redirects(sender, instance, **kwargs) -> None:
    from .models import SlugRedirect

    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=False)
    SlugRedirect.objects.filter(content_type=content_type, object_id=instance.pk).delete()


def connect_signals() -> None:
    """Called from `KkkPortalConfig.ready()` for every slugged content type."""
    for slugged in SLUGGED_TYPES:
        model = apps.get_model(slugged.model)
        uid = f"slug_redirect_{slugged.model}"
        pre_save.connect(_remember_old_slug, sender=model, dispatch_uid=uid)
        post_delete.connect(_forget_redirects, sender=model, dispatch_uid=uid)


def redirect_for(request: HttpRequest) -> HttpResponsePermanentRedirect | None:
    """The permanent redirect for a request to a former address, if there is one."""
    from .models import SlugRedirect

    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    slug = match.kwargs.get("slug")
    slugged = _type_for_view(match.view_name)
    if slugged is None or not slug:
        return None
    model = apps.get_model(slugged.model)
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    object_id = (
        SlugRedirect.objects.filter(content_type=content_type, old_slug=slug)
        .values_list("object_id", flat=True)
        .first()
    )
    if object_id is None:
        return None
    item = slugged.visible(model._default_manager).filter(pk=object_id).first()
    if item is None or item.slug == slug:
        return None
    kwargs = {**match.kwargs, "slug": item.slug}
    if match.view_name == "pages:child" or (match.view_name == "pages:detail" and item.parent_id):
        target = item.get_absolute_url()
    else:
        try:
            target = reverse(match.view_name, kwargs=kwargs)
        except NoReverseMatch:
            return None
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)


class SlugRedirectMiddleware:
    """Turns a "not found" for a former address into a 301 to the current one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            return redirect_for(request) or response
        return response
