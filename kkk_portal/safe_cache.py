"""Cache access that degrades instead of failing when the cache server is down.

The cache only ever holds what can be recomputed or forgotten (the request
form's rate-limit counters, thumbnail sizes). So an unreachable Redis must
never turn a page into a 500 or lose a counselling request: each call here
logs a WARNING and answers as if the key were missing. Keep the socket
timeouts in `CACHES[...]["OPTIONS"]` short so a dead server costs a moment.
"""

import logging
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)

try:  # the Redis client is only installed where Redis is used
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover
    RedisError = OSError

# Connection refused, timeouts, broken pipes and the Redis client's own errors.
# ValueError is not among them: `incr` raises it for a missing key, by contract.
CACHE_ERRORS = (OSError, RedisError)


class CacheUnavailable(Exception):
    """Raised by `incr` when the cache cannot be reached (the caller decides how to degrade)."""


def _warn(operation: str, key: str, error: Exception) -> None:
    logger.warning("Cache unavailable (%s %s): %s: %s", operation, key, type(error).__name__, error)


def get(key: str, default: Any = None) -> Any:
    try:
        return cache.get(key, default)
    except CACHE_ERRORS as error:
        _warn("get", key, error)
        return default


def set(key: str, value: Any, timeout: float | None = None) -> bool:
    try:
        cache.set(key, value, timeout)
    except CACHE_ERRORS as error:
        _warn("set", key, error)
        return False
    return True


def add(key: str, value: Any, timeout: float | None = None) -> bool:
    try:
        return cache.add(key, value, timeout)
    except CACHE_ERRORS as error:
        _warn("add", key, error)
        return False


def incr(key: str, delta: int = 1) -> int:
    """Atomic increment; ValueError if the key is missing, CacheUnavailable if the cache is down."""
    try:
        return cache.incr(key, delta)
    except CACHE_ERRORS as error:
        _warn("incr", key, error)
        raise CacheUnavailable(str(error)) from error


def count_within_limit(*, key: str, limit: int, window: int) -> bool:
    """Count one event under `key`; True while at most `limit` happened in `window` seconds.

    Counted with an atomic increment, so parallel requests cannot all slip through
    between a check and a later count; the window starts with the first event. If
    the cache cannot be reached the limit fails open (logged as a WARNING): losing
    a visitor's request is worse than letting a few extra through for a while.
    """
    # add() only sets when missing, so the window starts with the first event.
    add(key, 0, timeout=window)
    try:
        count = incr(key)
    except ValueError:  # expired between add() and incr()
        add(key, 1, timeout=window)
        count = 1
    except CacheUnavailable:
        logger.warning("Rate limit not applied: the cache is unavailable (fails open).")
        return True
    return count <= limit
