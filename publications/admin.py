from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kkk_portal.publishing_admin import PublicationScheduleAdminMixin, PublicationStateFilter

from .models import Event, NewsPost, Publication, Speaker


@admin.register(Publication)
class PublicationAdmin(PublicationScheduleAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "kind", "date", "is_published", "publish_at", "unpublish_at"]
    list_filter = [PublicationStateFilter, "kind", "is_published", "focus_areas"]
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "authors", "abstract"]
    autocomplete_fields = ["projects"]
    filter_horizontal = ["focus_areas"]


@admin.register(NewsPost)
class NewsPostAdmin(PublicationScheduleAdminMixin, SimpleHistoryAdmin):
    schedule_fields = ("is_published", "published_at", "unpublish_at")
    list_display = ["title", "published_at", "is_published", "unpublish_at"]
    list_filter = [PublicationStateFilter, "is_published"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "teaser", "body"]
    autocomplete_fields = ["projects", "event"]
    filter_horizontal = ["focus_areas"]


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 1


@admin.register(Event)
class EventAdmin(PublicationScheduleAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "title",
        "start",
        "end",
        "is_online",
        "is_published",
        "publish_at",
        "unpublish_at",
    ]
    list_filter = [PublicationStateFilter, "is_online", "is_free", "is_published"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "teaser", "description", "speakers__name"]
    autocomplete_fields = ["projects"]
    filter_horizontal = ["focus_areas"]
    inlines = [SpeakerInline]
