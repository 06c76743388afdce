"""Back office for requests and cases.

Who sees what is enforced here, in `get_queryset` and the `has_*_permission`
methods – never by hiding links:

- Redaktion has no counselling permissions at all (403 everywhere).
- Beratung sees the requests that have no case yet and those of the cases it
  is assigned to (as counsellor or lead), and only those cases; another case's
  or request's URL answers 404. Only Leitung assigns counsellors.
- Leitung sees everything (permission `counselling.view_all_cases`) and the
  access log.
- Old versions (django-simple-history) can be looked at, never saved back:
  reverting would bypass the status workflow and restore anonymised data.
  Looking at an old version of a case is written to the access log.
- Deleting a request or case goes through `services.request_delete` /
  `services.case_delete`, which also remove the history rows and files that
  would otherwise keep full copies.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import BooleanField, Exists, OuterRef, Q, Value
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .data_export import requester_data_export
from .forms import CaseAdminForm
from .models import (
    Activity,
    Case,
    CaseAccessLog,
    CaseDocument,
    CaseStatusChange,
    CounsellingRequest,
    OutboxMessage,
    Topic,
)
from .permissions import BERATUNG, LEITUNG


def counsellor_choices():
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name__in=[BERATUNG, LEITUNG])
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "name_en"]


def may_see_all_cases(user):
    return user.has_perm("counselling.view_all_cases")


class ObjectVisibilityMixin:
    """View, change and delete only what `_may_see` allows (per object, not by hiding links)."""

    def _may_see(self, request, obj):
        raise NotImplementedError

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._may_see(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_see(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_see(request, obj)


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    """Simple-history admin whose old versions are read-only, for visible objects only.

    `revert_disabled` only hides simple-history's save button; `history_form_view`
    still saves an old version on POST. Here a POST is refused outright.
    """

    not_found_message = _("Diesen Eintrag gibt es nicht oder Sie dürfen ihn nicht sehen.")

    def revert_disabled(self, request, obj=None):
        return True

    def get_visible_or_404(self, request, object_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            # Not there, or not yours: the same answer, so nothing leaks.
            raise Http404(self.not_found_message)
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.get_visible_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self.get_visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        obj = self.get_visible_or_404(request, object_id)
        if not (
            str(version_id).isdigit()
            and self.model.history.filter(pk=version_id, id=obj.pk).exists()
        ):
            raise Http404(self.not_found_message)
        self.history_version_opened(request, obj, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_version_opened(self, request, obj, version_id):
        """Hook: an old version of a visible object is about to be shown."""

    def delete_view(self, request, object_id, extra_context=None):
        self.get_visible_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)


# --- Requests -------------------------------------------------------------------

SUBMITTED_FIELDS = [
    "reference",
    "created_at",
    "institution",
    "body_kind",
    "state",
    "contact_name",
    "contact_role",
    "email",
    "phone",
    "contact_preference",
    "topics_display",
    "situation",
    "conflict_type",
    "involved",
    "urgency",
    "heard_from",
    "consent_notice_version",
    "consent_at",
    "anonymised_at",
    "case_link",
]


@admin.register(CounsellingRequest)
class CounsellingRequestAdmin(ObjectVisibilityMixin, GuardedHistoryAdmin):
    list_display = ["reference", "institution", "state", "urgency", "status", "created_at"]
    list_filter = ["status", "urgency", "conflict_type", "state", "body_kind", "topics"]
    search_fields = ["reference", "institution", "contact_name", "email"]
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["make_case", "mark_spam", "export_requester_data"]
    # What the requester submitted is evidence: staff only set the status.
    fields = ["status", *SUBMITTED_FIELDS]
    readonly_fields = SUBMITTED_FIELDS

    not_found_message = _("Diese Anfrage gibt es nicht oder Sie dürfen sie nicht sehen.")

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("case")
        if may_see_all_cases(request.user):
            return queryset.annotate(case_visible=Value(True, output_field=BooleanField()))
        # A request that became a case is as confidential as the case.
        visible = Case.objects.visible_to(request.user)
        return queryset.filter(Q(case__isnull=True) | Q(case__in=visible.values("pk"))).annotate(
            case_visible=Exists(visible.filter(pk=OuterRef("case")))
        )

    def _may_see(self, request, obj):
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_visible_or_404(request, object_id)
        if request.method == "GET" and self.has_view_permission(request, obj):
            # A request holds a person's contact details and situation: opened like a case.
            services.access_log_record(
                user=request.user,
                reference=obj.reference,
                case=getattr(obj, "case", None),
                via=CaseAccessLog.Via.REQUEST,
                detail=gettext("Anfrage geöffnet"),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def history_version_opened(self, request, obj, version_id):
        services.access_log_record(
            user=request.user,
            reference=obj.reference,
            case=getattr(obj, "case", None),
            via=CaseAccessLog.Via.HISTORY,
            detail=gettext("Anfrage, Fassung Nr. %(version)s") % {"version": version_id},
        )

    def has_add_permission(self, request):
        return False  # requests come only through the public form

    def delete_model(self, request, obj):
        services.request_delete(request=obj)

    def delete_queryset(self, request, queryset):
        services.requests_delete(ids=list(queryset.values_list("pk", flat=True)))

    @admin.display(description=_("Themen"))
    def topics_display(self, obj):
        return ", ".join(t.name for t in obj.topics.all()) or "–"

    @admin.display(description=_("Fall"))
    def case_link(self, obj):
        case = getattr(obj, "case", None)
        # `case_visible` comes from get_queryset: no link, no reference to a case not yours.
        if case is None or not getattr(obj, "case_visible", False):
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:counselling_case_change", args=[case.pk]),
            case.reference,
        )

    def changelist_view(self, request, extra_context=None):
        new = self.get_queryset(request).filter(status=CounsellingRequest.Status.NEW).count()
        title = ngettext(
            "Beratungsanfragen (%(count)d neu)", "Beratungsanfragen (%(count)d neu)", new
        ) % {"count": new}
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    @admin.action(description=_("In einen Fall umwandeln"), permissions=["make_case"])
    def make_case(self, request, queryset):
        for counselling_request in queryset:
            try:
                case = services.case_create_from_request(
                    request=counselling_request, by=request.user
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    format_html(
                        _("Fall {} angelegt."),
                        format_html(
                            '<a href="{}">{}</a>',
                            reverse("admin:counselling_case_change", args=[case.pk]),
                            case.reference,
                        ),
                    ),
                    messages.SUCCESS,
                )

    def has_make_case_permission(self, request):
        return request.user.has_perm("counselling.add_case") and request.user.has_perm(
            "counselling.change_counsellingrequest"
        )

    @admin.action(
        description=_("Auskunft nach Art. 15 DSGVO (JSON) für diese Person"),
        permissions=["export_requester_data"],
    )
    def export_requester_data(self, request, queryset):
        emails = {e.strip().lower() for e in queryset.values_list("email", flat=True)}
        if len(emails) != 1:
            self.message_user(
                request,
                _("Bitte Anfragen genau einer Person (einer E-Mail-Adresse) auswählen."),
                messages.ERROR,
            )
            return None
        data = requester_data_export(email=emails.pop())
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        reference = data["requests"][0]["reference"] if data["requests"] else "auskunft"
        references = [entry["reference"] for entry in data["requests"]]
        services.access_log_record(
            user=request.user,
            reference=references[0] if references else "–",
            via=CaseAccessLog.Via.EXPORT,
            detail=gettext("Auskunft nach Art. 15 DSGVO: %(references)s")
            % {"references": ", ".join(references) or "–"},
        )
        response["Content-Disposition"] = f'attachment; filename="auskunft-{reference}.json"'
        return response

    def has_export_requester_data_permission(self, request):
        # Everything about a person, across cases: Leitung only.
        return may_see_all_cases(request.user)

    @admin.action(description=_("Als Spam markieren"), permissions=["change"])
    def mark_spam(self, request, queryset):
        changed = 0
        for counselling_request in queryset.filter(case__isnull=True):
            counselling_request.status = CounsellingRequest.Status.SPAM
            counselling_request.save(update_fields=["status", "updated_at"])
            changed += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d Anfrage als Spam markiert.",
                "%(count)d Anfragen als Spam markiert.",
                changed,
            )
            % {"count": changed},
        )


# --- Cases ------------------------------------------------------------------------


class CaseVisibilityMixin(ObjectVisibilityMixin):
    """Limits a case admin (or an inline's parent) to the cases the user may see."""

    def _visible_cases(self, request):
        return Case.objects.visible_to(request.user)

    def _may_see(self, request, obj):
        if obj is None:
            return True
        case = obj if isinstance(obj, Case) else obj.case
        return self._visible_cases(request).filter(pk=case.pk).exists()


class ActivityInline(CaseVisibilityMixin, admin.TabularInline):
    model = Activity
    extra = 1
    fields = ["date", "kind", "participants", "note", "author"]
    readonly_fields = ["author"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


class CaseDocumentInline(CaseVisibilityMixin, admin.TabularInline):
    model = CaseDocument
    extra = 1
    fields = ["title", "kind", "file", "download", "uploaded_by", "uploaded_at"]
    readonly_fields = ["download", "uploaded_by", "uploaded_at"]
    # A plain file input: the clearable one would link to a public URL, which
    # private documents do not have.
    formfield_overrides = {models.FileField: {"widget": forms.FileInput}}

    @admin.display(description=_("Herunterladen"))
    def download(self, obj):
        if not obj.pk:
            return "–"
        return format_html(
            '<a href="{}">{}</a>', reverse("counselling:document", args=[obj.pk]), obj.filename
        )


class CaseStatusChangeInline(admin.TabularInline):
    model = CaseStatusChange
    extra = 0
    fields = ["from_status", "to_status", "changed_by", "changed_at"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("Statusverlauf")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(CaseVisibilityMixin, GuardedHistoryAdmin):
    form = CaseAdminForm
    list_display = ["reference", "title", "status", "state", "lead_counsellor", "start_date"]
    list_filter = ["status", "state", "conflict_type", "year", "project"]
    list_select_related = ["lead_counsellor"]
    search_fields = ["reference", "title", "municipality__name"]
    readonly_fields = ["reference", "request_link", "created_at", "anonymised_at"]
    # Only Leitung assigns: a counsellor must not hand a case on or lock colleagues out.
    assignment_fields = ["lead_counsellor", "counsellors"]
    not_found_message = _("Diesen Fall gibt es nicht oder Sie dürfen ihn nicht sehen.")
    filter_horizontal = ["topics", "counsellors"]
    inlines = [ActivityInline, CaseDocumentInline, CaseStatusChangeInline]
    fieldsets = [
        (None, {"fields": ["reference", "title", "request_link", "status"]}),
        (
            _("Wo und worum"),
            {"fields": ["municipality", "state", "body_kind", "topics", "conflict_type"]},
        ),
        (
            _("Zuständigkeit und Förderung"),
            {"fields": ["lead_counsellor", "counsellors", "project"]},
        ),
        (
            _("Verlauf"),
            {"fields": ["start_date", "end_date", "outcome", "created_at", "anonymised_at"]},
        ),
    ]

    def get_queryset(self, request):
        return Case.objects.visible_to(request.user).select_related(
            "lead_counsellor", "request", "municipality", "project"
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not may_see_all_cases(request.user):
            readonly += self.assignment_fields
        return readonly

    @admin.display(description=_("Anfrage"))
    def request_link(self, obj):
        if not obj.request_id:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:counselling_counsellingrequest_change", args=[obj.request_id]),
            obj.request.reference,
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_counsellor":
            kwargs["queryset"] = counsellor_choices()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "counsellors":
            kwargs["queryset"] = counsellor_choices()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_visible_or_404(request, object_id)
        if request.method == "GET" and self.has_view_permission(request, obj):
            services.case_access_log(case=obj, user=request.user, via=CaseAccessLog.Via.ADMIN)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_visible_or_404(request, object_id)
        if request.method == "GET" and self.has_view_permission(request, obj):
            # The list shows what changed, old values included.
            services.case_access_log(
                case=obj,
                user=request.user,
                via=CaseAccessLog.Via.HISTORY,
                detail=gettext("Liste der Fassungen"),
            )
        return super().history_view(request, object_id, extra_context)

    def history_version_opened(self, request, obj, version_id):
        services.case_access_log(
            case=obj,
            user=request.user,
            via=CaseAccessLog.Via.HISTORY,
            detail=gettext("Fassung Nr. %(version)s") % {"version": version_id},
        )

    def delete_model(self, request, obj):
        services.case_delete(case=obj)

    def delete_queryset(self, request, queryset):
        for case in queryset:
            services.case_delete(case=case)

    def save_model(self, request, obj, form, change):
        if not change:
            if not may_see_all_cases(request.user):
                obj.lead_counsellor = request.user
            services.case_assign_reference(case=obj)
            obj.save()
            CaseStatusChange.objects.create(
                case=obj, from_status="", to_status=obj.status, changed_by=request.user
            )
            return
        new_status = obj.status
        obj.status = form.initial.get("status", new_status)
        obj.save()
        if new_status != obj.status:
            services.case_change_status(case=obj, status=new_status, by=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        case = form.instance
        # Whoever creates a case without Leitung rights keeps access to it.
        if not change and not request.user.has_perm("counselling.view_all_cases"):
            case.counsellors.add(request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Activity) and instance.author_id is None:
                instance.author = request.user
            if isinstance(instance, CaseDocument) and instance.uploaded_by_id is None:
                instance.uploaded_by = request.user
            instance.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()


# --- Read-only records ------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseAccessLog)
class CaseAccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "case_reference", "via", "detail"]
    list_filter = ["via", "at"]
    search_fields = ["case_reference", "user__username", "user__last_name"]
    date_hierarchy = "at"
    list_select_related = ["user"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "subject", "status", "tries", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["subject"]
    date_hierarchy = "created_at"
    fields = [
        "kind",
        "to",
        "subject",
        "body",
        "status",
        "tries",
        "last_error",
        "sent_at",
        "next_attempt_at",
        "created_at",
    ]
    readonly_fields = fields  # status changes only through the retry action
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # A single message is view-only: setting "sent" back to "waiting" would send
        # it twice, "sent" without a time breaks a constraint. Retrying failed
        # messages is the action below, which needs the change permission in general.
        return obj is None and super().has_change_permission(request)

    @admin.action(description=_("Erneut versuchen"), permissions=["change"])
    def retry(self, request, queryset):
        count = queryset.filter(status=OutboxMessage.Status.FAILED).update(
            status=OutboxMessage.Status.PENDING, tries=0, next_attempt_at=timezone.now()
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d E-Mail wird erneut versucht.",
                "%(count)d E-Mails werden erneut versucht.",
                count,
            )
            % {"count": count},
        )
