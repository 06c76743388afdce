"""Logging: one line per record on stdout, JSON in production, with a request id.

What is logged about a request is its method, path (never the query string),
status, duration and request id – never a request body, a form field, a cookie
or a visitor's address. The portal holds confidential counselling requests; a
log line must never become a copy of one.

- `RequestIdMiddleware` (first in MIDDLEWARE) takes the proxy's `X-Request-ID`
  when it looks like an id, otherwise makes one, returns it in the response
  header and keeps it in a context variable for the duration of the request.
- `RequestContextFilter` (on the handler) puts that id on every log record and
  drops the `request` object Django attaches to some records (its repr carries
  the query string).
- `logging_config()` builds the LOGGING dict for the settings; `sentry_init()`
  turns on Sentry when `SENTRY_DSN` is set, with personal data off.

The module is imported by the settings, so it imports nothing that needs them.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

REQUEST_ID_HEADER = "X-Request-ID"
# Ids from the proxy: letters, digits and - _ . : only, 8 to 128 characters
# (nginx's $request_id is 32 hex digits, a UUID has 36 characters).
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
NO_REQUEST = "-"
# Paths probed every few seconds by a load balancer: logged at DEBUG only.
QUIET_PATHS = frozenset({"/healthz", "/readyz"})

request_id_var: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)

request_logger = logging.getLogger("kkk_portal.requests")


def request_id_from_header(value: str | None) -> str:
    """The proxy's id if it looks sane, otherwise a new random one."""
    if value and SANE_REQUEST_ID.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give every request an id and log one line when it is answered."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from_header(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            request_logger.log(
                logging.DEBUG if request.path in QUIET_PATHS else logging.INFO,
                "%s %s %s %.1fms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class RequestContextFilter(logging.Filter):
    """Adds `request_id` to every record and removes request objects from it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        # django.request and django.server attach the request; its repr has the
        # full path with query string, and a formatter might serialise more.
        # django.request logs after the middleware has finished: take the id from it.
        if hasattr(record, "request"):
            record.request_id = getattr(record.request, "request_id", record.request_id)
            del record.request
        return True


# python-json-logger writes these record attributes under these keys.
JSON_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s"


def logging_config(*, fmt: str = "plain", level: str = "INFO") -> dict[str, Any]:
    """The LOGGING setting: everything to stdout, as JSON (`fmt="json"`) or plain text."""
    if fmt not in ("json", "plain"):
        raise ValueError(f"LOG_FORMAT must be 'json' or 'plain', not {fmt!r}.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_context": {"()": "kkk_portal.logging.RequestContextFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": JSON_FIELDS,
                "rename_fields": {"levelname": "level", "name": "logger"},
                # ISO 8601 in UTC under "time", whatever the process time zone.
                "timestamp": "time",
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": fmt,
                "filters": ["request_context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # runserver's own access line has the query string; our middleware logs instead.
            "django.server": {"level": "WARNING"},
            # Django logs every 4xx/5xx here too; ours already has status and request id.
            "django.request": {"level": "ERROR"},
            # Scanners send foreign Host headers all day; they get a 400 and would
            # otherwise flood the log with tracebacks. The request line still shows them.
            "django.security.DisallowedHost": {"level": "CRITICAL", "propagate": False},
        },
    }


# --- Sentry -------------------------------------------------------------------

# Request parts Sentry must never receive: bodies, cookies, query strings, headers.
SENTRY_DROPPED_REQUEST_KEYS = ("data", "cookies", "query_string", "headers", "env")


def sentry_before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Strip what could identify a person before an event leaves the server."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in SENTRY_DROPPED_REQUEST_KEYS:
            request.pop(key, None)
        if isinstance(request.get("url"), str):
            request["url"] = request["url"].split("?", 1)[0]
    event.pop("user", None)
    return event


def sentry_init(*, dsn: str, environment: str = "production", release: str = "") -> bool:
    """Turn on Sentry error reporting; a no-op without a DSN. Returns whether it is on."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        environment=environment,
        release=release or None,
        send_default_pii=False,
        # Local variables in stack frames may hold form data: never send them.
        include_local_variables=False,
        max_request_body_size="never",
        before_send=sentry_before_send,
        traces_sample_rate=0,
    )
    return True
