"""Model fields with a better upload check than Django's own."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
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
    """`models.ImageField` with ImageFormField in forms (the admin's included)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ImageFormField, **kwargs})

    def deconstruct(self):
        # Same column, same migrations: recorded as Django's ImageField.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs
