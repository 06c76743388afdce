"""Test run: fast hashing, mail kept in memory, no hashed static manifest needed."""

from .base import *

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105 - never used outside the test run
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WHITENOISE_AUTOREFRESH = True
require_secret_key(DEBUG, SECRET_KEY)
# Staff need a second factor, as in production; tests/conftest.py logs staff in with one.
STAFF_2FA = True
