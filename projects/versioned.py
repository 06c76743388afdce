"""Values worked out once per content version: filter choices, the list of all places.

The key is the page cache's content version (kkk_portal/page_cache.py), which changes
whenever public content is saved or deleted, and a value is used only until the next
scheduled change (a publication time, midnight), exactly like a cached page. So a
value is never older than the content it shows. Without a reachable cache the value
is worked out for every request.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.utils.translation import get_language

from kkk_portal import page_cache
from kkk_portal.safe_cache import CACHE_ERRORS

T = TypeVar("T")
KEY = "versioned:{name}:{language}:{token}"
# The newest values also in this process's memory, so a page's header, footer and
# fragments cost no round trip beyond the one for the content version. Bounded: the
# least recently used go first.
LOCAL_ENTRIES = 256
_local: OrderedDict[str, tuple[float, object]] = OrderedDict()
_local_lock = threading.Lock()


def _local_get(key: str, now: float) -> tuple[float, object] | None:
    with _local_lock:
        found = _local.get(key)
        if found is None:
            return None
        if now >= found[0]:
            del _local[key]
            return None
        _local.move_to_end(key)
        return found


def _local_set(key: str, entry: tuple[float, object]) -> None:
    with _local_lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def per_content_version(
    name: str,
    build: Callable[[], T],
    *,
    look_up_schedule: bool = True,
    may_keep: Callable[[], bool] | None = None,
) -> T:
    """`build()`, kept in the page cache for the current content version and language.

    With `look_up_schedule=False` the value is kept only once the next scheduled change
    is known for the version (the page cache or another value looked it up): a
    fragment of every page then never adds that lookup's queries to a request.
    `may_keep`, if given, is asked right before a value would be stored (not when a
    kept one is used); False leaves it unstored.
    """
    started = time.time()
    cache = page_cache.page_cache()
    try:
        token = page_cache._current_version(cache)
        key = KEY.format(name=name, language=get_language(), token=token)
        found = _local_get(key, started)
        if found is not None:
            return found[1]
        found = cache.get(key)
        if found is not None and started < found[0]:
            _local_set(key, found)
            return found[1]
        if look_up_schedule:
            until = page_cache._valid_until(cache, token, started)
        else:
            boundary = cache.get(page_cache.NEXT_KEY.format(token=token))
            if boundary is None or boundary <= started:
                return build()
            until = min(boundary, started + settings.PAGE_CACHE_TIMEOUT)
    except CACHE_ERRORS:
        return build()
    value = build()
    try:
        remaining = until - time.time()
        if remaining > 0 and (may_keep is None or may_keep()):
            _local_set(key, (until, value))
            cache.set(key, (until, value), timeout=max(1, int(remaining)))
    except CACHE_ERRORS:
        pass
    return value
