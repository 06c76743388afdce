from django import forms
from django.utils.translation import gettext_lazy as _

from .search import MAX_QUERY_LENGTH, SECTIONS


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
