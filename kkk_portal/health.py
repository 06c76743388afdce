"""Health probes for the load balancer, systemd and monitoring.

- `/healthz`: the process answers. Touches no database, cache or session, so a
  database outage does not make every instance look dead and get restarted.
- `/readyz`: this instance can serve: database, cache, both storages (public
  media and private case documents, a tiny probe file written, read back and
  deleted) and no unapplied migrations. 503 with the failing parts named when
  one is down. It also reports the worker's last heartbeat and the age of the
  oldest undelivered mail; those are warnings, not a 503 (unless
  `HEALTH_WORKER_REQUIRED`), because taking every web instance out of the load
  balancer when the worker dies would turn late mail into an outage.

Both live outside the language prefix, set no cookie and are never cached. The
JSON answer names the failing part and the exception class, never its message
(that can name hosts or users); the full error goes to the log.
"""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

PROBE_CONTENT = b"readyz"


def _private_storage() -> Storage:
    from counselling.models import CaseDocument

    return CaseDocument._meta.get_field("file").storage


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 did not answer 1")


def check_cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    try:
        if cache.get(key) != "ok":
            # A cache that fails open (returns nothing instead of raising) lands here.
            raise RuntimeError("value written to the cache was not read back")
    finally:
        cache.delete(key)


def _check_storage(storage: Storage) -> None:
    name = storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(PROBE_CONTENT))
    try:
        with storage.open(name, "rb") as handle:
            if handle.read() != PROBE_CONTENT:
                raise RuntimeError("probe file read back differently")
    finally:
        storage.delete(name)


def check_storage() -> None:
    _check_storage(default_storage)


def check_private_storage() -> None:
    _check_storage(_private_storage())


def pending_migrations() -> list[str]:
    """`app.migration` names not yet applied to the database, in plan order."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_migrations() -> None:
    pending = pending_migrations()
    if pending:
        raise RuntimeError(f"{len(pending)} unapplied: {', '.join(pending[:5])}")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "private_storage": check_private_storage,
    "migrations": check_migrations,
}
# Without a database the rest cannot be asked.
NEEDS_DATABASE = {"migrations"}


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return round(value.total_seconds(), 1)
    if isinstance(value, datetime.datetime):
        return round((timezone.now() - value).total_seconds(), 1)
    return round(float(value), 1)


def worker_status() -> dict[str, Any]:
    """The worker's last heartbeat and the oldest undelivered mail, with verdicts.

    Used by /readyz (times as ISO 8601) and the Leitung start page; the two
    figures come from the worker's own functions in counselling/services.py.
    """
    from counselling import services

    last = services.worker_last_heartbeat()
    age = _seconds(last)
    mail_age = _seconds(services.oldest_pending_mail_age())
    return {
        "last_heartbeat": last,
        "heartbeat_age_seconds": age,
        "worker_stale": age is None or age > settings.HEALTH_WORKER_MAX_AGE,
        "oldest_pending_mail_age_seconds": mail_age,
        "oldest_pending_mail_since": None
        if mail_age is None
        else timezone.now() - datetime.timedelta(seconds=mail_age),
        "mail_overdue": mail_age is not None and mail_age > settings.HEALTH_MAIL_MAX_AGE,
    }


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict[str, Any]] = {}
    failing: list[str] = []
    for name, check in CHECKS.items():
        if name in NEEDS_DATABASE and "database" in failing:
            checks[name] = {"ok": False, "error": "database unavailable"}
            failing.append(name)
            continue
        started = time.perf_counter()
        try:
            check()
        except Exception as error:  # any failure means "not ready"; never a 500 here
            logger.warning("Readiness check %s failed: %r", name, error)
            checks[name] = {"ok": False, "error": type(error).__name__}
            failing.append(name)
        else:
            checks[name] = {"ok": True}
        checks[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)

    warnings: list[str] = []
    worker: dict[str, Any] = {}
    if "database" not in failing:
        try:
            worker = worker_status()
        except Exception as error:
            logger.warning("Worker status unavailable: %r", error)
            worker = {"error": type(error).__name__}
            warnings.append("worker")
        else:
            if worker["worker_stale"]:
                warnings.append("worker")
            if worker["mail_overdue"]:
                warnings.append("mail")
    if settings.HEALTH_WORKER_REQUIRED:
        failing += [part for part in warnings if part not in failing]

    body = {
        "status": "fail" if failing else "ok",
        "failing": failing,
        "warnings": warnings,
        "checks": checks,
        "worker": worker,
    }
    return JsonResponse(body, status=503 if failing else 200)
