"""Upload validation shared by every file and image field.

Files are checked by their content (magic bytes), not only by their name: a
renamed executable or HTML page is refused even when it is called `bericht.pdf`.
Images are also checked for their pixel count, from the header only (a small
file can declare a huge image that would fill the memory when decoded).
"""

import codecs
import os
import warnings
import zipfile
from collections.abc import Iterator
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from PIL import Image

IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
DOCUMENT_EXTENSIONS = ["pdf", "odt", "docx", "xlsx", "ods", "pptx", "odp", "txt"]

# File type (as recognised from the content) -> the names such a file may have.
TYPE_EXTENSIONS = {
    "PDF": {"pdf"},
    "PNG": {"png"},
    "JPEG": {"jpg", "jpeg"},
    "WebP": {"webp"},
    "DOCX": {"docx"},
    "XLSX": {"xlsx"},
    "PPTX": {"pptx"},
    "ODT": {"odt"},
    "ODS": {"ods"},
    "ODP": {"odp"},
    "TXT": {"txt"},
}
IMAGE_TYPES = {"PNG", "JPEG", "WebP"}
# Office Open XML: the part every file of that kind has.
OOXML_MAIN_PARTS = {
    "word/document.xml": "DOCX",
    "xl/workbook.xml": "XLSX",
    "ppt/presentation.xml": "PPTX",
}
# OpenDocument: the `mimetype` entry at the start of the archive.
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "ODT",
    b"application/vnd.oasis.opendocument.spreadsheet": "ODS",
    b"application/vnd.oasis.opendocument.presentation": "ODP",
}


def _chunks(handle: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    while chunk := handle.read(size):
        yield chunk


def _zip_type(handle: IO[bytes]) -> str | None:
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    with archive:
        names = set(archive.namelist())
        if "mimetype" in names:
            info = archive.getinfo("mimetype")
            if info.file_size <= 100:  # never inflate anything large
                return ODF_MIMETYPES.get(archive.read("mimetype").strip())
            return None
        if "[Content_Types].xml" in names:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024 or b"macroEnabled" in archive.read(info):
                return None  # documents with macros (.docm etc.) are not accepted
            for part, kind in OOXML_MAIN_PARTS.items():
                if part in names:
                    return kind
    return None


def _is_utf8_text(handle: IO[bytes]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in _chunks(handle):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_file_type(handle: IO[bytes]) -> str | None:
    """The type of an uploaded file from its first bytes (and, for archives, its index)."""
    handle.seek(0)
    head = handle.read(1024)
    handle.seek(0)
    try:
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "PNG"
        if head.startswith(b"\xff\xd8\xff"):
            return "JPEG"
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return "WebP"
        if b"%PDF-" in head:  # readers accept up to 1 KB before the header
            return "PDF"
        if head.startswith(b"PK\x03\x04"):
            return _zip_type(handle)
        if _is_utf8_text(handle):
            return "TXT"
        return None
    finally:
        handle.seek(0)


def image_pixels(handle: IO[bytes]) -> int | None:
    """Width × height from the image header, without decoding the image."""
    handle.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(handle) as image:  # lazy: reads the header only
                width, height = image.size
    except Image.DecompressionBombError:
        return None  # more than twice Pillow's limit (= IMAGE_MAX_PIXELS): too big
    finally:
        handle.seek(0)
    return width * height


def _megapixels(pixels: int) -> str:
    value = pixels / 1_000_000
    return number_format(int(value) if value.is_integer() else value)


def too_many_pixels_error() -> ValidationError:
    return ValidationError(
        _(
            "Das Bild hat zu viele Bildpunkte: erlaubt sind höchstens %(limit)s Megapixel. "
            "Bitte verkleinern Sie es (z. B. auf 3000 × 2000 Pixel) und laden Sie es erneut hoch."
        ),
        code="too_many_pixels",
        params={"limit": _megapixels(settings.IMAGE_MAX_PIXELS)},
    )


# Migrations record this validator as Django's FileExtensionValidator with the same
# arguments (it only adds checks when a file is uploaded), so using it changes no schema.
@deconstructible(path="django.core.validators.FileExtensionValidator")
class FileContentValidator(FileExtensionValidator):
    """The name's extension is allowed AND the content is a file of that type.

    Content is checked when a file is uploaded (not on every later save of the
    record, when the stored file was checked already). Images must not have more
    than IMAGE_MAX_PIXELS pixels.
    """

    def __call__(self, value) -> None:
        super().__call__(value)
        if getattr(value, "_committed", False):
            return  # a stored file, checked when it was uploaded
        handle = getattr(value, "file", value)
        kind = detect_file_type(handle)
        extension = os.path.splitext(value.name)[1][1:].lower()
        allowed = {
            kind
            for kind, extensions in TYPE_EXTENSIONS.items()
            if extensions & set(self.allowed_extensions)
        }
        if kind not in allowed:
            raise ValidationError(
                _(
                    "Der Inhalt der Datei ist keines der erlaubten Formate (%(formats)s). "
                    "Bitte speichern Sie die Datei in einem davon und laden Sie sie erneut hoch."
                ),
                code="invalid_file_content",
                params={"formats": ", ".join(sorted(allowed))},
            )
        if extension not in TYPE_EXTENSIONS[kind]:
            raise ValidationError(
                _(
                    "Die Dateiendung „.%(extension)s“ passt nicht zum Inhalt: "
                    "Die Datei ist eine %(kind)s-Datei."
                ),
                code="extension_mismatch",
                params={"extension": extension, "kind": kind},
            )
        if kind in IMAGE_TYPES:
            pixels = image_pixels(handle)
            if pixels is None or pixels > settings.IMAGE_MAX_PIXELS:
                raise too_many_pixels_error()


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
    FileContentValidator(IMAGE_EXTENSIONS),
    MaxFileSizeValidator(5 * 1024 * 1024),
]
document_validators = [
    FileContentValidator(DOCUMENT_EXTENSIONS),
    MaxFileSizeValidator(25 * 1024 * 1024),
]
