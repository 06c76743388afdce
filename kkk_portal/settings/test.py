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
CACHES["pages"] = page_cache_config(CACHES["default"])
# Off: many tests read `response.context` (none on a hit), count the queries of a first
# request, or change data behind the ORM's back (QuerySet.update). tests/core/
# test_page_cache.py turns it on; PAGE_CACHE_ENABLED=1 runs other tests with it.
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=False)
WHITENOISE_AUTOREFRESH = True
require_secret_key(DEBUG, SECRET_KEY)
# Staff need a second factor, as in production; tests/conftest.py logs staff in with one.
STAFF_2FA = True
