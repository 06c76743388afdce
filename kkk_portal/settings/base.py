"""Settings shared by every environment.

Everything that differs between machines comes from the environment (see
`.env.example` and the table in README.md). `dev.py`, `test.py` and `prod.py`
override only what differs.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kkk_portal.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)  # optional local file

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
# Old keys still accepted for signatures (sessions, password reset links) while a
# new SECRET_KEY is rolled out; comma-separated, newest first. See the runbook.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])


def require_secret_key(debug, secret_key):
    """Refuse to start without a secret key when DEBUG is off."""
    if not debug and not secret_key:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )


ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    # Third party
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "axes",  # login lockout by username and by address
    "django_otp",  # second factor for staff (TOTP + one-time recovery codes)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_prose_editor",  # rich-text editor of the admin (see kkk_portal/richtext.py)
    # Ours
    "kkk_portal",
    "projects",
    "publications",
    "team",
    "counselling",
]

MIDDLEWARE = [
    "kkk_portal.logging.RequestIdMiddleware",  # first: every log line has the id
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "kkk_portal.richtext.EditorCSPMiddleware",  # after CSP: hashes for the admin's editor
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous public pages from the cache: a hit skips everything below, while
    # the request id and the security headers above still run (page_cache.py).
    "kkk_portal.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "kkk_portal.slugs.SlugRedirectMiddleware",  # former addresses of renamed items: 301
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "kkk_portal.urls"
WSGI_APPLICATION = "kkk_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kkk_portal.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Development: web process and worker share one file. IMMEDIATE takes the write
    # lock when a transaction starts (no deadlock-prone lock upgrade later), and the
    # busy timeout makes the other process wait instead of failing "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when configured (shared by all processes, e.g. for rate limits),
# local memory otherwise.
# kkk_portal.redis_cache is Django's Redis backend with one client per connection pool.
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
    if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        CACHES["default"]["BACKEND"] = "kkk_portal.redis_cache.RedisCache"
elif env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "kkk_portal.redis_cache.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
            # An unreachable Redis must cost a page a moment, not a hung worker:
            # the rate limit and thumbnails degrade (see kkk_portal/safe_cache.py).
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=1.0),
                "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=1.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def page_cache_config(default: dict) -> dict:
    """The cache of anonymous pages: the shared cache under its own key prefix, or its
    own bounded local memory, so pages never push rate-limit counters out."""
    if default["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": 300},
        }
    return {**default, "KEY_PREFIX": "pages"}


CACHES["pages"] = page_cache_config(CACHES["default"])
# Anonymous public pages from the cache "pages" (kkk_portal/page_cache.py): on unless
# PAGE_CACHE_ENABLED=0. Entries live at most PAGE_CACHE_TIMEOUT seconds (a version
# change lost while the cache was unreachable heals by then); an address keeps at most
# PAGE_CACHE_MAX_VARIANTS query strings per hour; larger pages are not stored.
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=True)
PAGE_CACHE_ALIAS = "pages"
PAGE_CACHE_TIMEOUT = env.int("PAGE_CACHE_TIMEOUT", default=60 * 60)
PAGE_CACHE_MAX_VARIANTS = env.int("PAGE_CACHE_MAX_VARIANTS", default=100)
PAGE_CACHE_MAX_BYTES = 1_000_000

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Case documents (counselling.CaseDocument.file): no URL, streamed by a checked view.
    "private": {"BACKEND": "kkk_portal.storage.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def s3_storages(
    *,
    bucket: str,
    private_bucket: str = "",
    endpoint_url: str = "",
    access_key: str = "",
    secret_key: str = "",
    region: str = "",
    media_prefix: str = "media",
    private_prefix: str = "private",
) -> dict:
    """The "default" and "private" STORAGES entries for S3-compatible object storage.

    Public media keep MEDIA_URL (/media/ on our own origin; the proxy forwards it to
    the bucket, see deploy/nginx/kkk-portal.conf). Case documents go to their own
    bucket, or their own prefix of the same bucket, never readable without keys.
    """
    private_bucket = private_bucket or bucket
    media_prefix, private_prefix = media_prefix.strip("/"), private_prefix.strip("/")
    if private_bucket == bucket and (
        not media_prefix
        or not private_prefix
        or f"{private_prefix}/".startswith(f"{media_prefix}/")
        or f"{media_prefix}/".startswith(f"{private_prefix}/")
    ):
        raise ImproperlyConfigured(
            "S3: case documents would share the public media location. Set "
            "S3_PRIVATE_BUCKET to a separate bucket, or give S3_MEDIA_PREFIX and "
            "S3_PRIVATE_PREFIX two different, non-empty, non-nested prefixes."
        )
    common = {
        "endpoint_url": endpoint_url or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "region_name": region or None,
        # No ACL on upload: what is readable is the bucket policy's business, and
        # the private bucket/prefix must never be readable without credentials.
        "default_acl": None,
        # Django's semantics: a second file with the same name gets a new name.
        "file_overwrite": False,
        # Path-style addressing works with every S3-compatible server.
        "addressing_style": "path",
    }
    return {
        "default": {
            "BACKEND": "kkk_portal.storage.PublicMediaS3Storage",
            "OPTIONS": {
                **common,
                "bucket_name": bucket,
                "location": media_prefix,
                "querystring_auth": False,  # url() gives /media/<key> anyway
            },
        },
        "private": {
            "BACKEND": "kkk_portal.storage.PrivateS3Storage",
            "OPTIONS": {
                **common,
                "bucket_name": private_bucket,
                "location": private_prefix,
                "querystring_auth": True,  # never handed out: url() refuses
            },
        },
    }


# S3-compatible object storage (django-storages) when S3_BUCKET is set, so several
# app servers share the files; local folders otherwise. See kkk_portal/storage.py.
S3_BUCKET = env.str("S3_BUCKET", default="")
if S3_BUCKET:
    STORAGES.update(
        s3_storages(
            bucket=S3_BUCKET,
            private_bucket=env.str("S3_PRIVATE_BUCKET", default=""),
            endpoint_url=env.str("S3_ENDPOINT_URL", default=""),
            access_key=env.str("S3_ACCESS_KEY_ID", default=""),
            secret_key=env.str("S3_SECRET_ACCESS_KEY", default=""),
            region=env.str("S3_REGION", default=""),
            media_prefix=env.str("S3_MEDIA_PREFIX", default="media"),
            private_prefix=env.str("S3_PRIVATE_PREFIX", default="private"),
        )
    )
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Uploads: refuse oversized request bodies before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640
# Whole request bodies (uploads included) above this many bytes are refused with 413
# from their Content-Length, before they are read (counselling.middleware). Keep the
# proxy's `client_max_body_size` at the same value. Largest single file: 25 MB.
FILE_UPLOAD_MAX_SIZE = env.int("FILE_UPLOAD_MAX_SIZE", default=30 * 1024 * 1024)
# Images with more pixels are refused at upload (kkk_portal.validators reads only the
# header); Pillow refuses to decode more than this, too (set in KkkPortalConfig.ready).
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
if env.str("EMAIL_URL", default="").lower().startswith("smtps://"):
    # django-environ maps smtps:// to STARTTLS; smtps means TLS from the first byte (port 465).
    EMAIL_CONFIG = {**EMAIL_CONFIG, "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": True}
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@konfliktberatung.example.org")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the centre is told about new counselling requests.
CENTRE_NOTIFICATION_EMAIL = env.str(
    "CENTRE_NOTIFICATION_EMAIL", default="beratung@konfliktberatung.example.org"
)
# Absolute base URL used in emails (links to the admin).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Cross-Origin-Resource-Policy on every response (kkk_portal.security_headers):
# no other site may embed our pages, images or files.
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"

# Content-Security-Policy (django-csp): no inline script or style, no third-party
# sources. Every template is written for this; the browser tests fail on any
# violation. `data:` images: Bootstrap's icons are inline SVG data URLs in its CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Logging: every record to stdout, one line each, with the request id (see
# kkk_portal/logging.py): `json` in production (the default there), `plain` here.
# Never a request body, form field, cookie, query string or client address.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = logging_config(fmt=LOG_FORMAT, level=LOG_LEVEL)
# Optional error reporting (sentry-sdk); personal data, bodies, cookies and local
# variables are never sent. Initialised in prod.py only.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")

# Health probes: /healthz (alive) and /readyz (database, cache, storage, migrations).
# Probes reach the app directly over HTTP, so the HTTPS redirect spares them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# /readyz reports the worker as stale after this many seconds without a heartbeat,
# and undelivered mail older than this as overdue (reported, not a 503 unless
# HEALTH_WORKER_REQUIRED is true: a dead worker delays mail, the site still works).
HEALTH_WORKER_MAX_AGE = env.int("HEALTH_WORKER_MAX_AGE", default=300)
HEALTH_MAIL_MAX_AGE = env.int("HEALTH_MAIL_MAX_AGE", default=900)
HEALTH_WORKER_REQUIRED = env.bool("HEALTH_WORKER_REQUIRED", default=False)
# deploy/backup.sh deletes backups older than the longest retention period (so
# data removed by retention leaves the backups too); a smaller number here wins.
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=0)

# --- Counselling ---
# Version (date) of the privacy notice a requester agrees to; stored with each request.
PRIVACY_NOTICE_VERSION = env.str("PRIVACY_NOTICE_VERSION", default="2026-11-01")
# Submissions of the request form per IP address and hour (counted in the cache).
COUNSELLING_RATE_LIMIT = env.int("COUNSELLING_RATE_LIMIT", default=5)
COUNSELLING_RATE_WINDOW = 60 * 60
# Password-reset mails per IP address and hour (the staff login's "Passwort vergessen?").
PASSWORD_RESET_RATE_LIMIT = env.int("PASSWORD_RESET_RATE_LIMIT", default=5)
# A form submission whose database connection breaks (restart, failover) is retried
# on a fresh connection for up to this many seconds before the visitor sees a 503.
SUBMIT_DB_RETRY_SECONDS = env.float("SUBMIT_DB_RETRY_SECONDS", default=8.0)
# How often `send_outbox` tries a message before flagging it as failed.
OUTBOX_MAX_TRIES = env.int("OUTBOX_MAX_TRIES", default=5)
# Worker (`manage.py run_worker`): seconds between polls of the outbox and job queue;
# a failed mail waits OUTBOX_RETRY_BASE_SECONDS · 2^(tries-1), at most
# OUTBOX_RETRY_MAX_SECONDS; a claimed mail is left to its worker for
# OUTBOX_CLAIM_SECONDS (after a crash another worker takes it over then).
WORKER_POLL_SECONDS = env.float("WORKER_POLL_SECONDS", default=2.0)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=60 * 60)
OUTBOX_CLAIM_SECONDS = env.int("OUTBOX_CLAIM_SECONDS", default=10 * 60)
# Case documents: outside MEDIA_ROOT, never served by the web server, only via a checked view.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private_media")
# Requests still open after this many months are reported by apply_retention; told on the form.
COUNSELLING_REQUEST_RETENTION_MONTHS = env.int("COUNSELLING_REQUEST_RETENTION_MONTHS", default=12)
CSRF_FAILURE_VIEW = "counselling.views.csrf_failure"
# A friendly 413 page for over-limit form posts (before CSRF reads the body).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware"),
    "counselling.middleware.RequestTooLargeMiddleware",
)
# Before that: refuse uploads over FILE_UPLOAD_MAX_SIZE unread, and form bodies in a
# charset other than UTF-8 (400 instead of a decoding error).
MIDDLEWARE.insert(
    MIDDLEWARE.index("counselling.middleware.RequestTooLargeMiddleware"),
    "counselling.middleware.RequestBodyGuardMiddleware",
)
# Outside SecurityMiddleware, so its HTTPS redirects carry the header too.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware"),
    "kkk_portal.security_headers.CrossOriginResourcePolicyMiddleware",
)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Reverse proxies in front of the app that append to X-Forwarded-For. 0: the header is
# ignored (anyone can send it) and REMOTE_ADDR counts for the form's rate limit; N: the
# client is the N-th address from the right of X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Retention ---
# `manage.py apply_retention` (daily from cron) deletes spam and declined requests
# this many days after their last change, and anonymises cases closed or declined
# this many years ago.
RETENTION_SPAM_DECLINED_DAYS = env.int("RETENTION_SPAM_DECLINED_DAYS", default=90)
RETENTION_CLOSED_CASE_YEARS = env.int("RETENTION_CLOSED_CASE_YEARS", default=3)
# Finished background jobs (image renditions) are deleted after this many days.
JOB_RETENTION_DAYS = env.int("JOB_RETENTION_DAYS", default=30)
# Contact requests (team.ContactMessage) are deleted with their replies and mails this
# many days after they were closed, and at the latest CONTACT_MAX_RETENTION_DAYS after
# they arrived, closed or not (told on the form and in the privacy notice).
CONTACT_RETENTION_DAYS = env.int("CONTACT_RETENTION_DAYS", default=180)
CONTACT_MAX_RETENTION_DAYS = env.int("CONTACT_MAX_RETENTION_DAYS", default=365)
# Event registrations lose their personal data this many days after the event ends
# (the counts stay for the statistics).
REGISTRATION_RETENTION_DAYS = env.int("REGISTRATION_RETENTION_DAYS", default=30)

# --- Event registration (double opt-in) ---
# A confirmation link is valid this many hours after registering.
REGISTRATION_CONFIRM_HOURS = env.int("REGISTRATION_CONFIRM_HOURS", default=72)
# Registrations per IP address and hour (counted in the cache, like the request form).
REGISTRATION_RATE_LIMIT = env.int("REGISTRATION_RATE_LIMIT", default=10)
REGISTRATION_RATE_WINDOW = 60 * 60
# Confirmed participants get a reminder when the event starts within this many hours.
REGISTRATION_REMINDER_HOURS = env.int("REGISTRATION_REMINDER_HOURS", default=24)

# --- Staff login (see README: "Staff login") ---
# django-axes checks every login; ModelBackend does the actual password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Named rules per object (counselling/permissions.py): user.has_perm(rule, obj).
    "rules.permissions.ObjectPermissionBackend",
]
# Second factor in the admin's session (after auth), then the staff session rules
# (after messages, so a timeout can say why), axes last as its docs require.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "kkk_portal.accounts.StaffSessionMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("kkk_portal.accounts.StaffSessionMiddleware") + 1,
    "kkk_portal.accounts.SecondFactorMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
# Lockout: 10 failures for one login name lock that name from every address; 10
# failures from one address (whatever names it tries) lock that address. Both end
# after the cool-off; Leitung/admins see and lift lockouts under "Axes" in the admin.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
# Same client address as the request form's rate limit (honours TRUSTED_PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "counselling.views.client_ip"
AXES_LOCKOUT_CALLABLE = "kkk_portal.accounts.lockout_response"  # German page, status 429
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ADMIN = True
# Keep no more than needed: no log of successful logins, no failure log, no verbose logging.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
# Lockout records are deleted by `apply_retention` after this many days.
AXES_RETENTION_DAYS = env.int("AXES_RETENTION_DAYS", default=7)

# Second factor (TOTP + recovery codes) for every account that can see personal data
# (counselling.permissions.requires_second_factor). Off only in development (dev.py).
STAFF_2FA = env.bool("STAFF_2FA", default=True)
# Any of these permissions makes the second factor compulsory (besides Beratung,
# Leitung and superusers): reading requests, cases, contact messages, registrations.
OTP_REQUIRED_PERMISSIONS = env.list(
    "OTP_REQUIRED_PERMISSIONS",
    default=[
        "counselling.view_counsellingrequest",
        "counselling.view_case",
        "team.view_contactmessage",
        "publications.view_registration",
    ],
)
OTP_TOTP_ISSUER = "Kommunale Konfliktberatung"
OTP_RECOVERY_CODES = 10

# Staff sessions end after this long without a request (the admin's keep-alive script
# counts while a form holds unsaved input) and after STAFF_SESSION_MAX_HOURS in any case.
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
STAFF_SESSION_MAX_HOURS = env.int("STAFF_SESSION_MAX_HOURS", default=12)
# axes logs every attempt with login name and address: only its errors reach the log;
# kkk_portal.accounts logs each lockout without personal data.
LOGGING.setdefault("loggers", {})["axes"] = {"level": "ERROR"}
