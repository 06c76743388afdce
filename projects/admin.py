from django.apps import apps
from django.contrib import admin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kkk_portal.history_admin import EditorialAdminMixin
from kkk_portal.image_admin import ImageFieldsAdminMixin
from kkk_portal.publishing_admin import PublicationScheduleAdminMixin, PublicationStateFilter

from .models import FocusArea, Funder, Funding, Municipality, Partner, Project, ProjectState


class HidesConfidentialReferencesMixin:
    """Delete pages that do not tell who may not know it that a case refers to the object.

    Cases protect the municipality and project they name. Django's delete page
    lists such protected objects by type and name, which would tell Redaktion
    which municipality is being counselled. For anyone without
    `counselling.view_all_cases` those entries become one neutral line; the
    deletion is still refused.
    """

    confidential_app = "counselling"

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if request.user.has_perm("counselling.view_all_cases"):
            return deleted, counts, perms_needed, protected
        try:
            models = apps.get_app_config(self.confidential_app).get_models()
        except LookupError:
            return deleted, counts, perms_needed, protected
        names = {str(capfirst(model._meta.verbose_name)) for model in models}
        prefixes = tuple(f"{name}: " for name in names)
        visible = [entry for entry in protected if not str(entry).startswith(prefixes)]
        if len(visible) < len(protected):
            visible.append(
                _(
                    "Einträge in einem vertraulichen Bereich, die Sie nicht sehen können. "
                    "Bitte wenden Sie sich an die Leitung."
                )
            )
        perms_needed = {name for name in perms_needed if str(capfirst(name)) not in names}
        return deleted, counts, perms_needed, visible


@admin.register(FocusArea)
class FocusAreaAdmin(EditorialAdminMixin, PublicationScheduleAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "order", "is_published", "publish_at", "unpublish_at"]
    list_editable = ["order"]
    list_filter = [PublicationStateFilter, "is_published"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title"]


@admin.register(Funder)
class FunderAdmin(EditorialAdminMixin, ImageFieldsAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind", "is_generic"]
    list_filter = ["kind", "is_generic"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "name_en", "short_name"]


@admin.register(Municipality)
class MunicipalityAdmin(HidesConfidentialReferencesMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "state", "district", "ags"]
    list_filter = ["state", "kind"]
    list_select_related = ["district"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "ags"]
    autocomplete_fields = ["district"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "url"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class FundingInline(admin.StackedInline):
    # Stacked: a funding's two notices side by side as a table row need 2700 px.
    model = Funding
    extra = 1
    autocomplete_fields = ["funder"]


class ProjectStateInline(admin.TabularInline):
    model = ProjectState
    extra = 0


@admin.register(Project)
class ProjectAdmin(
    EditorialAdminMixin,
    ImageFieldsAdminMixin,
    PublicationScheduleAdminMixin,
    HidesConfidentialReferencesMixin,
    SimpleHistoryAdmin,
):
    list_display = [
        "title",
        "start_date",
        "end_date",
        "status_display",
        "is_published",
        "publish_at",
        "unpublish_at",
    ]
    list_filter = [
        PublicationStateFilter,
        "is_published",
        "focus_areas",
        "municipalities__state",
        "funders",
    ]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "summary", "description"]
    autocomplete_fields = ["municipalities", "partners", "commissioned_by"]
    filter_horizontal = ["focus_areas"]
    inlines = [FundingInline, ProjectStateInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description"]}),
        (_("Laufzeit"), {"fields": ["start_date", "end_date"]}),
        (
            _("Zuordnung"),
            {"fields": ["focus_areas", "municipalities", "partners", "commissioned_by"]},
        ),
        (
            _("Bild"),
            {"fields": ["image", "image_alt", "image_alt_en", "image_focus_x", "image_focus_y"]},
        ),
        (
            _("Englische Fassung"),
            {"fields": ["title_en", "summary_en", "description_en"], "classes": ["collapse"]},
        ),
    ]

    @admin.display(description=_("Status"))
    def status_display(self, obj):
        return obj.status.label
