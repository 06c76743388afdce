import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kkk_portal.forms import VisitorFormMixin, consent_field, honeypot_field

from .models import Case, CounsellingRequest, Topic

SITUATION_MAX = 5000
PHONE_RE = re.compile(r"^[0-9+()/\-. ]{3,50}$")


class TopicChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        from kkk_portal.translation import translated_text

        return translated_text(obj, "name")


class CounsellingRequestForm(VisitorFormMixin, forms.ModelForm):
    """The public request form. Consent and the honeypot are form-only fields.

    Laid out in templates/counselling/request_form.html (fieldsets, the character
    counter), each field written by `{% form_field %}` (kkk_portal/templatetags/form_fields.py).
    """

    topics = TopicChoiceField(
        label=_("Themen"),
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Wählen Sie alles aus, was passt."),
    )
    consent = consent_field(
        required_message=_(
            "Bitte stimmen Sie den Datenschutzhinweisen zu, damit wir antworten können."
        )
    )
    website = honeypot_field()

    class Meta:
        model = CounsellingRequest
        fields = [
            "institution",
            "body_kind",
            "state",
            "contact_name",
            "contact_role",
            "email",
            "phone",
            "contact_preference",
            "topics",
            "situation",
            "conflict_type",
            "involved",
            "urgency",
            "heard_from",
        ]
        labels = {
            "institution": _("Name der Kommune oder Institution"),
            "situation": _("Beschreibung der Situation"),
            "conflict_type": _("Konfliktlage"),
            "involved": _("Beteiligte"),
            "urgency": _("Dringlichkeit"),
            "heard_from": _("Aufmerksam geworden durch"),
        }
        help_texts = {
            "institution": _("Zum Beispiel „Gemeinde Musterdorf“ oder „Landkreis Beispielkreis“."),
            "contact_role": _("Zum Beispiel Bürgermeisterin, Amtsleiter, Vereinsvorstand."),
            "phone": _("Freiwillig. Nur nötig, wenn wir Sie anrufen sollen."),
            "situation": _(
                "Was ist passiert? Beschreiben Sie kurz, worum es geht. Höchstens 5.000 Zeichen. "
                "Bitte nennen Sie keine Namen von Privatpersonen."
            ),
            "conflict_type": _("Akut: Der Konflikt ist offen ausgebrochen. Latent: Er schwelt."),
            "involved": _(
                "Wer ist beteiligt? Gruppen oder Funktionen, zum Beispiel Gemeinderat, "
                "Bürgerinitiative."
            ),
            "heard_from": _("Freiwillig. Zum Beispiel Empfehlung, Veranstaltung, Presse."),
        }
        widgets = {
            "situation": forms.Textarea(attrs={"rows": 8, "maxlength": SITUATION_MAX}),
            "involved": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
            "contact_preference": forms.RadioSelect,
            "conflict_type": forms.RadioSelect,
            "urgency": forms.RadioSelect,
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "contact_role": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "institution": forms.TextInput(attrs={"autocomplete": "organization"}),
        }
        error_messages = {
            "institution": {"required": _("Bitte nennen Sie Ihre Kommune oder Institution.")},
            "body_kind": {"required": _("Bitte wählen Sie die Art der Körperschaft.")},
            "state": {"required": _("Bitte wählen Sie ein Bundesland.")},
            "contact_name": {"required": _("Bitte nennen Sie eine Ansprechperson.")},
            "email": {
                "required": _("Bitte geben Sie eine E-Mail-Adresse an."),
                "invalid": _(
                    "Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@gemeinde.de."
                ),
            },
            "situation": {"required": _("Bitte beschreiben Sie kurz die Situation.")},
            "contact_preference": {
                "required": _("Bitte wählen Sie, wie wir Sie erreichen sollen.")
            },
            "conflict_type": {
                "required": _("Bitte wählen Sie, ob der Konflikt akut oder latent ist.")
            },
            "urgency": {"required": _("Bitte wählen Sie, wie dringend es ist.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.filter(is_active=True)
        for name in ["body_kind", "state"]:
            self.fields[name].choices = [("", _("Bitte wählen"))] + [
                c for c in self.fields[name].choices if c[0]
            ]
        for name in ["contact_preference", "conflict_type", "urgency"]:
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0]]
        self.fields["situation"].max_length = SITUATION_MAX
        self.fields["situation"].error_messages["max_length"] = _(
            "Bitte kürzen Sie den Text auf höchstens 5.000 Zeichen (jetzt: %(show_value)d)."
        )

    def clean_email(self):
        email = self.cleaned_data["email"]
        if any(c in email for c in "\r\n"):
            raise ValidationError(_("Die E-Mail-Adresse darf keinen Zeilenumbruch enthalten."))
        return email

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_RE.match(phone):
            raise ValidationError(
                _("Bitte geben Sie nur Ziffern, Leerzeichen und + ( ) / - an, z. B. 0345 123456.")
            )
        return phone

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact_preference") == CounsellingRequest.ContactPreference.PHONE and (
            not cleaned.get("phone") and "phone" not in self.errors
        ):
            self.add_error(
                "phone", _("Bitte geben Sie eine Telefonnummer an, wenn wir anrufen sollen.")
            )
        return cleaned

    def submission_data(self):
        """The cleaned fields the service stores (no topics, consent or honeypot)."""
        skip = {"topics", "consent", "website"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class CaseAdminForm(forms.ModelForm):
    """Case form in the admin: the status may only move along the workflow.

    The list offers the next steps only; whether a step is allowed is decided by
    `services.case_status_check`, the one place the workflow is checked.
    """

    class Meta:
        model = Case
        fields = [
            "title",
            "municipality",
            "state",
            "body_kind",
            "topics",
            "conflict_type",
            "status",
            "lead_counsellor",
            "counsellors",
            "project",
            "start_date",
            "end_date",
            "outcome",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            if self.instance.pk:
                allowed = [self.instance.status, *self.instance.allowed_next_statuses()]
                self.fields["status"].help_text = _(
                    "Möglich sind nur die nächsten Schritte des Ablaufs oder „Abgelehnt“."
                )
                # Every status is a valid value; clean_status asks the workflow.
                self.fields["status"].widget.choices = [
                    (value, label) for value, label in Case.Status.choices if value in allowed
                ]
            else:
                allowed = [Case.Status.REQUEST, Case.Status.FIRST_TALK]
                self.fields["status"].choices = [
                    (value, label) for value, label in Case.Status.choices if value in allowed
                ]

    def clean_status(self):
        from . import services

        status = self.cleaned_data["status"]
        if self.instance.pk:
            services.case_status_check(case=self.instance, status=status)
        return status
