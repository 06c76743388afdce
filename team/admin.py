from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kkk_portal.publishing_admin import PublicationScheduleAdminMixin, PublicationStateFilter

from .models import ContactDetails, TeamMember


@admin.register(TeamMember)
class TeamMemberAdmin(PublicationScheduleAdminMixin, admin.ModelAdmin):
    schedule_fields = ("is_active", "publish_at", "unpublish_at")
    list_display = [
        "name",
        "role",
        "order",
        "is_active",
        "publish_at",
        "unpublish_at",
        "is_example",
    ]
    list_editable = ["order", "is_active"]
    list_filter = [PublicationStateFilter, "is_active", "is_example", "focus_areas"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "role"]
    filter_horizontal = ["focus_areas"]


@admin.register(ContactDetails)
class ContactDetailsAdmin(admin.ModelAdmin):
    """One record: it can be edited, but neither added twice nor deleted.

    The legal fields feed the Impressum (templates/includes/legal_details.html);
    `manage.py check --deploy` fails while a required one is empty.
    """

    fieldsets = [
        (None, {"fields": ["name", "carrier"]}),
        (
            _("Erreichbarkeit"),
            {"fields": ["street", "postcode", "city", "phone", "email", "office_hours"]},
        ),
        (
            _("Angaben für das Impressum"),
            {
                "fields": [
                    "represented_by",
                    "register_court",
                    "register_number",
                    "vat_id",
                    "responsible_person",
                    "responsible_address",
                ],
                "description": _(
                    "Pflichtangaben nach § 5 DDG und § 18 Abs. 2 MStV. Leere Felder erscheinen "
                    "nicht auf der Website; solange eine Pflichtangabe fehlt, meldet "
                    "„manage.py check --deploy“ einen Fehler."
                ),
            },
        ),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ContactDetails.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
