"""Admin side of the publication schedule (see `kkk_portal/publishing.py`)."""

from django.contrib.admin import SimpleListFilter
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .bilingual_admin import BilingualAdminMixin

PUBLICATION_FIELDSET_TITLE = _("Veröffentlichung")


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


class PublicationScheduleAdminMixin(BilingualAdminMixin):
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
