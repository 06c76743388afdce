"""The admin's image fields: alternative text beside the image, focal point by click.

Every image field `<name>` of public content comes with `<name>_alt`,
`<name>_alt_en` and `<name>_focus_x` / `<name>_focus_y` (kkk_portal.fields).
`ImageFieldsAdminMixin` shows them together: the upload field with a preview of
the image on which a click sets the focal point (static/js/focal-point.js, an
external script: the admin's CSP allows no inline script or style), and the two
focal point values as ordinary labelled number inputs in one row – the way to
set it with the keyboard, and without JavaScript. The preview itself also takes
the arrow keys once focused.

Images that are never cut (`crop_ratio=None`, funders' logos) get no focal
point in the admin.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

FOCUS_SUFFIXES = ("_focus_x", "_focus_y")


def focal_image_fields(model: type[models.Model]) -> list[str]:
    """The image fields of `model` whose renditions are cut around a focal point."""
    names = {field.name for field in model._meta.concrete_fields}
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.ImageField)
        and getattr(field, "crop_ratio", None)
        and all(f"{field.name}{suffix}" in names for suffix in FOCUS_SUFFIXES)
    ]


def uncut_focus_fields(model: type[models.Model]) -> list[str]:
    """Focal point fields of images that are never cut: not shown in the admin."""
    focal = set(focal_image_fields(model))
    return [
        f"{field.name}{suffix}"
        for field in model._meta.concrete_fields
        if isinstance(field, models.ImageField) and field.name not in focal
        for suffix in FOCUS_SUFFIXES
        if hasattr(model, f"{field.name}{suffix}")
    ]


class FocalPointImageInput(AdminFileWidget):
    """The admin's upload field plus a preview on which a click sets the focal point."""

    class Media:
        js = ["js/focal-point.js"]
        css = {"all": ["css/admin-focal-point.css"]}

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer=None) -> str:
        upload = super().render(name, value, attrs, renderer)
        field_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        url = value.url if value and getattr(value, "url", None) else ""
        return format_html(
            '{}<div class="focal-point" data-focal-file="{}" data-focal-x="{}" data-focal-y="{}" '
            'data-focal-status="{}">'
            '<p class="help" id="{}_focal_help">{}</p>'
            '<div class="focal-point-frame" tabindex="0" role="group" aria-label="{}" '
            'aria-describedby="{}_focal_help"{}>'
            '<img class="focal-point-image" src="{}" alt="{}">'
            '<span class="focal-point-marker" aria-hidden="true"></span></div>'
            '<p class="focal-point-status" aria-live="polite"></p></div>',
            upload,
            field_id,
            f"{field_id}_focus_x",
            f"{field_id}_focus_y",
            _("Fokuspunkt gesetzt: {x} % von links, {y} % von oben."),
            field_id,
            _(
                "Fokuspunkt: Klicken Sie in die Vorschau auf den wichtigsten Punkt des Bildes "
                "oder tragen Sie unten die beiden Prozentwerte ein. Mit der Tastatur: Vorschau "
                "auswählen und mit den Pfeiltasten verschieben (mit Umschalt in 1-%-Schritten). "
                "Zuschnitte des Bildes behalten diesen Punkt im Bild."
            ),
            _("Vorschau zum Setzen des Fokuspunkts"),
            field_id,
            "" if url else mark_safe(" hidden"),
            url,
            _("Vorschau des Bildes"),
        )


class FocusInput(forms.NumberInput):
    """One focal point value: a plain number input (0–100), usable without the preview."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(
            {"min": 0, "max": 100, "step": 1, "class": "focal-point-input", **(attrs or {})}
        )


class ImageFieldsAdminMixin:
    """Preview with focal point for each cut image field; the two values in one row."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        model = self.model
        focal = focal_image_fields(model)
        if db_field.name in focal:
            kwargs["widget"] = FocalPointImageInput
        elif any(db_field.name == f"{name}{suffix}" for name in focal for suffix in FOCUS_SUFFIXES):
            kwargs["widget"] = FocusInput
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        return exclude + [name for name in uncut_focus_fields(self.model) if name not in exclude]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        pairs = {f"{name}_focus_x": f"{name}_focus_y" for name in focal_image_fields(self.model)}
        result = []
        for title, options in fieldsets:
            rows = list(options["fields"])
            for x, y in pairs.items():
                if x in rows and y in rows:
                    rows.remove(y)
                    rows[rows.index(x)] = (x, y)
            result.append((title, {**options, "fields": rows}))
        return result
