from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from counselling.leadership_views import csv_response
from kkk_portal.history_admin import EditorialAdminMixin
from kkk_portal.image_admin import ImageFieldsAdminMixin
from kkk_portal.publishing_admin import PublicationScheduleAdminMixin, PublicationStateFilter

from . import services
from .forms import MessageAllForm
from .models import Event, NewsPost, Publication, Registration, Speaker


@admin.register(Publication)
class PublicationAdmin(
    EditorialAdminMixin,
    ImageFieldsAdminMixin,
    PublicationScheduleAdminMixin,
    SimpleHistoryAdmin,
):
    list_display = ["title", "kind", "date", "is_published", "publish_at", "unpublish_at"]
    list_filter = [PublicationStateFilter, "kind", "is_published", "focus_areas"]
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "authors", "abstract"]
    autocomplete_fields = ["projects"]
    filter_horizontal = ["focus_areas"]


@admin.register(NewsPost)
class NewsPostAdmin(
    EditorialAdminMixin,
    ImageFieldsAdminMixin,
    PublicationScheduleAdminMixin,
    SimpleHistoryAdmin,
):
    schedule_fields = ("is_published", "published_at", "unpublish_at")
    list_display = ["title", "published_at", "is_published", "unpublish_at"]
    list_filter = [PublicationStateFilter, "is_published"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "teaser", "body"]
    autocomplete_fields = ["projects", "event"]
    filter_horizontal = ["focus_areas"]


class SpeakerInline(admin.StackedInline):
    # Stacked: as a table row a speaker needs 1700 px; the change page must fit 1280 px.
    model = Speaker
    extra = 1


EVENT_FIELDS = [
    "title",
    "title_en",
    "slug",
    "start",
    "end",
    "organiser",
    "teaser",
    "teaser_en",
    "description",
    "description_en",
    "is_online",
    "venue",
    "address",
    "is_free",
    "cost",
    "projects",
    "focus_areas",
]
REGISTRATION_FIELDS = [
    "registration_info",
    "registration_url",
    "registration_enabled",
    "registration_opens_at",
    "registration_closes_at",
    "capacity",
    "waiting_list_enabled",
    "ask_organisation",
    "ask_accessibility",
    "online_access_link",
    "registration_overview",
]
S = Registration.Status


def _count_of(status: str) -> Subquery:
    per_event = (
        Registration.objects.filter(event=OuterRef("pk"), status=status)
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_event, output_field=IntegerField()), 0)


@admin.register(Event)
class EventAdmin(EditorialAdminMixin, PublicationScheduleAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "title",
        "start",
        "end",
        "is_online",
        "registrations_column",
        "is_published",
        "publish_at",
        "unpublish_at",
    ]
    list_filter = [
        PublicationStateFilter,
        "is_online",
        "is_free",
        "registration_enabled",
        "is_published",
    ]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "teaser", "description", "speakers__name"]
    autocomplete_fields = ["projects"]
    filter_horizontal = ["focus_areas"]
    inlines = [SpeakerInline]
    readonly_fields = ["registration_overview"]
    fieldsets = [
        (None, {"fields": EVENT_FIELDS}),
        (
            _("Anmeldung"),
            {
                "fields": REGISTRATION_FIELDS,
                "description": _(
                    "Entweder ein Hinweis und ein Link zu einer Anmeldung anderswo, oder die "
                    "Anmeldung über das Portal mit Bestätigung per E-Mail."
                ),
            },
        ),
    ]
    change_form_template = "publications/admin/event_change_form.html"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")  # a link typed without scheme
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        # Subqueries, not joins: the search over speakers must not multiply the counts.
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed_count=_count_of(S.CONFIRMED),
                waiting_count=_count_of(S.WAITING),
            )
        )

    @admin.display(description=_("Anmeldungen (bestätigt / Plätze, Warteliste)"))
    def registrations_column(self, obj: Event) -> str:
        if not obj.registration_enabled:
            return "–"
        capacity = "∞" if obj.capacity is None else obj.capacity
        text = f"{obj.confirmed_count} / {capacity}"
        if obj.waiting_count:
            text += " " + _t("(+%(n)s Warteliste)") % {"n": obj.waiting_count}
        return text

    @admin.display(description=_("Stand der Anmeldungen"))
    def registration_overview(self, obj: Event | None) -> str:
        if obj is None or obj.pk is None:
            return "–"
        counts = services.registration_counts(events=[obj]).get(
            obj.pk, services.RegistrationCounts()
        )
        capacity = _t("unbegrenzt") if obj.capacity is None else obj.capacity
        return _t(
            "bestätigt: %(confirmed)s von %(capacity)s Plätzen · Warteliste: %(waiting)s · "
            "unbestätigt: %(pending)s · abgemeldet: %(cancelled)s · teilgenommen: %(attended)s · "
            "nicht erschienen: %(absent)s"
        ) % {**counts.__dict__, "capacity": capacity}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"capacity", "waiting_list_enabled"} & set(form.changed_data):
            moved = services.registrations_fill_seats(event=obj)
            if moved:
                self.message_user(
                    request,
                    ngettext(
                        "%(n)s Person ist von der Warteliste nachgerückt und wurde benachrichtigt.",
                        "%(n)s Personen sind von der Warteliste nachgerückt und wurden "
                        "benachrichtigt.",
                        len(moved),
                    )
                    % {"n": len(moved)},
                )

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/teilnehmende.csv",
                self.admin_site.admin_view(self.participants_csv),
                name="publications_event_participants_csv",
            ),
            path(
                "<path:object_id>/nachricht/",
                self.admin_site.admin_view(self.message_all_view),
                name="publications_event_message_all",
            ),
        ]
        return own + super().get_urls()

    def participants_csv(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not request.user.has_perm("publications.view_registration"):
            raise PermissionDenied
        event = get_object_or_404(Event, pk=object_id)
        return csv_response(
            services.participants_rows(event=event),
            filename=f"teilnehmende-{slugify(event.slug)[:60]}.csv",
        )

    def message_all_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not request.user.has_perm("publications.change_registration"):
            raise PermissionDenied
        event = get_object_or_404(Event, pk=object_id)
        form = MessageAllForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                count = services.registration_message_all(
                    event=event,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "Nachricht an %(n)s bestätigte Person in den Versand gegeben.",
                        "Nachricht an %(n)s bestätigte Personen in den Versand gegeben.",
                        count,
                    )
                    % {"n": count},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:publications_event_change", args=[event.pk])
                )
        recipients = Registration.objects.filter(
            event=event, status=S.CONFIRMED, anonymised_at=None
        ).count()
        context = {
            **self.admin_site.each_context(request),
            "title": _t("Nachricht an alle Bestätigten"),
            "event": event,
            "form": form,
            "recipients": recipients,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "publications/admin/message_all.html", context)


class AttendedFilter(admin.SimpleListFilter):
    title = _("teilgenommen")
    parameter_name = "teilgenommen"

    def lookups(self, request, model_admin):
        return [("ja", _("ja")), ("nein", _("nein")), ("offen", _("nicht erfasst"))]

    def queryset(self, request, queryset):
        match self.value():
            case "ja":
                return queryset.filter(attended=True)
            case "nein":
                return queryset.filter(attended=False)
            case "offen":
                return queryset.filter(attended__isnull=True)
        return queryset


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Registrations come from the public form; staff look, check in, cancel, export."""

    list_display = ["name", "email", "event", "status", "confirmed_at", "attended"]
    list_filter = [("event", admin.RelatedOnlyFieldListFilter), "status", AttendedFilter]
    list_select_related = ["event"]
    search_fields = ["name", "email", "organisation"]
    date_hierarchy = "created_at"
    actions = ["mark_attended", "mark_absent", "mark_unknown", "cancel_selected", "export_csv"]
    fields = [
        "event",
        "name",
        "email",
        "organisation",
        "accessibility_needs",
        "language",
        "status",
        "created_at",
        "confirmed_at",
        "seated_at",
        "cancelled_at",
        "attended",
        "reminder_sent_at",
        "consent_notice_version",
        "consent_at",
        "anonymised_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        services.registrations_delete(registrations=Registration.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.registrations_delete(registrations=queryset)

    def _check_in(self, request, queryset, attended):
        try:
            count = services.registration_check_in(registrations=queryset, attended=attended)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "Anwesenheit für %(n)s bestätigte Anmeldung erfasst.",
                "Anwesenheit für %(n)s bestätigte Anmeldungen erfasst.",
                count,
            )
            % {"n": count},
        )

    @admin.action(description=_("Anwesenheit: teilgenommen"), permissions=["change"])
    def mark_attended(self, request, queryset):
        self._check_in(request, queryset, True)

    @admin.action(description=_("Anwesenheit: nicht erschienen"), permissions=["change"])
    def mark_absent(self, request, queryset):
        self._check_in(request, queryset, False)

    @admin.action(description=_("Anwesenheit: nicht erfasst"), permissions=["change"])
    def mark_unknown(self, request, queryset):
        self._check_in(request, queryset, None)

    @admin.action(description=_("Abmelden (Platz geht an die Warteliste)"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        cancelled = 0
        for registration in queryset.exclude(status=S.CANCELLED).select_related("event"):
            try:
                services.registration_cancel(registration=registration)
            except services.RegistrationRefused as refusal:
                self.message_user(request, f"{registration}: {refusal.message}", messages.WARNING)
            else:
                cancelled += 1
        self.message_user(
            request,
            ngettext("%(n)s Anmeldung abgemeldet.", "%(n)s Anmeldungen abgemeldet.", cancelled)
            % {"n": cancelled},
        )

    @admin.action(description=_("Teilnehmende als CSV-Datei"), permissions=["view"])
    def export_csv(self, request, queryset):
        events = list(Event.objects.filter(pk__in=queryset.values("event_id")))
        if len(events) != 1:
            self.message_user(
                request,
                _t(
                    "Bitte Anmeldungen genau einer Veranstaltung auswählen "
                    "(Filter „Veranstaltung“)."
                ),
                messages.ERROR,
            )
            return None
        return HttpResponseRedirect(
            reverse("admin:publications_event_participants_csv", args=[events[0].pk])
        )
