from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .bilingual_admin import BilingualAdminMixin
from .history_admin import EditorialAdminMixin
from .models import SitePage, SlugRedirect
from .publishing_admin import (
    PUBLICATION_FIELDSET_TITLE,
    PreviewAdminMixin,
    PublicationStateFilter,
)


@admin.register(SitePage)
class SitePageAdmin(
    EditorialAdminMixin,
    PreviewAdminMixin,
    BilingualAdminMixin,
    SimpleHistoryAdmin,
):
    """Text pages editors create; the legal pages keep their role, address and footer place."""

    list_display = [
        "title",
        "address",
        "menu",
        "menu_order",
        "role",
        "is_published",
        "publish_at",
        "unpublish_at",
        "updated_at",
        "has_english",
    ]
    list_filter = [PublicationStateFilter, "menu", "is_published"]
    list_select_related = ["parent"]
    search_fields = ["title", "body"]
    readonly_fields = ["role", "updated_at"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "parent", "body", "version", "role", "updated_at"]}),
        (_("Menü"), {"fields": ["menu", "menu_order", "menu_title", "menu_title_en"]}),
        (_("Englische Fassung"), {"fields": ["title_en", "body_en"]}),
        (PUBLICATION_FIELDSET_TITLE, {"fields": ["is_published", "publish_at", "unpublish_at"]}),
    ]

    @admin.display(description=_("Adresse"))
    def address(self, obj: SitePage) -> str:
        return obj.get_absolute_url()

    @admin.display(description=_("Englisch vorhanden"), boolean=True)
    def has_english(self, obj: SitePage) -> bool:
        return bool(obj.title_en and obj.body_en)

    def has_delete_permission(self, request, obj=None) -> bool:
        # The legal pages and the easy-read page are linked from every page: edit, never delete.
        if obj is not None and obj.role:
            return False
        return super().has_delete_permission(request, obj)

    def get_prepopulated_fields(self, request, obj=None):
        # Set once from the title when the page is made; afterwards the address stays.
        return {} if obj is not None else self.prepopulated_fields

    def get_readonly_fields(self, request, obj=None):
        # A page with a role keeps its address and level: the site links it by role.
        if obj is not None and obj.role:
            return [*self.readonly_fields, "slug", "parent"]
        return self.readonly_fields


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    """Former addresses kept by renamed items; deleting one lets its old address lapse."""

    list_display = ["old_slug", "content_type", "object_id", "created_at"]
    list_filter = ["content_type"]
    list_select_related = ["content_type"]
    search_fields = ["old_slug"]

    def has_add_permission(self, request) -> bool:
        return False  # written when an editor changes a slug

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# Staff accounts: second factor, deactivation with case hand-over (kkk_portal/user_admin.py).
from . import user_admin  # noqa: E402, F401
