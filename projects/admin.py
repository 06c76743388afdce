from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import FocusArea, Funder, Funding, Municipality, Partner, Project, ProjectState


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["title", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title"]


@admin.register(Funder)
class FunderAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "short_name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
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


class FundingInline(admin.TabularInline):
    model = Funding
    extra = 1
    autocomplete_fields = ["funder"]


class ProjectStateInline(admin.TabularInline):
    model = ProjectState
    extra = 0


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["title", "start_date", "end_date", "status_display", "is_published"]
    list_filter = ["is_published", "focus_areas", "municipalities__state", "funders"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "summary", "description"]
    autocomplete_fields = ["municipalities", "partners", "commissioned_by"]
    filter_horizontal = ["focus_areas"]
    inlines = [FundingInline, ProjectStateInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description", "is_published"]}),
        (_("Laufzeit"), {"fields": ["start_date", "end_date"]}),
        (
            _("Zuordnung"),
            {"fields": ["focus_areas", "municipalities", "partners", "commissioned_by"]},
        ),
        (_("Bild"), {"fields": ["image", "image_alt"]}),
        (
            _("Englische Fassung"),
            {"fields": ["title_en", "summary_en", "description_en"], "classes": ["collapse"]},
        ),
    ]

    @admin.display(description=_("Status"))
    def status_display(self, obj):
        return obj.status.label
