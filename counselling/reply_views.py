"""The "Antwort schreiben" page: a reply to the requester of a case, from a template.

Mounted inside the admin by `CaseAdmin.get_urls` (`reply_urls`). Works without
JavaScript: choosing a template is a GET form that fills subject and text, the
counsellor edits them, sending is a POST that queues the mail
(`services.case_reply_send`). Only people who may change the case get here; for
anyone else the case does not exist (404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import replies, services
from .models import Case, CaseAccessLog, ReplyTemplate

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin


class TemplateChoiceForm(forms.Form):
    vorlage = forms.ModelChoiceField(
        queryset=ReplyTemplate.objects.filter(is_active=True),
        label=gettext_lazy("Vorlage"),
        empty_label=gettext_lazy("– ohne Vorlage –"),
        required=False,
    )


class ReplyForm(forms.Form):
    subject = forms.CharField(
        label=gettext_lazy("Betreff"),
        max_length=200,
        help_text=gettext_lazy("Die Eingangsnummer wird angehängt, falls sie fehlt."),
        widget=forms.TextInput(attrs={"class": "vTextField"}),
    )
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=20000,
        help_text=gettext_lazy(
            "Bitte prüfen und ergänzen Sie den Text, z. B. Platzhalter in eckigen Klammern."
        ),
        widget=forms.Textarea(attrs={"rows": 20, "cols": 80, "class": "vLargeTextField"}),
    )


def reply_urls(model_admin: ModelAdmin) -> list:
    """The URL of the compose page, for `CaseAdmin.get_urls` (before the admin's own)."""

    def view(request: HttpRequest, object_id: str) -> HttpResponse:
        return case_reply(request, model_admin=model_admin, object_id=object_id)

    return [
        path(
            "<path:object_id>/antwort/",
            model_admin.admin_site.admin_view(view),
            name="counselling_case_reply",
        )
    ]


def _case_or_404(request: HttpRequest, *, model_admin: ModelAdmin, object_id: str) -> Case:
    case = model_admin.get_object(request, unquote(object_id))
    # Not there, not visible or not changeable: the same answer, nothing leaks.
    if (
        case is None
        or not model_admin.has_change_permission(request, case)
        or not request.user.has_perm("counselling.change_case", case)
    ):
        raise Http404(_("Diesen Fall gibt es nicht oder Sie dürfen ihn nicht sehen."))
    return case


def case_reply(request: HttpRequest, *, model_admin: ModelAdmin, object_id: str) -> HttpResponse:
    case = _case_or_404(request, model_admin=model_admin, object_id=object_id)
    case_url = reverse("admin:counselling_case_change", args=[case.pk])
    refusal = services.case_reply_refusal(case=case)
    chooser = TemplateChoiceForm(request.GET or None)
    language = replies.reply_language(case)
    form = None
    status = 200
    if refusal is None:
        if request.method == "POST":
            form = ReplyForm(request.POST)
            if form.is_valid():
                try:
                    message = services.case_reply_send(
                        case=case,
                        subject=form.cleaned_data["subject"],
                        body=form.cleaned_data["body"],
                        by=request.user,
                    )
                except PermissionDenied as error:
                    raise Http404 from error
                except ValidationError as error:
                    if hasattr(error, "error_dict"):
                        for field, field_errors in error.error_dict.items():
                            form.add_error(field if field in form.fields else None, field_errors)
                    else:
                        form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        _("Die Antwort „%(subject)s“ ist versandbereit und geht gleich hinaus.")
                        % {"subject": message.subject},
                    )
                    return HttpResponseRedirect(case_url)
            status = 400
        else:
            initial = {}
            if chooser.is_valid() and chooser.cleaned_data["vorlage"]:
                subject, body, language = replies.template_text(
                    template=chooser.cleaned_data["vorlage"], case=case, counsellor=request.user
                )
                initial = {"subject": subject, "body": body}
            form = ReplyForm(initial=initial)
        if request.method == "GET":
            # The page shows the requester's name and address: logged like opening the case.
            services.case_access_log(
                case=case,
                user=request.user,
                via=CaseAccessLog.Via.ADMIN,
                detail=_("Antwort schreiben"),
            )
    elif request.method == "POST":
        status = 409
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Case._meta,
        "original": case,
        "case_url": case_url,
        "title": _("Antwort an die Anfragenden"),
        "subtitle": case.reference,
        "refusal": refusal,
        "chooser": chooser,
        "has_templates": ReplyTemplate.objects.filter(is_active=True).exists(),
        "form": form,
        "recipient": case.request.email if refusal is None else "",
        "contact_name": case.request.contact_name if refusal is None else "",
        "language": language,
    }
    return render(request, "admin/counselling/case/reply_form.html", context, status=status)
