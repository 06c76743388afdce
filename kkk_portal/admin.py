from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import SitePage


@admin.register(SitePage)
class SitePageAdmin(SimpleHistoryAdmin):
    list_display = ["title", "slug", "version", "updated_at", "has_english"]
    search_fields = ["title", "body"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["slug", "title", "body", "version", "updated_at"]}),
        (_("Englische Fassung"), {"fields": ["title_en", "body_en"]}),
    ]

    @admin.display(description=_("Englisch vorhanden"), boolean=True)
    def has_english(self, obj):
        return bool(obj.title_en and obj.body_en)

    def get_readonly_fields(self, request, obj=None):
        # The address of an existing page is linked from every page: keep it fixed.
        if obj is not None:
            return [*self.readonly_fields, "slug"]
        return self.readonly_fields
