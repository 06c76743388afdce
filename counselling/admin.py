"""Back office for requests and cases.

Until the group-based workflow lands, only superusers see these models.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Activity, Case, CounsellingRequest, Topic


class SuperuserOnlyMixin:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name"]


@admin.register(CounsellingRequest)
class CounsellingRequestAdmin(SuperuserOnlyMixin, SimpleHistoryAdmin):
    list_display = ["reference", "institution", "state", "status", "created_at"]
    list_filter = ["status", "state", "body_kind"]
    search_fields = ["reference", "institution"]
    date_hierarchy = "created_at"


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0


@admin.register(Case)
class CaseAdmin(SuperuserOnlyMixin, SimpleHistoryAdmin):
    list_display = ["reference", "title", "status", "state", "lead_counsellor"]
    list_filter = ["status", "state", "year"]
    search_fields = ["reference", "title"]
    inlines = [ActivityInline]
