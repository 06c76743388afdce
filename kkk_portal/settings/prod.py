"""Production: fails closed.

The start (and every management command) stops with ONE ImproperlyConfigured
message naming every missing piece: secret key, host names, a real database
(not SQLite), a cache shared by all processes, a real mail server reached over
TLS. Transport security is on by default (HSTS one year with subdomains and
preload, HTTPS redirect, secure cookies). Content that only matters on the
public site (legal details, contact data) is checked by `check --deploy`
(kkk_portal/checks.py), so `migrate` always runs.
"""

import ipaddress

from kkk_portal.logging import sentry_init

from .base import *

# --- What production cannot run without ---
# A deliberate opt-out for a single-process installation; never the default.
ALLOW_SQLITE_IN_PRODUCTION = env.bool("ALLOW_SQLITE_IN_PRODUCTION", default=False)
# Plain SMTP to a relay on another machine sends passwords and personal data in clear.
ALLOW_PLAIN_SMTP = env.bool("ALLOW_PLAIN_SMTP", default=False)

# Backends that keep data per process or never deliver anything.
UNSHARED_CACHE_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}
UNDELIVERING_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def production_problems(
    *,
    debug: bool,
    secret_key: str,
    allowed_hosts: list[str],
    database: dict,
    cache: dict,
    email_backend: str,
    email_host: str | None,
    email_tls: bool,
    allow_sqlite: bool,
    allow_plain_smtp: bool,
) -> list[str]:
    """Every reason these settings must not serve the public, one line each."""
    problems = []
    if debug:
        problems.append("DEBUG is on: set DEBUG=false (debug pages show settings and code).")
    if not secret_key:
        problems.append(
            "SECRET_KEY is not set: set it to a long random string (for example: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    if not allowed_hosts:
        problems.append("ALLOWED_HOSTS is not set: comma-separated host names of the site.")
    if database.get("ENGINE", "").endswith("sqlite3") and not allow_sqlite:
        problems.append(
            "DATABASE_URL is not set or points to SQLite: set "
            "DATABASE_URL=postgres://user:password@host:5432/name (or, for a deliberate "
            "single-process installation, ALLOW_SQLITE_IN_PRODUCTION=true)."
        )
    if cache.get("BACKEND") in UNSHARED_CACHE_BACKENDS:
        problems.append(
            "No shared cache: set REDIS_URL=redis://host:6379/0 (or CACHE_URL); a per-process "
            f"cache ({cache.get('BACKEND')}) counts the rate limit per worker."
        )
    if email_backend in UNDELIVERING_MAIL_BACKENDS:
        problems.append(
            f"EMAIL_URL is not set or names a backend that delivers nothing ({email_backend}): "
            "set EMAIL_URL=smtp+tls://user:password@host:587 (or smtps://…:465)."
        )
    elif (
        email_backend == "django.core.mail.backends.smtp.EmailBackend"
        and not email_tls
        and not _is_loopback(email_host)
        and not allow_plain_smtp
    ):
        problems.append(
            f"EMAIL_URL sends mail to {email_host} without TLS: use smtp+tls:// (STARTTLS) or "
            "smtps:// (implicit TLS), a relay on this machine (127.0.0.1), or set "
            "ALLOW_PLAIN_SMTP=true on purpose."
        )
    return problems


_problems = production_problems(
    debug=DEBUG,
    secret_key=SECRET_KEY,
    allowed_hosts=ALLOWED_HOSTS,
    database=DATABASES["default"],
    cache=CACHES["default"],
    email_backend=EMAIL_BACKEND,
    email_host=EMAIL_HOST,
    email_tls=bool(globals().get("EMAIL_USE_TLS") or globals().get("EMAIL_USE_SSL")),
    allow_sqlite=ALLOW_SQLITE_IN_PRODUCTION,
    allow_plain_smtp=ALLOW_PLAIN_SMTP,
)
if _problems:
    raise ImproperlyConfigured(
        "The production settings (kkk_portal.settings.prod) are incomplete:\n"
        + "\n".join(f"- {problem}" for problem in _problems)
        + "\nSee the production section of README.md and .env.example."
    )

# --- Database connections: reused for a minute, checked before reuse ---
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)

# --- Transport security (behind a TLS proxy that sets X-Forwarded-Proto) ---
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)  # one year
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Turning either off is an operator's decision (e.g. another subdomain still serves
# plain HTTP, or the domain must stay off the browsers' preload list); Django's deploy
# check would then warn on every run, so the warning for that decision is silenced.
SILENCED_SYSTEM_CHECKS = [
    *globals().get("SILENCED_SYSTEM_CHECKS", []),
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]

# Logs: JSON lines on stdout by default (journald / the log shipper reads them).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = logging_config(fmt=LOG_FORMAT, level=LOG_LEVEL)
# Optional error reporting; a no-op without SENTRY_DSN.
sentry_init(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT)
