"""The public registration form and the staff's message to all participants."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kkk_portal.forms import VisitorFormMixin, consent_field, honeypot_field

from .models import Event, Registration


class RegistrationForm(VisitorFormMixin, forms.ModelForm):
    """Name, email and the questions the organisers chose; consent and a honeypot.

    Laid out in templates/publications/_registration.html, each field written by
    `{% form_field %}` (kkk_portal/templatetags/form_fields.py).
    """

    consent = consent_field(
        required_message=_(
            "Bitte stimmen Sie den Datenschutzhinweisen zu, damit wir Sie anmelden können."
        )
    )
    website = honeypot_field()

    class Meta:
        model = Registration
        fields = ["name", "email", "organisation", "accessibility_needs"]
        help_texts = {
            "organisation": _("Freiwillig. Zum Beispiel Ihre Kommune, Verwaltung oder Ihr Verein."),
            "accessibility_needs": _(
                "Freiwillig. Was brauchen Sie, um gut teilnehmen zu können? Zum Beispiel "
                "Gebärdensprachdolmetschung, Untertitel, stufenloser Zugang."
            ),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "accessibility_needs": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        }
        error_messages = {
            "name": {"required": _("Bitte nennen Sie Ihren Namen.")},
            "email": {
                "required": _("Bitte geben Sie eine E-Mail-Adresse an."),
                "invalid": _(
                    "Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@gemeinde.de."
                ),
            },
        }

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        if not event.ask_organisation:
            del self.fields["organisation"]
        if not event.ask_accessibility:
            del self.fields["accessibility_needs"]
        else:
            self.fields["accessibility_needs"].max_length = 1000
            self.fields["accessibility_needs"].error_messages["max_length"] = _(
                "Bitte kürzen Sie den Text auf höchstens 1.000 Zeichen."
            )

    def clean_email(self):
        email = self.cleaned_data["email"]
        if any(c in email for c in "\r\n"):
            raise ValidationError(_("Die E-Mail-Adresse darf keinen Zeilenumbruch enthalten."))
        return email

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if any(c in name for c in "\r\n"):
            raise ValidationError(_("Der Name darf keinen Zeilenumbruch enthalten."))
        return name

    def _post_clean(self):
        # The uniqueness of the address is the service's business (it answers by mail,
        # so the form does not reveal who is registered); skip the model's checks here.
        pass

    def submission_data(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(name, "") or ""
            for name in ["name", "email", "organisation", "accessibility_needs"]
        }


class MessageAllForm(forms.Form):
    subject = forms.CharField(label=_("Betreff"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=10000,
        help_text=_(
            "Geht an alle bestätigten Teilnehmenden, jede Mail mit dem Link zur Abmeldung. "
            "Der Zugangslink einer Online-Veranstaltung wird nicht automatisch eingefügt."
        ),
    )

    def clean_subject(self):
        subject = self.cleaned_data["subject"].strip()
        if any(c in subject for c in "\r\n"):
            raise ValidationError(_("Der Betreff muss eine Zeile sein."))
        return subject
