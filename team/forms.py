"""The public contact form and the admin's reply form."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kkk_portal.forms import VisitorFormMixin, consent_field, honeypot_field

from .models import CONTACT_MESSAGE_MAX, ContactMessage
from .services import REPLY_BODY_MAX, REPLY_SUBJECT_MAX


class ContactForm(VisitorFormMixin, forms.ModelForm):
    """Name, email, organisation, topic and message; consent and honeypot are form-only.

    Laid out in templates/team/_contact_form.html (fieldsets, the hint beside the topic,
    the character counter), each field written by `{% form_field %}`.
    """

    consent = consent_field(
        required_message=_(
            "Bitte stimmen Sie den Datenschutzhinweisen zu, damit wir antworten können."
        )
    )
    website = honeypot_field()

    class Meta:
        model = ContactMessage
        fields = ["name", "email", "organisation", "topic", "message"]
        labels = {
            "name": _("Ihr Name"),
            "organisation": _("Organisation"),
            "topic": _("Worum geht es?"),
            "message": _("Ihre Nachricht"),
        }
        help_texts = {
            "organisation": _("Freiwillig. Zum Beispiel Redaktion, Verein oder Hochschule."),
            "message": _("Höchstens 5.000 Zeichen."),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "topic": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 8, "maxlength": CONTACT_MESSAGE_MAX}),
        }
        error_messages = {
            "name": {
                "required": _("Bitte nennen Sie Ihren Namen."),
                "max_length": _(
                    "Bitte kürzen Sie die Angabe auf höchstens %(limit_value)d Zeichen."
                ),
            },
            "organisation": {
                "max_length": _(
                    "Bitte kürzen Sie die Angabe auf höchstens %(limit_value)d Zeichen."
                )
            },
            "email": {
                "required": _("Bitte geben Sie eine E-Mail-Adresse an."),
                "invalid": _(
                    "Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@beispiel.de."
                ),
            },
            "topic": {
                "required": _("Bitte wählen Sie ein Thema."),
                "invalid_choice": _("Bitte wählen Sie eines der angebotenen Themen."),
            },
            "message": {"required": _("Bitte schreiben Sie uns Ihre Nachricht.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [c for c in self.fields["topic"].choices if c[0]]
        self.fields["message"].max_length = CONTACT_MESSAGE_MAX
        self.fields["message"].error_messages["max_length"] = _(
            "Bitte kürzen Sie den Text auf höchstens 5.000 Zeichen (jetzt: %(show_value)d)."
        )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Bitte nennen Sie Ihren Namen."))
        return name

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if any(c in email for c in "\r\n"):
            raise ValidationError(_("Die E-Mail-Adresse darf keinen Zeilenumbruch enthalten."))
        return email

    def clean_organisation(self) -> str:
        return " ".join(self.cleaned_data["organisation"].split())

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise ValidationError(_("Bitte schreiben Sie uns Ihre Nachricht."))
        return message

    def submission_data(self) -> dict[str, Any]:
        """The cleaned fields the service stores (no consent or honeypot)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ContactReplyForm(forms.Form):
    """The reply written in the admin; `services.contact_reply_send` queues it."""

    subject = forms.CharField(
        label=_("Betreff"),
        max_length=REPLY_SUBJECT_MAX,
        error_messages={"required": _("Bitte geben Sie einen Betreff an.")},
        widget=forms.TextInput(attrs={"class": "vTextField"}),
    )
    body = forms.CharField(
        label=_("Antwort"),
        max_length=REPLY_BODY_MAX,
        help_text=_(
            "Die E-Mail geht an die Absenderin oder den Absender und endet mit der "
            "Eingangsnummer. Der gesendete Text bleibt bei der Kontaktanfrage gespeichert."
        ),
        error_messages={"required": _("Bitte schreiben Sie eine Antwort.")},
        widget=forms.Textarea(attrs={"rows": 12, "class": "vLargeTextField"}),
    )
