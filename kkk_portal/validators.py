"""Upload validation shared by every file and image field."""

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
DOCUMENT_EXTENSIONS = ["pdf", "odt", "docx", "xlsx", "ods", "pptx", "odp", "txt"]


@deconstructible
class MaxFileSizeValidator:
    message = _("Die Datei ist %(size)s groß; erlaubt sind höchstens %(limit)s.")
    code = "file_too_large"

    def __init__(self, limit_bytes):
        self.limit_bytes = limit_bytes

    def __call__(self, value):
        if value.size > self.limit_bytes:
            raise ValidationError(
                self.message,
                code=self.code,
                params={
                    "size": filesizeformat(value.size),
                    "limit": filesizeformat(self.limit_bytes),
                },
            )

    def __eq__(self, other):
        return isinstance(other, MaxFileSizeValidator) and self.limit_bytes == other.limit_bytes


image_validators = [
    FileExtensionValidator(IMAGE_EXTENSIONS),
    MaxFileSizeValidator(5 * 1024 * 1024),
]
document_validators = [
    FileExtensionValidator(DOCUMENT_EXTENSIONS),
    MaxFileSizeValidator(25 * 1024 * 1024),
]
