from django.contrib import admin

from .models import ContactDetails, TeamMember


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "order", "is_active", "is_example"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active", "is_example", "focus_areas"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "role"]
    filter_horizontal = ["focus_areas"]


@admin.register(ContactDetails)
class ContactDetailsAdmin(admin.ModelAdmin):
    """One record: it can be edited, but neither added twice nor deleted."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ContactDetails.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
