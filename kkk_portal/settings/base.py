"""Settings shared by every environment.

Everything that differs between machines comes from the environment (see
`.env.example` and the table in README.md). `dev.py`, `test.py` and `prod.py`
override only what differs.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)  # optional local file

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")


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
    # Ours
    "kkk_portal",
    "projects",
    "publications",
    "team",
    "counselling",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when configured (shared by all processes, e.g. for rate limits),
# local memory otherwise.
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
elif env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
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
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Uploads: refuse oversized request bodies before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@kkk.example.org")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the centre is told about new counselling requests.
CENTRE_NOTIFICATION_EMAIL = env.str("CENTRE_NOTIFICATION_EMAIL", default="beratung@kkk.example.org")
# Absolute base URL used in emails (links to the admin).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

LOGIN_URL = "admin:login"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Counselling ---
# Version (date) of the privacy notice a requester agrees to; stored with each request.
PRIVACY_NOTICE_VERSION = env.str("PRIVACY_NOTICE_VERSION", default="2026-11-01")
# Submissions of the request form per IP address and hour (counted in the cache).
COUNSELLING_RATE_LIMIT = env.int("COUNSELLING_RATE_LIMIT", default=5)
COUNSELLING_RATE_WINDOW = 60 * 60
# How often `send_outbox` tries a message before flagging it as failed.
OUTBOX_MAX_TRIES = env.int("OUTBOX_MAX_TRIES", default=5)
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
