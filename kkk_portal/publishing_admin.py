"""Admin side of the publication schedule (see `kkk_portal/publishing.py`)."""

from django.contrib.admin import SimpleListFilter
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .bilingual_admin import BilingualAdminMixin
from .preview import preview_url

PUBLICATION_FIELDSET_TITLE = _("Veröffentlichung")
PREVIEW_LANGUAGES = [("de", _("Vorschau (Deutsch)")), ("en", _("Vorschau (Englisch)"))]


class PublicationStateFilter(SimpleListFilter):
    """Admin list filter: what the public sees now, drafts, scheduled and expired items."""

    title = _("Sichtbarkeit")
    parameter_name = "sichtbarkeit"

    def lookups(self, request, model_admin):
        return [
            ("public", _("öffentlich sichtbar")),
            ("draft", _("Entwurf")),
            # Translators: an item whose publication time has not come yet (not a project status).
            ("scheduled", pgettext_lazy("publication schedule", "geplant")),
            ("expired", _("abgelaufen")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        state = queryset.state_field
        start, stop = queryset.publish_field, queryset.unpublish_field
        match self.value():
            case "public":
                return queryset.published(now)
            case "draft":
                return queryset.filter(**{state: False})
            case "scheduled":
                return queryset.filter(**{state: True, f"{start}__gt": now})
            case "expired":
                return queryset.filter(**{state: True, f"{stop}__lte": now})
        return queryset


class PreviewAdminMixin:
    """Preview links (German and English) on the change page of public content.

    "View on site" of an item the public cannot see opens its preview instead of a
    page that would answer "not found".
    """

    change_form_template = "admin/kkk_portal/preview_change_form.html"

    def _is_public(self, obj) -> bool:
        return type(obj)._default_manager.published().filter(pk=obj.pk).exists()

    def get_view_on_site_url(self, obj=None):
        if obj is not None and obj.pk and not self._is_public(obj):
            return preview_url(obj)
        return super().get_view_on_site_url(obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            links = []
            for language, label in [
                ("de", _("Vorschau (Deutsch)")),
                ("en", _("Vorschau (Englisch)")),
            ]:
                with translation.override(language):
                    url = preview_url(obj)
                if url:
                    links.append((label, url))
            context["preview_links"] = links
        return super().render_change_form(request, context, add, change, form_url, obj)


class PublicationScheduleAdminMixin(PreviewAdminMixin, BilingualAdminMixin):
    """Puts the publication state and times into one "Veröffentlichung" fieldset.

    Content with a schedule is public content: German and English fields are shown
    side by side (`BilingualAdminMixin`).
    """

    schedule_fields = ("is_published", "publish_at", "unpublish_at")

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = [f for f in options["fields"] if f not in self.schedule_fields]
            if fields:
                fieldsets.append((name, {**options, "fields": fields}))
        return [*fieldsets, (PUBLICATION_FIELDSET_TITLE, {"fields": list(self.schedule_fields)})]
