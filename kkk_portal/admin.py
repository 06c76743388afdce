from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import PageSlug, SitePage
from .publishing_admin import PUBLICATION_FIELDSET_TITLE, PublicationStateFilter


@admin.register(SitePage)
class SitePageAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "slug",
        "version",
        "is_published",
        "publish_at",
        "unpublish_at",
        "updated_at",
        "has_english",
    ]
    list_filter = [PublicationStateFilter, "is_published"]
    search_fields = ["title", "body"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["slug", "title", "body", "version", "updated_at"]}),
        (_("Englische Fassung"), {"fields": ["title_en", "body_en"]}),
        (PUBLICATION_FIELDSET_TITLE, {"fields": ["is_published", "publish_at", "unpublish_at"]}),
    ]

    @admin.display(description=_("Englisch vorhanden"), boolean=True)
    def has_english(self, obj):
        return bool(obj.title_en and obj.body_en)

    def has_add_permission(self, request):
        # Every page has a fixed address; once all exist there is nothing to add.
        all_exist = SitePage.objects.filter(slug__in=PageSlug.values).count() == len(PageSlug)
        return not all_exist and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        # The footer links every page on every page of the site: edit, never delete.
        return False

    def get_readonly_fields(self, request, obj=None):
        # The address of an existing page is linked from every page: keep it fixed.
        if obj is not None:
            return [*self.readonly_fields, "slug"]
        return self.readonly_fields


# Staff accounts: second factor, deactivation with case hand-over (kkk_portal/user_admin.py).
from . import user_admin  # noqa: E402, F401
