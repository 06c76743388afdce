"""Two admin URLs that answer bad input with 404/403 instead of revealing data or a 500.

The "view on site" shortcut (`/admin/r/<content type>/<id>/`):

Django's shortcut looks the object up by id for any staff account and redirects
to its `get_absolute_url()` – for a counselling request or case that is its admin
page – or answers 404 when no such object exists. Comparing the two answers tells
any staff account (Redaktion too) which request, case or document ids exist.

This view answers with a redirect only when the object's ModelAdmin would show
the object to this user (its queryset and `has_view_permission`); every other
case – unknown type, unregistered model, id that does not exist, object the user
may not see, object without a page – gets the same 404, so no answer reveals more
than the admin itself would.

The autocomplete endpoint (`/admin/autocomplete/?app_label=…&model_name=…&field_name=…`):
Django answers a reverse relation as `field_name` (e.g. a request's `case`) with
an AttributeError, a 500. Only forward relations can have an autocomplete widget,
so everything else is refused with 403, as Django does for unknown fields.
"""

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import ForeignObjectRel
from django.http import Http404, HttpRequest, HttpResponseRedirect


def _not_found() -> Http404:
    return Http404()


def object_shortcut(
    request: HttpRequest, content_type_id: int, object_id: str
) -> HttpResponseRedirect:
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        raise _not_found() from None
    model_admin = admin.site._registry.get(model) if model is not None else None
    if model_admin is None or not hasattr(model, "get_absolute_url"):
        raise _not_found()
    try:
        obj = model_admin.get_queryset(request).get(pk=object_id)
    except (model.DoesNotExist, ValueError, ValidationError):
        raise _not_found() from None
    if not model_admin.has_view_or_change_permission(request, obj):
        raise _not_found()
    url = obj.get_absolute_url()
    if not url:
        raise _not_found()
    return HttpResponseRedirect(url)


# Staff only, like the view it replaces (login redirect for everyone else).
guarded_shortcut = admin.site.admin_view(object_shortcut)


class GuardedAutocompleteJsonView(AutocompleteJsonView):
    def process_request(self, request: HttpRequest):
        try:
            model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
            field = model._meta.get_field(request.GET["field_name"])
        except (KeyError, LookupError, ValueError, FieldDoesNotExist) as error:
            raise PermissionDenied from error
        if isinstance(field, ForeignObjectRel) or not field.is_relation:
            raise PermissionDenied
        return super().process_request(request)


guarded_autocomplete = admin.site.admin_view(
    GuardedAutocompleteJsonView.as_view(admin_site=admin.site)
)
