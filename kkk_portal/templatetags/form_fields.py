"""`{% form_field %}`: one field of a public form, in one template pass.

The markup is the one crispy-forms' Bootstrap 5 pack gives a field (label with the
required marker, the widget with `form-control`/`form-select`/`form-check-input` and
`is-invalid`, the errors and the help text with the ids `aria-describedby` points to,
radio buttons and checkbox lists in a fieldset with a legend), so the forms look as
before. crispy-forms renders a field through a chain of templates (field, help text
and errors, attributes, one template per option), which took about two thirds of the
request form's rendering time; here Python prepares the attributes and options and
one cached template (templates/forms/field.html) writes them out.

    {% load form_fields %}
    {% form_field form.email %}
    {% form_field form.situation describedby="situation-counter" %}
    {% form_field filter.form.kind block_errors=True %}

`describedby` adds ids of hints outside the field to its `aria-describedby` (beside
the help text and the errors). `block_errors` writes each error as a paragraph (as
crispy's `|as_crispy_field` does) instead of a span.

`{% unbound_form form %}…{% end_unbound_form %}` keeps the markup of an empty form:

    {% unbound_form form %}{% form_field form.name %}…{% end_unbound_form %}

An unbound form's fields look the same for every visitor: their markup depends only on
the language, the fields and the choices offered (a topic list an editor changes).
So it is kept per process, keyed by these, and written again only for a bound form (values and
errors) or when the language or a choice differs. Nothing inside the block may
depend on the request (the CSRF token stays outside it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django import forms, template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# Written as a fieldset of options (CheckboxSelectMultiple is a RadioSelect) or a <select>.
CHOICE_WIDGETS = (forms.RadioSelect,)
SELECT_WIDGETS = (forms.Select,)


def flatatt(attrs: dict[str, Any]) -> SafeString:
    """The attributes as Django's django/forms/widgets/attrs.html writes them: in their
    order, `True` as a bare name, `False` (and `None`) left out."""
    return mark_safe(  # noqa: S308 - names are ours, values escaped
        "".join(
            f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
            for name, value in attrs.items()
            if value is not False and value is not None
        )
    )


def _css_class(widget: forms.Widget, bootstrap_class: str, invalid: bool) -> str:
    """crispy-forms' classes: the widget's own, its class name, Bootstrap's, is-invalid."""
    name = widget.__class__.__name__.lower()
    own = widget.attrs.get("class", "")
    classes = f"{own} {name}" if own and name not in own else own or name
    classes += f" {bootstrap_class}"
    return f"{classes} is-invalid" if invalid else classes


def _described_by(field: forms.BoundField, extra: str) -> str:
    """Help text, hints outside the field, then errors: what a screen reader reads out."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    ids += extra.split()
    ids += field.field.widget.attrs.get("aria-describedby", "").split()
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(dict.fromkeys(ids))


def _options(field: forms.BoundField, attrs: dict[str, Any]) -> list[dict[str, Any]]:
    """The options of a choice widget as (group, [option]) with their attributes written out."""
    widget = field.field.widget
    value = widget.format_value(field.value())
    groups = []
    for group, options, _index in widget.optgroups(field.html_name, value, attrs):
        groups.append(
            {
                "name": group,
                "options": [
                    {
                        "value": str(option["value"]),
                        "label": option["label"],
                        "type": option.get("type"),
                        "id": option["attrs"].get("id", ""),
                        "attrs": flatatt(option["attrs"]),
                    }
                    for option in options
                ],
            }
        )
    return groups


@register.inclusion_tag("forms/field.html")
def form_field(
    field: forms.BoundField, describedby: str = "", block_errors: bool = False
) -> dict[str, Any]:
    widget = field.field.widget
    auto_id = field.auto_id
    invalid = bool(field.errors)
    context: dict[str, Any] = {
        "field": field,
        "id": auto_id,
        "label": field.label,
        "required": field.field.required,
        "errors": field.errors,
        "help": field.help_text,
        "block_errors": block_errors,
    }
    if widget.is_hidden:
        context["kind"] = "hidden"
        return context
    described = _described_by(field, describedby)
    if isinstance(widget, CHOICE_WIDGETS):
        context["kind"] = "choices"
        context["described"] = described
        context["option_class"] = "form-check-input is-invalid" if invalid else "form-check-input"
        context["groups"] = _options(field, field.build_widget_attrs({"id": auto_id}))
        return context
    attrs: dict[str, Any] = {"id": auto_id} if auto_id else {}
    if described:
        attrs["aria-describedby"] = described
    if isinstance(widget, SELECT_WIDGETS):
        attrs["class"] = _css_class(widget, "form-select", invalid)
        attrs = widget.build_attrs(widget.attrs, field.build_widget_attrs(attrs))
        context["kind"] = "select"
        context["attrs"] = flatatt(
            {"name": field.html_name, **attrs, "multiple": widget.allow_multiple_selected}
        )
        context["groups"] = _options(field, {})
        return context
    checkbox = isinstance(widget, forms.CheckboxInput)
    attrs["class"] = _css_class(widget, "form-check-input" if checkbox else "form-control", invalid)
    context["kind"] = "checkbox" if checkbox else "input"
    context["widget"] = _widget_html(field, attrs)
    return context


# Django's widget templates that are one element: written here as they write it.
INPUT_TEMPLATE = "django/forms/widgets/input.html"
INPUT_TEMPLATES = {
    INPUT_TEMPLATE,
    *(
        f"django/forms/widgets/{name}.html"
        for name in ("text", "email", "url", "number", "password", "search", "tel", "checkbox")
    ),
}
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"


def _widget_html(field: forms.BoundField, attrs: dict[str, Any]) -> str:
    """The widget as Django's own template writes it, without the template round trip
    (input.html and attrs.html) for plain inputs and text areas."""
    widget = field.field.widget
    if widget.template_name not in INPUT_TEMPLATES | {TEXTAREA_TEMPLATE}:
        return field.as_widget(attrs=attrs)
    attrs = field.build_widget_attrs(attrs)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    data = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    if widget.template_name == TEXTAREA_TEMPLATE:
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            data["name"],
            flatatt(data["attrs"]),
            data["value"] or "",
        )
    value = data["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        data["type"],
        data["name"],
        format_html(' value="{}"', value) if value is not None else "",
        flatatt(data["attrs"]),
    )


def unbound_key(form: forms.BaseForm) -> tuple:
    """What an unbound form's markup depends on besides the code and the language: its
    fields (a registration form asks only what the event's organisers chose), their
    initial values and every choice offered."""
    return (
        type(form),
        form.prefix,
        tuple(form.fields),
        repr(form.initial),
        tuple(
            (name, tuple((str(value), str(label)) for value, label in field.choices))
            for name, field in form.fields.items()
            if hasattr(field, "choices")
        ),
    )


class UnboundFormNode(template.Node):
    """Renders its block once per language and choice set for unbound forms (see above)."""

    MAX_ENTRIES = 16  # languages x topic lists a process has seen lately

    def __init__(self, nodelist: template.NodeList, form: template.base.FilterExpression):
        self.nodelist = nodelist
        self.form = form
        self.lock = threading.Lock()
        self.kept: OrderedDict[tuple, SafeString] = OrderedDict()

    def render(self, context: template.Context) -> str:
        form = self.form.resolve(context)
        if form.is_bound:
            return self.nodelist.render(context)
        key = (get_language(), unbound_key(form))
        with self.lock:
            html = self.kept.get(key)
            if html is not None:
                self.kept.move_to_end(key)
                return html
        html = mark_safe(self.nodelist.render(context))  # noqa: S308 - rendered template
        with self.lock:
            self.kept[key] = html
            while len(self.kept) > self.MAX_ENTRIES:
                self.kept.popitem(last=False)
        return html


@register.tag
def unbound_form(parser: template.base.Parser, token: template.base.Token) -> UnboundFormNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% unbound_form form %} takes one argument")
    nodelist = parser.parse(("end_unbound_form",))
    parser.delete_first_token()
    return UnboundFormNode(nodelist, parser.compile_filter(bits[1]))
