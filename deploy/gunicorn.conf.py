"""gunicorn settings for the portal: `gunicorn -c deploy/gunicorn.conf.py kkk_portal.wsgi`.

Everything can be changed from the environment (the systemd unit reads
/etc/kkk/env). Behind nginx on the same machine the defaults fit.
"""

import multiprocessing
import os


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


# Where nginx sends requests. A unix socket works too: GUNICORN_BIND=unix:/run/kkk/web.sock
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the portal does no long-polling; 2 × cores + 1 is gunicorn's own advice.
workers = _env_int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _env_int("GUNICORN_THREADS", 1)
# A request that takes longer is killed (the CSV export streams, so it keeps moving).
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)
# Workers are replaced now and then, so a slow leak never grows for long.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Heartbeat files in memory, not on a possibly slow disk.
# (a RAM-backed folder owned by root with the sticky bit; only gunicorn writes there)
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Only the proxy on this machine may set X-Forwarded-Proto/-For (comma-separated IPs).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The application logs each request itself (JSON, with request id and duration, see
# kkk_portal/logging.py), so gunicorn's access log is off by default. Switched on
# (GUNICORN_ACCESS_LOG=-), it never writes query strings (%(U)s is the path only)
# nor the client's address, only what the application's own line has.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's own messages (start, worker timeouts) as JSON too when the app logs JSON.
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                # ISO 8601 in UTC under "time", whatever the process time zone.
                "timestamp": "time",
            }
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
            }
        },
        "loggers": {
            "gunicorn.error": {
                "handlers": ["console"],
                "level": loglevel.upper(),
                "propagate": False,
            },
            # With a logging config gunicorn writes access lines whatever `accesslog` says:
            # silent unless GUNICORN_ACCESS_LOG asks for them (the app logs each request).
            "gunicorn.access": {
                "handlers": ["console"] if accesslog else [],
                "level": "INFO" if accesslog else "CRITICAL",
                "propagate": False,
            },
        },
    }

# Do not trust a request line longer than this (the portal has no long URLs).
limit_request_line = 4094
limit_request_fields = 100
