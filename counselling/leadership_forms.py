"""The funder report's choice of programme and period."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import Funding

from . import reports

DATE_ERRORS = {
    "required": _("Bitte geben Sie ein Datum an."),
    "invalid": _("Bitte geben Sie ein gültiges Datum an, z. B. 31.12.2026."),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class FunderReportForm(forms.Form):
    """Read from the query string, so a report has an address one can bookmark or print."""

    programme = forms.ChoiceField(
        label=_("Förderprogramm"),
        help_text=_(
            "Fördermittelgeber und Programm der Projekte, über die Fälle finanziert werden."
        ),
        error_messages={
            "required": _("Bitte wählen Sie ein Förderprogramm."),
            "invalid_choice": _("Bitte wählen Sie eines der angebotenen Förderprogramme."),
        },
    )
    date_from = forms.DateField(label=_("von"), widget=DateInput(), error_messages=DATE_ERRORS)
    date_to = forms.DateField(label=_("bis"), widget=DateInput(), error_messages=DATE_ERRORS)

    field_order = ["programme", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", "---------"), *reports.programme_choices()]

    @staticmethod
    def default_initial(today=None):
        """The current calendar year."""
        today = today or timezone.localdate()
        return {
            "date_from": datetime.date(today.year, 1, 1),
            "date_to": datetime.date(today.year, 12, 31),
        }

    def clean_programme(self):
        try:
            return Funding.objects.select_related("funder").get(pk=self.cleaned_data["programme"])
        except (Funding.DoesNotExist, ValueError) as error:
            raise forms.ValidationError(
                self.fields["programme"].error_messages["invalid_choice"], code="invalid_choice"
            ) from error

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error(
                "date_to", _("Das Ende des Zeitraums darf nicht vor seinem Beginn liegen.")
            )
        return cleaned
