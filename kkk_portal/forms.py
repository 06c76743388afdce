from django import forms
from django.utils.translation import gettext_lazy as _

from .search import MAX_QUERY_LENGTH, SECTIONS


def consent_field(*, required_message: str) -> forms.BooleanField:
    """The privacy-notice checkbox of the forms visitors send (request, contact, registration)."""
    return forms.BooleanField(
        label=_("Ich habe die Datenschutzhinweise gelesen und bin einverstanden."),
        error_messages={"required": required_message},
    )


def honeypot_field() -> forms.CharField:
    """A field people never fill: hidden by CSS (class "hp-field"), skipped by keyboard
    and autofill. A form that arrives with it filled came from a bot (`is_bot`)."""
    return forms.CharField(
        label=_("Bitte leer lassen"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class VisitorFormMixin:
    """`is_bot` for forms with a `honeypot_field()` named "website"."""

    data: dict

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Suchbegriff"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        error_messages={
            "max_length": _("Bitte geben Sie höchstens %(limit_value)d Zeichen ein."),
            "null_characters_not_allowed": _("Der Suchbegriff enthält unzulässige Zeichen."),
        },
    )
    bereich = forms.ChoiceField(
        label=_("Bereich"),
        required=False,
        error_messages={"invalid_choice": _("Diesen Bereich gibt es nicht.")},
        choices=[("", _("alle Bereiche")), *((s.key, s.label) for s in SECTIONS)],
    )
