from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from counselling.data_export import RequesterExportActionMixin
from kkk_portal.history_admin import EditorialAdminMixin
from kkk_portal.image_admin import ImageFieldsAdminMixin
from kkk_portal.publishing_admin import PublicationScheduleAdminMixin, PublicationStateFilter

from . import services
from .forms import ContactReplyForm
from .models import ContactDetails, ContactMessage, ContactReply, TeamMember


@admin.register(TeamMember)
class TeamMemberAdmin(
    EditorialAdminMixin,
    ImageFieldsAdminMixin,
    PublicationScheduleAdminMixin,
    SimpleHistoryAdmin,
):
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


# --- Contact requests ---------------------------------------------------------------
#
# The inbox of the contact form. Only holders of `team.view_contactmessage` (by
# default Leitung; the permission also requires the second factor) see anything;
# replying and closing need `team.change_contactmessage`. What the visitor sent is
# read-only; a reply is written below it and sent through the outbox
# (`services.contact_reply_send`), and the text sent stays on the request.


def may_answer_contact_messages(user) -> bool:
    return user.has_perm("team.change_contactmessage")


class ContactReplyInline(admin.StackedInline):
    model = ContactReply
    extra = 0
    can_delete = False
    fields = ["sent_at", "sent_by", "subject", "body"]
    readonly_fields = fields
    verbose_name_plural = _("Gesendete Antworten")

    def has_view_permission(self, request, obj=None):
        # Replies belong to their request: whoever may read it reads them.
        return request.user.has_perm("team.view_contactmessage")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sent_by")


@admin.register(ContactMessage)
class ContactMessageAdmin(RequesterExportActionMixin, admin.ModelAdmin):
    export_source = "contact_messages"
    export_one_person_message = _(
        "Bitte Kontaktanfragen genau einer Person (einer E-Mail-Adresse) auswählen."
    )

    list_display = ["reference", "created_at", "name", "organisation", "topic", "status"]
    list_filter = ["status", "topic"]
    search_fields = ["reference", "name", "email", "organisation"]
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["close_selected", "export_requester_data"]
    fields = [
        "reference",
        "status",
        "created_at",
        "name",
        "email",
        "organisation",
        "topic",
        "message",
        "language",
        "consent_notice_version",
        "consent_at",
        "answered_at",
        "closed_at",
    ]
    readonly_fields = fields
    inlines = [ContactReplyInline]
    change_form_template = "team/admin/contactmessage_change_form.html"

    def has_add_permission(self, request):
        return False  # contact requests come only through the public form

    def has_change_permission(self, request, obj=None):
        # What the visitor sent is evidence: a single request is view-only; replying
        # and closing are their own views below (same permission).
        return obj is None and super().has_change_permission(request)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/antworten/",
                self.admin_site.admin_view(self.reply_view),
                name=f"{info[0]}_{info[1]}_reply",
            ),
            path(
                "<path:object_id>/erledigt/",
                self.admin_site.admin_view(self.close_view),
                name=f"{info[0]}_{info[1]}_close",
            ),
            *super().get_urls(),
        ]

    def _answerable_or_404(self, request, object_id) -> ContactMessage:
        if not (self.has_view_permission(request) and may_answer_contact_messages(request.user)):
            raise PermissionDenied
        message = self.get_object(request, unquote(object_id))
        if message is None:
            raise Http404(_("Diese Kontaktanfrage gibt es nicht."))
        return message

    def _change_url(self, message: ContactMessage) -> str:
        return reverse("admin:team_contactmessage_change", args=[message.pk])

    def reply_view(self, request, object_id):
        message = self._answerable_or_404(request, object_id)
        if message.status == ContactMessage.Status.CLOSED:
            self.message_user(
                request,
                _("Die Kontaktanfrage ist erledigt und kann nicht mehr beantwortet werden."),
                messages.ERROR,
            )
            return redirect(self._change_url(message))
        if request.method == "POST":
            form = ContactReplyForm(request.POST)
            if form.is_valid():
                try:
                    services.contact_reply_send(
                        message=message,
                        subject=form.cleaned_data["subject"],
                        body=form.cleaned_data["body"],
                        by=request.user,
                    )
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                else:
                    self.log_change(request, message, gettext("Antwort gesendet."))
                    self.message_user(
                        request,
                        gettext("Die Antwort an %(reference)s wird gesendet.")
                        % {"reference": message.reference},
                        messages.SUCCESS,
                    )
                    return redirect(self._change_url(message))
        else:
            form = ContactReplyForm(
                initial={"subject": services.contact_reply_subject_default(message=message)}
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Antwort auf %(reference)s") % {"reference": message.reference},
            "message_obj": message,
            "form": form,
            "change_url": self._change_url(message),
        }
        return TemplateResponse(request, "team/admin/contactmessage_reply.html", context)

    def close_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        message = self._answerable_or_404(request, object_id)
        services.contact_close(message=message)
        self.log_change(request, message, gettext("Als erledigt markiert."))
        self.message_user(
            request,
            gettext("Kontaktanfrage %(reference)s ist erledigt.")
            % {"reference": message.reference},
            messages.SUCCESS,
        )
        return redirect(reverse("admin:team_contactmessage_changelist"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        message = self.get_object(request, unquote(object_id))
        if message is not None and may_answer_contact_messages(request.user):
            extra_context["may_answer"] = message.status != ContactMessage.Status.CLOSED
            extra_context["reply_form"] = ContactReplyForm(
                initial={"subject": services.contact_reply_subject_default(message=message)}
            )
            extra_context["reply_url"] = reverse(
                "admin:team_contactmessage_reply", args=[message.pk]
            )
            extra_context["close_url"] = reverse(
                "admin:team_contactmessage_close", args=[message.pk]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        new = self.get_queryset(request).filter(status=ContactMessage.Status.NEW).count()
        title = ngettext(
            "Kontaktanfragen (%(count)d neu)", "Kontaktanfragen (%(count)d neu)", new
        ) % {"count": new}
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    @admin.action(description=_("Als erledigt markieren"), permissions=["change"])
    def close_selected(self, request, queryset):
        closed = 0
        for message in queryset.exclude(status=ContactMessage.Status.CLOSED):
            services.contact_close(message=message)
            self.log_change(request, message, gettext("Als erledigt markiert."))
            closed += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d Kontaktanfrage als erledigt markiert.",
                "%(count)d Kontaktanfragen als erledigt markiert.",
                closed,
            )
            % {"count": closed},
        )

    def delete_model(self, request, obj):
        services.contact_messages_delete(ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        services.contact_messages_delete(ids=list(queryset.values_list("pk", flat=True)))
