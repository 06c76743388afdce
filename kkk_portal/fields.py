"""Model fields: an image field with a better upload check than Django's own, and the
alternative text and focal point fields that go with every image field."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from PIL import Image

from .validators import too_many_pixels_error


class ImageFormField(forms.ImageField):
    """Django's image form field, naming the real reason for a refused huge image.

    Django opens every uploaded image with Pillow before any validator runs; for an
    image above twice Pillow's pixel limit (= IMAGE_MAX_PIXELS) that fails with
    DecompressionBombError, which Django reports as "not an image". Visitors get the
    same message as for any image over the limit instead.
    """

    def to_python(self, data):
        try:
            return super().to_python(data)
        except ValidationError as error:
            if isinstance(error.__cause__, Image.DecompressionBombError):
                raise too_many_pixels_error() from error
            raise


class ImageField(models.ImageField):
    """`models.ImageField` with ImageFormField in forms (the admin's included).

    `crop_ratio` (width, height) cuts the renditions to that aspect ratio around
    the focal point (kkk_portal.images); None keeps the whole image (logos).
    """

    def __init__(self, *args, crop_ratio: tuple[int, int] | None = None, **kwargs):
        self.crop_ratio = crop_ratio
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ImageFormField, **kwargs})

    def deconstruct(self):
        # Same column, same migrations: recorded as Django's ImageField (crop_ratio
        # only concerns the renditions, not the database).
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs


# --- The fields that go with every image field ----------------------------------
#
# Each image field `<name>` has `<name>_alt` (German alternative text, required as
# soon as an image is set: see `image_errors`), `<name>_alt_en` (optional; English
# pages fall back to the German text) and `<name>_focus_x` / `<name>_focus_y`: the
# focal point in percent of the width and height (0 = left/top, 100 = right/bottom),
# both empty for "the middle". Renditions are cropped around it (kkk_portal.images).

FOCUS_RANGE_MESSAGE = _("Der Fokuspunkt ist ein Prozentwert zwischen 0 und 100.")


def alt_field() -> models.CharField:
    return models.CharField(
        _("Bildbeschreibung (Alternativtext)"),
        max_length=255,
        blank=True,
        help_text=_(
            "Beschreibt in einem Satz, was auf dem Bild zu sehen ist, für Menschen, "
            "die es nicht sehen. Pflicht, sobald ein Bild hochgeladen ist."
        ),
    )


def alt_en_field() -> models.CharField:
    return models.CharField(
        _("Bildbeschreibung (Englisch)"),
        max_length=255,
        blank=True,
        help_text=_("Leer: Auf den englischen Seiten gilt die deutsche Beschreibung."),
    )


def focus_field(axis: str) -> models.PositiveSmallIntegerField:
    """One coordinate of the focal point, `axis` "x" (from the left) or "y" (from the top)."""
    label = _("Fokuspunkt von links (%)") if axis == "x" else _("Fokuspunkt von oben (%)")
    return models.PositiveSmallIntegerField(
        label,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(0, message=FOCUS_RANGE_MESSAGE),
            MaxValueValidator(100, message=FOCUS_RANGE_MESSAGE),
        ],
        help_text=_(
            "Der wichtigste Punkt des Bildes; Zuschnitte behalten ihn im Bild. Leer: die Bildmitte."
        ),
    )


class ImageCompanionsMixin:
    """Model mixin: the German errors of each image field's companions (`image_errors`).

    Checked in `clean_fields`, which knows the fields a form leaves out: a form
    without the description (the team list's "order" column) cannot show its
    error and does not ask for it.
    """

    def clean_fields(self, exclude=None) -> None:
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        excluded = set(exclude or ())
        for field in self._meta.concrete_fields:
            if not isinstance(field, models.ImageField) or not hasattr(self, f"{field.name}_alt"):
                continue
            for name, error in image_errors(self, field.name).items():
                if name not in excluded and name not in errors:
                    errors[name] = [error]
        if errors:
            raise ValidationError(errors)


def image_errors(instance: models.Model, name: str) -> dict[str, ValidationError]:
    """The German errors of one image field's companions, for a model's `clean()`."""
    errors: dict[str, ValidationError] = {}
    if getattr(instance, name) and not (getattr(instance, f"{name}_alt") or "").strip():
        errors[f"{name}_alt"] = ValidationError(
            _(
                "Bitte beschreiben Sie das Bild (Alternativtext); ohne Beschreibung bleibt es "
                "für Menschen, die es nicht sehen, unverständlich."
            ),
            code="alt_required",
        )
    x, y = getattr(instance, f"{name}_focus_x"), getattr(instance, f"{name}_focus_y")
    if (x is None) != (y is None):
        missing = f"{name}_focus_y" if y is None else f"{name}_focus_x"
        errors[missing] = ValidationError(
            _("Bitte beide Werte des Fokuspunkts angeben oder beide leer lassen."),
            code="focus_incomplete",
        )
    return errors
