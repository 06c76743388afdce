"""File storages: local folders by default, S3-compatible object storage when configured.

Two storages matter:

- ``default`` – public media (images, publications, thumbnails). Served under the
  site's own origin at ``MEDIA_URL`` (``/media/``): by the reverse proxy from
  ``MEDIA_ROOT``, or, with S3, by the proxy forwarding ``/media/`` to the public
  bucket. ``url()`` therefore never returns a bucket address or an expiring
  signed URL, so the strict CSP, the no-third-party rule and cached pages keep
  working.
- ``private`` – case documents. Never served directly: they have no URL at all
  and are streamed only through ``counselling:document``, which checks the
  permission and writes the access log.

`kkk_portal/settings/base.py` picks the backends: these S3 classes when
``S3_BUCKET`` is set, the local ones otherwise.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.encoding import filepath_to_uri
from django.utils.functional import LazyObject, empty
from storages.backends.s3 import S3Storage

PRIVATE_STORAGE_ALIAS = "private"
NO_URL_MESSAGE = "Private files have no public URL; use counselling:document."


class PrivateFileSystemStorage(FileSystemStorage):
    """Files in PRIVATE_MEDIA_ROOT (outside MEDIA_ROOT) with no public URL."""

    @property
    def base_location(self) -> str:
        # Read on every access (not cached) so tests can point it elsewhere.
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError(NO_URL_MESSAGE)


class PublicMediaS3Storage(S3Storage):
    """Public media in a bucket, addressed as ``MEDIA_URL + name`` on our own origin.

    The proxy in front of the app forwards ``/media/<name>`` to the bucket (see
    deploy/nginx/kkk-portal.conf), so pages never contain the bucket's host or a
    signed URL (``querystring_auth`` is off as well).
    """

    def url(self, name: str, parameters: Any = None, expire: Any = None, http_method=None) -> str:
        return f"{settings.MEDIA_URL}{filepath_to_uri(name).lstrip('/')}"


class PrivateS3Storage(S3Storage):
    """Case documents in their own bucket or prefix: no public ACL, no URL."""

    def url(self, name: str, parameters: Any = None, expire: Any = None, http_method=None) -> str:
        raise ValueError(NO_URL_MESSAGE)


class PrivateStorage(LazyObject):
    """The ``private`` storage, looked up when first used (and again after a settings change).

    A FileField evaluates its storage callable once, when the model class is
    created; handing it this lazy object keeps the choice in STORAGES.
    """

    def _setup(self) -> None:
        self._wrapped = storages[PRIVATE_STORAGE_ALIAS]


private_storage = PrivateStorage()


@receiver(setting_changed)
def _reset_private_storage(*, setting: str, **kwargs: Any) -> None:
    if setting in {"STORAGES", "PRIVATE_MEDIA_ROOT"}:
        private_storage._wrapped = empty
