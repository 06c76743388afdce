"""The fields of a GET filter form, written out in Python in the markup crispy-forms'
Bootstrap 5 pack gives them (`div.mb-3 > label.form-label + select.form-select |
input.form-control + div.form-text`).

A template per field, and a loop over every option in the template language, cost the
filtered project list most of its time (issue 11); the same markup built with
`format_html` costs a fraction of that. No errors are shown at a field: a filter value
that cannot be used is dropped with a note above the results.
"""

from collections.abc import Iterable, Sequence

from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def _options(choices: Iterable[tuple[object, object]], current: str) -> SafeString:
    return format_html_join(
        "",
        '\n    <option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == current else "", label)
            for value, label in choices
        ),
    )


def filter_field_html(
    field: BoundField,
    *,
    value: str | None = None,
    suggestions: Sequence[str] | None = None,
) -> SafeString:
    """One field: `value` overrides the value shown in a text field, `suggestions` (a list,
    maybe empty) makes it a field with a <datalist>."""
    widget = field.field.widget
    field_id = field.auto_id
    help_text = field.help_text
    described = format_html(' aria-describedby="{}_helptext"', field_id) if help_text else ""
    input_type = getattr(widget, "input_type", None)
    if input_type == "select":
        current = field.value()
        control = format_html(
            '<select name="{}" class="select form-select" id="{}"{}>{}\n  </select>',
            field.html_name,
            field_id,
            described,
            _options(field.field.choices, "" if current is None else str(current)),
        )
    else:
        shown = field.value() if value is None else value
        control = format_html(
            '<input type="{}" name="{}"{}{} class="textinput form-control" id="{}"{}{}>{}',
            input_type,
            field.html_name,
            format_html(' value="{}"', shown) if shown else "",
            format_html(' maxlength="{}"', field.field.max_length)
            if getattr(field.field, "max_length", None)
            else "",
            field_id,
            described,
            format_html(' list="{}_suggestions" autocomplete="off"', field_id)
            if suggestions is not None
            else "",
            format_html(
                '\n  <datalist id="{}_suggestions">{}</datalist>',
                field_id,
                format_html_join("", '<option value="{}"></option>', ((s,) for s in suggestions)),
            )
            if suggestions
            else "",
        )
    return format_html(
        '<div id="div_{}" class="mb-3">\n  <label for="{}" class="form-label">{}</label>\n'
        "  {}\n  {}\n</div>",
        field_id,
        field_id,
        field.label,
        control,
        format_html('<div id="{}_helptext" class="form-text">{}</div>', field_id, help_text)
        if help_text
        else "",
    )
