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

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import selectors, services
from .admin_workspace import (
    CaseWorkFilter,
    LeadCounsellorFilter,
    LeanListMixin,
    LimitedRelatedOnlyFilter,
    OccurringChoicesFilter,
    OccurringYearFilter,
    PeopleChoiceField,
    PersonChoiceField,
    RequestWorkFilter,
    SavedOrderingMixin,
)
from .data_export import RequesterExportActionMixin
from .forms import CaseAdminForm
from .models import (
    Activity,
    Case,
    CaseAccessLog,
    CaseDocument,
    CounsellingRequest,
    OutboxMessage,
    ReplyTemplate,
    Topic,
)
from .permissions import requests_visible_to


def counsellor_choices():
    """Active people who may work on cases (by permission), ordered by name."""
    return selectors.counsellors()


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "name_en"]


class ObjectVisibilityMixin:
    """View, change and delete as the rules in counselling/permissions.py decide, per object.

    `counselling.<action>_<model>` with the object (or without one for the list):
    the model permission, and for a case or request also who may open it.
    """

    def _rule(self, action: str) -> str:
        return f"{self.opts.app_label}.{action}_{self.opts.model_name}"

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(self._rule("view"), obj) or self.has_change_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(self._rule("change"), obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(self._rule("delete"), obj)


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
class CounsellingRequestAdmin(
    LeanListMixin,
    RequesterExportActionMixin,
    SavedOrderingMixin,
    ObjectVisibilityMixin,
    GuardedHistoryAdmin,
):
    list_display = ["reference", "institution", "state", "urgency", "status", "created_at"]
    list_filter = [
        RequestWorkFilter,
        ("status", OccurringChoicesFilter),
        ("urgency", OccurringChoicesFilter),
        ("conflict_type", OccurringChoicesFilter),
        ("state", OccurringChoicesFilter),
        ("body_kind", OccurringChoicesFilter),
        ("topics", admin.RelatedOnlyFieldListFilter),
    ]
    # Confidential: no public page, no "view on site" link (nor on the history pages).
    view_on_site = False
    search_fields = ["reference", "institution", "contact_name", "email"]
    date_hierarchy = "created_at"
    list_per_page = 50
    # One count (of the filtered rows), not a second one of all rows.
    show_full_result_count = False
    actions = ["make_case", "mark_spam", "export_requester_data"]
    # What the requester submitted is evidence: staff only set the status.
    fields = ["status", *SUBMITTED_FIELDS]
    readonly_fields = SUBMITTED_FIELDS

    not_found_message = _("Diese Anfrage gibt es nicht oder Sie dürfen sie nicht sehen.")

    def get_queryset(self, request):
        # A request that became a case is as confidential as the case.
        return requests_visible_to(
            request.user, super().get_queryset(request).select_related("case")
        )

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

    # Staff set only these; "case" comes from creating the case, "withdrawn" from the requester.
    STAFF_STATUSES = [
        CounsellingRequest.Status.NEW,
        CounsellingRequest.Status.DECLINED,
        CounsellingRequest.Status.SPAM,
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status not in self.STAFF_STATUSES:
            readonly.append("status")
        return readonly

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            kwargs["choices"] = [(s.value, s.label) for s in self.STAFF_STATUSES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/fall-anlegen/",
                self.admin_site.admin_view(self.make_case_view),
                name="counselling_counsellingrequest_make_case",
            ),
            *super().get_urls(),
        ]

    def make_case_view(self, request, object_id):
        """The "Fall anlegen" button: one POST turns this request into a case and opens it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_visible_or_404(request, object_id)
        if not self.has_make_case_permission(request):
            raise PermissionDenied
        try:
            case = services.case_create_from_request(request=obj, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:counselling_counsellingrequest_change", args=[obj.pk])
            )
        self.message_user(
            request,
            gettext("Fall %(reference)s angelegt.") % {"reference": case.reference},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:counselling_case_change", args=[case.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["may_make_case"] = bool(
            obj is not None
            and not getattr(obj, "case", None)
            and obj.status == CounsellingRequest.Status.NEW
            and self.has_make_case_permission(request)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

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

    def has_make_case_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("counselling.make_case", obj)

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
    """A case admin: the rules counselling.view_case / change_case / delete_case per case."""


class CaseInlineMixin:
    """An inline of a case: its model's permission, on a case the user may open or change."""

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) and request.user.has_perm(
            "counselling.view_case", obj
        )

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and request.user.has_perm(
            "counselling.change_case", obj
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and request.user.has_perm(
            "counselling.change_case", obj
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and request.user.has_perm(
            "counselling.change_case", obj
        )


class ActivityInline(CaseInlineMixin, admin.StackedInline):
    # Stacked, a few fields a line: fits 1280 px with the appointment's time and place.
    # No empty pre-filled row ("today, 0 participants"): rows are added with the link.
    model = Activity
    extra = 0
    view_on_site = False
    fields = [
        ("date", "start_time", "duration_minutes"),
        ("kind", "participants", "place"),
        "note",
        "author_name",
    ]
    readonly_fields = ["author_name"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    @admin.display(description=_("erfasst von"))
    def author_name(self, obj):
        return selectors.full_name(obj.author) if obj.pk else "–"


class CaseDocumentInline(CaseInlineMixin, admin.TabularInline):
    model = CaseDocument
    extra = 0  # no empty row before any upload
    view_on_site = False  # the download link is in the row; no public page
    fields = ["title", "kind", "file", "download", "uploaded_by_name", "uploaded_at"]
    readonly_fields = ["download", "uploaded_by_name", "uploaded_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description=_("hochgeladen von"))
    def uploaded_by_name(self, obj):
        return selectors.full_name(obj.uploaded_by) if obj.pk else "–"

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


@admin.register(Case)
class CaseAdmin(LeanListMixin, SavedOrderingMixin, CaseVisibilityMixin, GuardedHistoryAdmin):
    form = CaseAdminForm
    list_display = [
        "reference",
        "title",
        "status",
        "state",
        "lead_counsellor_name",
        "follow_up_on",
        "start_date",
    ]
    list_filter = [
        CaseWorkFilter,
        ("status", OccurringChoicesFilter),
        ("state", OccurringChoicesFilter),
        ("conflict_type", OccurringChoicesFilter),
        ("year", OccurringYearFilter),
        ("project", LimitedRelatedOnlyFilter),
        LeadCounsellorFilter,
    ]
    list_select_related = ["lead_counsellor"]
    # As on the request list: 50 rows a page (Django's 100 doubled the time per page).
    list_per_page = 50
    search_fields = ["reference", "title", "municipality__name"]
    # One count (of the filtered rows), not a second one of all rows.
    show_full_result_count = False
    # What the municipality wrote, read-only on the case page.
    request_text_fields = [
        "request_situation",
        "request_involved",
        "request_urgency",
        "request_contact_preference",
        "request_contact",
    ]
    readonly_fields = [
        "reference",
        "request_link",
        *request_text_fields,
        "created_at",
        "anonymised_at",
    ]
    # Confidential: no public page, no "view on site" link (nor on the history pages).
    view_on_site = False
    # Only Leitung assigns: a counsellor must not hand a case on or lock colleagues out.
    assignment_fields = ["lead_counsellor", "counsellors"]
    not_found_message = _("Diesen Fall gibt es nicht oder Sie dürfen ihn nicht sehen.")
    filter_horizontal = ["topics", "counsellors"]
    # Status changes, activities, documents and mails are shown together in the timeline.
    inlines = [ActivityInline, CaseDocumentInline]
    fieldsets = [
        (None, {"fields": ["reference", "title", "request_link", "status"]}),
        (_("Anfrage der Kommune"), {"fields": request_text_fields}),
        (_("Wiedervorlage"), {"fields": ["follow_up_on", "follow_up_note"]}),
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

    def get_urls(self):
        from .reply_views import reply_urls  # "Antwort schreiben" (reply to the requester)

        return [*reply_urls(self), *super().get_urls()]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("counselling.assign_case", obj):
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

    def _request_value(self, obj, attribute):
        if obj is None or not obj.request_id:
            return "–"
        value = getattr(obj.request, attribute)
        return (value() if callable(value) else value) or "–"

    @admin.display(description=_("Situation"))
    def request_situation(self, obj):
        return self._request_value(obj, "situation")

    @admin.display(description=_("Beteiligte"))
    def request_involved(self, obj):
        return self._request_value(obj, "involved")

    @admin.display(description=_("Dringlichkeit"))
    def request_urgency(self, obj):
        return self._request_value(obj, "get_urgency_display")

    @admin.display(description=_("Bevorzugter Kontaktweg"))
    def request_contact_preference(self, obj):
        return self._request_value(obj, "get_contact_preference_display")

    @admin.display(description=_("Ansprechperson"))
    def request_contact(self, obj):
        if obj is None or not obj.request_id:
            return "–"
        parts = [obj.request.contact_name, obj.request.contact_role, obj.request.email]
        parts.append(obj.request.phone)
        return ", ".join(part for part in parts if part)

    @admin.display(description=_("Federführung"), ordering="lead_counsellor__last_name")
    def lead_counsellor_name(self, obj):
        return selectors.full_name(obj.lead_counsellor) if obj.lead_counsellor_id else "–"

    def get_autocomplete_fields(self, request):
        # Thousands of municipalities or projects make a slow page as a <select>; a search
        # field needs the right to look them up (Leitung), others keep the plain list.
        return [
            name
            for name, permission in [
                ("municipality", "projects.view_municipality"),
                ("project", "projects.view_project"),
            ]
            if request.user.has_perm(permission)
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_counsellor":
            kwargs["queryset"] = counsellor_choices()
            kwargs["form_class"] = PersonChoiceField
        if db_field.name == "project" and "project" not in self.get_autocomplete_fields(request):
            # A plain list: the recent projects only (and the case's own), not 10,000.
            object_id = (request.resolver_match.kwargs if request.resolver_match else {}).get(
                "object_id", ""
            )
            case_id = int(object_id) if str(object_id).isdigit() else None
            kwargs["queryset"] = selectors.funding_project_choices(case_id=case_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "counsellors":
            kwargs["queryset"] = counsellor_choices()
            kwargs["form_class"] = PeopleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_visible_or_404(request, object_id)
        if request.method == "GET" and self.has_view_permission(request, obj):
            services.case_access_log(case=obj, user=request.user, via=CaseAccessLog.Via.ADMIN)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_object(self, request, object_id, from_field=None):
        # The change view asks three times (visibility, history guard, form): one query.
        cache = request.__dict__.setdefault("_case_admin_objects", {})
        key = (object_id, from_field)
        if key not in cache:
            obj = super().get_object(request, object_id, from_field)
            if obj is not None:
                # For the permission rules, the form and the read-only list alike.
                prefetch_related_objects([obj], "counsellors")
            cache[key] = obj
        return cache[key]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            # On a GET the inlines already hold the activities and documents (with authors).
            rows = {}
            if request.method == "GET":
                for inline_formset in context.get("inline_admin_formsets", []):
                    formset = inline_formset.formset
                    rows[formset.model] = [form.instance for form in formset.initial_forms]
            context["timeline"] = selectors.case_timeline(
                case=obj, activities=rows.get(Activity), documents=rows.get(CaseDocument)
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

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

    # Every rule of a case write is in services.py: the admin only hands the form over.

    def save_model(self, request, obj, form, change):
        if not change:
            services.case_create(case=obj, by=request.user)
            return
        # Status and assignment change only through their services (workflow, notices).
        new_status = obj.status
        obj.status = form.initial.get("status", new_status)
        if "lead_counsellor" in form.cleaned_data:
            obj.lead_counsellor_id = form.initial.get("lead_counsellor")
        obj.save()
        if new_status != obj.status:
            services.case_change_status(case=obj, status=new_status, by=request.user)

    def save_related(self, request, form, formsets, change):
        # Editable only for those who may assign (get_readonly_fields).
        assignment = None
        if "counsellors" in form.cleaned_data and "lead_counsellor" in form.cleaned_data:
            assignment = {
                "lead_counsellor": form.cleaned_data["lead_counsellor"],
                "counsellors": list(form.cleaned_data.pop("counsellors")),
            }
        super().save_related(request, form, formsets, change)
        if assignment is not None:
            services.case_assign(case=form.instance, by=request.user, **assignment)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, CaseDocument) and instance._state.adding:
                added = services.document_add(
                    case=form.instance,
                    title=instance.title,
                    kind=instance.kind,
                    file=instance.file,
                    by=request.user,
                )
                instance.pk, instance.uploaded_by = added.pk, added.uploaded_by
                continue
            if isinstance(instance, Activity) and instance.author_id is None:
                instance.author = request.user
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


# --- Reply templates ------------------------------------------------------------------


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    """Texts counsellors start a reply to a requester from ("Antwort schreiben" on a case).

    Managed by whoever holds the rule `manage_reply_templates` (Leitung); counsellors
    use them from the case page without needing this admin.
    """

    list_display = ["name", "subject", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "subject", "body"]
    fieldsets = [
        (None, {"fields": ["name", "order", "is_active"]}),
        (
            _("Deutsch"),
            {
                "fields": ["subject", "body"],
                "description": _(
                    "Platzhalter: {name}, {institution}, {reference} (Eingangsnummer), "
                    "{case_reference} (Aktenzeichen), {date} (heute), {counsellor} (Ihr Name)."
                ),
            },
        ),
        (
            _("Englisch"),
            {
                "fields": ["subject_en", "body_en"],
                "description": _(
                    "Für Anfragen, die auf Englisch kamen. Leer: Die deutsche Fassung wird genutzt."
                ),
            },
        ),
    ]

    def _may_manage(self, request) -> bool:
        return request.user.has_perm("counselling.manage_reply_templates")

    def has_view_permission(self, request, obj=None):
        return self._may_manage(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._may_manage(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request) and super().has_delete_permission(request, obj)
