"""Anonymous public pages from the shared cache, invalidated the moment their content changes.

A visitor without a session gets an allow-listed public page (home, lists, detail
pages, text pages, feeds, sitemap; `CACHED_VIEWS`) from the cache alias
`PAGE_CACHE_ALIAS` ("pages": Redis in production, local memory in development).
A hit costs one cache round trip (`get_many` of the content version and the page;
only the version when this process answered the page before and kept a copy, see
`LOCAL_PAGES_BYTES`) and no database query; sessions, authentication, the second
factor, messages and the view are skipped. Switch it off with the environment variable
`PAGE_CACHE_ENABLED=0` (the benchmark compares both; the test settings have it off
except where a test turns it on).

Middleware order: `PageCacheMiddleware` sits right after WhiteNoise, so request id
and log line, the HTTPS redirect and every security header (HSTS, nosniff,
Referrer-Policy, COOP, CORP, CSP) are still added on a hit by the middleware
around it; what the inner middleware adds (X-Frame-Options, Content-Language,
Vary) is stored with the page. Each response of an eligible request carries
`X-Page-Cache: hit` or `miss`; other requests pay no cache round trip (which
paths resolve to an allow-listed view is remembered per process).

Compression: a stored page also keeps a gzip copy of its body (compressed once, when
it is stored), which a hit sends to a client that accepts gzip (every browser, and
nginx passes the header on), with `Content-Encoding: gzip`; nginx then sends it as
it is instead of compressing the same page again for every visitor. Not for small
bodies.

Key: scheme, host, language and the path with its raw query string (hashed).
The language is the one the URL names (`/en/…`, German without prefix), exactly as
`LocaleMiddleware` with `i18n_patterns(prefix_default_language=False)` decides it.
Different query strings of one address are stored up to `PAGE_CACHE_MAX_VARIANTS`
per hour, so made-up parameters cannot fill the cache; pages above
`PAGE_CACHE_MAX_BYTES` are not stored.

Invalidation, two parts:

- The content version: a random token in the cache, replaced whenever a model
  shown on public pages is saved or deleted or its many-to-many links change
  (`connect_signals`, called from `KkkPortalConfig.ready`): all public content
  apps (projects, publications, team, kkk_portal) except the private or internal
  models in `PRIVATE_MODELS`, plus the thumbnails the worker records. A counselling
  request, a contact message or an unconfirmed event registration does not touch
  it; a registration that takes or frees a seat does (the event page says when it
  is full). The token is replaced at once and again after the commit, so no
  reader can store a page of the old data under the new token.
- The next scheduled change: each stored page is valid only until the earliest
  future moment at which any public page could change by itself: publication
  and unpublication times of every published content type (`published()`), an
  event's start and end, its registration opening and closing, and the next
  midnight in Europe/Berlin (project status, "upcoming" lists). It is computed with
  one query per content type, once per content version and boundary, and stored
  beside the version. So a scheduled news post appears at its time, not after a
  timeout.

Entries also expire after `PAGE_CACHE_TIMEOUT` seconds (an hour by default): a
version change lost while the cache server was unreachable heals by then.

Never cached: requests with a session, messages or Authorization header (staff,
and visitors in the middle of a form), anything but GET/HEAD (a form sent, with
errors or not), views not in `CACHED_VIEWS` (the pages after a form was sent,
registration confirm/cancel links, the withdrawal of a request, a counsellor's
calendar feed, the admin and its previews), responses other than 200, streaming
responses, responses with `Cache-Control: private/no-cache/no-store` or a cookie.
So a page with a form that posts is never stored: its CSRF token makes Django set
the visitor's CSRF cookie. The request and contact forms are not allow-listed at
all; an event page is stored while it shows no registration form (no registration,
or before it opens and after it closes; a full event offers its waiting list) and
rendered for every visitor while it does. (Issue 11 left the choice between keeping the token out of
the stored HTML and not storing such pages. A stored form with a placeholder for
the token was tried: every hit then had to make, mask and set a CSRF cookie, and
stayed below 0.8 of the bare view in the benchmark.)
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from functools import cache as memoize

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache, caches
from django.core.exceptions import DisallowedHost
from django.db import models, transaction
from django.db.models import Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile
from django.utils.translation import get_language_from_path

from .publishing import PublishedQuerySetMixin
from .safe_cache import CACHE_ERRORS

logger = logging.getLogger(__name__)

# The views whose anonymous GET answers may be stored. Everything else is never cached.
CACHED_VIEWS: frozenset[str] = frozenset(
    {
        "home",
        "search",
        "projects:index",
        "projects:detail",
        "projects:focus_area_list",
        "projects:focus_area",
        "projects:municipality_list",
        "projects:municipality",
        "publications:index",
        "publications:detail",
        "publications:news_events",
        "publications:news_feed",
        "publications:news_atom",
        "publications:news_detail",
        "publications:ical_feed",
        "publications:event_archive",
        "publications:event_detail",  # stored only while it shows no registration form
        "publications:event_ics",
        "team:index",
        "pages:detail",
        "pages:child",
        "sitemap",
        "sitemap_section",
        "robots_txt",
    }
)

# Apps whose models are shown on public pages; every model in them counts, except these.
PUBLIC_APPS = {"projects", "publications", "team", "kkk_portal"}
PRIVATE_MODELS = {
    "team.contactmessage",
    "team.contactreply",
    "kkk_portal.contentfingerprint",
}
# Models of other apps that change public pages: the worker's thumbnails (srcset).
EXTRA_PUBLIC_MODELS = {"counselling.imagerendition"}
# Registrations change a page only when they take or free a seat (see _registration_changed).
REGISTRATION_MODEL = "publications.registration"

# Times besides publication and unpublication at which a model's public pages change.
EXTRA_SCHEDULE_FIELDS: dict[str, tuple[str, ...]] = {
    "publications.event": ("start", "end", "registration_opens_at", "registration_closes_at"),
}

VERSION_KEY = "page-cache:version"
NEXT_KEY = "page-cache:next:{token}"
# "v3": entries without a CSRF flag (v2 added the compressed copy); a release's new key
# leaves the old entries alone.
PAGE_KEY = "page-cache:page:v3:{digest}"
VARIANTS_KEY = "page-cache:variants:{digest}"
VARIANTS_WINDOW = 60 * 60
UNCACHEABLE_CONTROL = ("private", "no-cache", "no-store")
# Bodies kept also gzip-compressed (the types and minimum size of deploy/nginx's gzip).
COMPRESSED_TYPES = (
    "text/html",
    "text/plain",
    "text/calendar",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/json",
)
COMPRESS_MIN_BYTES = 256
COMPRESS_LEVEL = 6
ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")
HIT, MISS = "hit", "miss"
HEADER = "X-Page-Cache"


# Per process: a copy of the pages this process stored or served last, least recently
# used dropped first, at most this many bytes of content. A hit then reads only the
# content version from the shared cache (a few bytes) instead of the whole page; the
# copy counts under exactly the rule of the shared entry (same version, before its
# time), so a change made anywhere retires it at once.
LOCAL_PAGES_BYTES = 8 * 1024 * 1024


class LocalPages:
    """Page entries by key, bounded by the bytes of their content (LRU)."""

    def __init__(self) -> None:
        self.entries: OrderedDict[str, tuple] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0

    def keep(self, key: str, entry: tuple) -> None:
        with self.lock:
            previous = self.entries.pop(key, None)
            if previous is not None:
                self.size -= _entry_bytes(previous)
            self.entries[key] = entry
            self.size += _entry_bytes(entry)
            while self.size > LOCAL_PAGES_BYTES:
                _key, dropped = self.entries.popitem(last=False)
                self.size -= _entry_bytes(dropped)


local_pages = LocalPages()


def _entry_bytes(entry: tuple) -> int:
    """The body and its compressed copy: what a stored page costs in memory."""
    return len(entry[4]) + len(entry[5] or b"")


def _fresh(entry: tuple | None, token: str | None, started: float) -> bool:
    """Whether a stored page may answer a request that started at `started`."""
    return token is not None and entry is not None and entry[0] == token and started < entry[1]


def page_cache() -> BaseCache:
    """The cache alias PAGE_CACHE_ALIAS; the default cache where CACHES lacks it."""
    alias = settings.PAGE_CACHE_ALIAS
    return caches[alias if alias in settings.CACHES else DEFAULT_CACHE_ALIAS]


# --- Content version --------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_hex(8)


# The content version as the current request read it: a page's fragments
# (projects/versioned.py) then pay one cache round trip for it, not one each. A change
# made in this process replaces it at once; a request elsewhere sees it from its next
# request on, as it would have a moment later anyway.
_REQUEST_VERSION: ContextVar[dict[str, str] | None] = ContextVar("page_cache_version", default=None)


def _replace_version() -> None:
    token = _new_token()
    memo = _REQUEST_VERSION.get()
    if memo is not None:
        memo.pop("token", None)
    try:
        page_cache().set(VERSION_KEY, token, timeout=None)
    except CACHE_ERRORS as error:
        # Pages stored so far stay valid until PAGE_CACHE_TIMEOUT at the latest.
        logger.warning("Page cache: content version not changed: %s", type(error).__name__)


def content_changed() -> None:
    """Every cached page is out of date: now, and again when the transaction commits.

    The second change covers a reader that rendered the old data between the first
    one and the commit and stored it under the new version.
    """
    _replace_version()
    transaction.on_commit(_replace_version, robust=True)


# _current_version and _valid_until are also used by projects/versioned.py (values kept
# per content version, like a cached page).
def _current_version(cache: BaseCache) -> str:
    memo = _REQUEST_VERSION.get()
    if memo is not None and "token" in memo:
        return memo["token"]
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, _new_token(), timeout=None)
        token = cache.get(VERSION_KEY)
    if memo is not None:
        memo["token"] = token
    return token


# --- Next scheduled change ------------------------------------------------------


@memoize
def _scheduled_models() -> tuple[tuple[type[models.Model], str, tuple[str, ...]], ...]:
    """(model, state field, time fields) of every content type with a publication schedule."""
    found = []
    for model in apps.get_models():
        queryset = model._default_manager.get_queryset()
        if not isinstance(queryset, PublishedQuerySetMixin):
            continue
        names = {field.name for field in model._meta.concrete_fields}
        wanted = (
            queryset.publish_field,
            queryset.unpublish_field,
            *EXTRA_SCHEDULE_FIELDS.get(model._meta.label_lower, ()),
        )
        found.append((model, queryset.state_field, tuple(f for f in wanted if f in names)))
    return tuple(found)


def next_midnight(now: datetime.datetime) -> datetime.datetime:
    """The next local midnight (TIME_ZONE): project status and "upcoming" change then."""
    zone = timezone.get_default_timezone()
    tomorrow = timezone.localtime(now, zone).date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=zone)


def next_change(now: datetime.datetime | None = None) -> datetime.datetime:
    """The earliest moment after `now` at which a public page changes without a save.

    One query per content type with a publication schedule.
    """
    now = now or timezone.now()
    candidates = [next_midnight(now)]
    for model, state_field, fields in _scheduled_models():
        moments = (
            model._default_manager.filter(**{state_field: True})
            .order_by()
            .aggregate(
                **{
                    f"t{i}": Min(field, filter=Q(**{f"{field}__gt": now}))
                    for i, field in enumerate(fields)
                }
            )
        )
        candidates += [moment for moment in moments.values() if moment is not None]
    return min(candidates)


def _valid_until(cache: BaseCache, token: str, started: float) -> float:
    """Timestamp until which a page rendered at `started` under `token` stays right."""
    key = NEXT_KEY.format(token=token)
    boundary = cache.get(key)
    if boundary is None or boundary <= started:
        # Earliest change after the render started: one computed before is still
        # right if it lies after that moment too.
        moment = datetime.datetime.fromtimestamp(started, tz=datetime.UTC)
        boundary = next_change(moment).timestamp()
        cache.set(key, boundary, timeout=settings.PAGE_CACHE_TIMEOUT)
    return min(boundary, started + settings.PAGE_CACHE_TIMEOUT)


# --- Signals ------------------------------------------------------------------------


@memoize
def shows_publicly(model: type[models.Model]) -> bool:
    """Whether saving or deleting an instance of `model` can change a public page."""
    label = model._meta.label_lower
    if label in EXTRA_PUBLIC_MODELS:
        return True
    if model._meta.app_label not in PUBLIC_APPS or label in PRIVATE_MODELS:
        return False
    return not model.__name__.startswith("Historical")  # simple-history's copies


def _changed(sender: type[models.Model], **kwargs: object) -> None:
    content_changed()


def _registration_changed(
    sender: type[models.Model], instance: models.Model, **kwargs: object
) -> None:
    # An unconfirmed registration takes no seat: the event page stays as it is.
    if instance.status != sender.Status.PENDING:
        content_changed()


def _links_changed(sender: type[models.Model], action: str, **kwargs: object) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        content_changed()


def connect_signals() -> None:
    """Change the content version when public content changes (from `AppConfig.ready`).

    Connected per model, so private models keep Django's fast bulk deletes.
    """
    for model in apps.get_models():
        label = model._meta.label_lower
        if label == REGISTRATION_MODEL:
            for signal in (post_save, post_delete):
                signal.connect(_registration_changed, sender=model, dispatch_uid=f"pc-{label}")
            continue
        if not shows_publicly(model):
            continue
        for signal in (post_save, post_delete):
            signal.connect(_changed, sender=model, dispatch_uid=f"page-cache-{label}")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _links_changed, sender=through, dispatch_uid=f"page-cache-m2m-{label}.{field.name}"
            )


# --- Middleware --------------------------------------------------------------------


class PageCacheMiddleware:
    """Serves and stores anonymous public pages (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        memo = _REQUEST_VERSION.set({})
        try:
            return self._respond(request)
        finally:
            _REQUEST_VERSION.reset(memo)

    def _respond(self, request: HttpRequest) -> HttpResponse:
        if not settings.PAGE_CACHE_ENABLED:
            return self.get_response(request)
        identity = self._identity(request)
        if identity is None:
            return self.get_response(request)
        cache = page_cache()
        key = PAGE_KEY.format(digest=digest(identity))
        started = time.time()
        local = local_pages.get(key)
        try:
            if local is not None:
                token, entry = cache.get(VERSION_KEY), local
                if not _fresh(entry, token, started):
                    entry = cache.get(key)  # stored anew by another process, or gone
            else:
                found = cache.get_many([VERSION_KEY, key])
                token, entry = found.get(VERSION_KEY), found.get(key)
        except CACHE_ERRORS as error:
            logger.warning("Page cache unavailable: %s", type(error).__name__)
            return self.get_response(request)
        if _fresh(entry, token, started):
            if entry is not local:
                local_pages.keep(key, entry)
            return self._replay(request, entry)
        try:
            if token is not None:
                _REQUEST_VERSION.get()["token"] = token
            token = token or _current_version(cache)
        except CACHE_ERRORS:
            return self.get_response(request)
        response = self.get_response(request)
        self._store(request, response, cache, key, identity, token, started)
        response[HEADER] = MISS
        return response

    # A request that may be answered from the cache: its identity, else None.
    @staticmethod
    def _identity(request: HttpRequest) -> tuple[str, str, str, str, str] | None:
        if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
            return None
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
            return None
        path = request.path_info
        if "/admin/" in path:
            return None
        try:
            host = request.get_host()
        except DisallowedHost:
            return None  # the inner middleware answers 400
        language = get_language_from_path(path) or settings.LANGUAGE_CODE
        if not _allow_listed(path, language):
            return None
        return request.scheme, host, language, path, request.META.get("QUERY_STRING", "")

    def _replay(self, request: HttpRequest, entry: tuple) -> HttpResponse:
        _token, _until, status, headers, content, compressed = entry
        if compressed and ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            response = HttpResponse(compressed, status=status, headers=headers)
            response["Content-Encoding"] = "gzip"
            response["Content-Length"] = str(len(compressed))
            response[HEADER] = HIT
            return response
        response = HttpResponse(content, status=status, headers=headers)
        response["Content-Length"] = str(len(content))
        response[HEADER] = HIT
        return response

    def _store(
        self,
        request: HttpRequest,
        response: HttpResponse,
        cache: BaseCache,
        key: str,
        identity: tuple[str, str, str, str, str],
        token: str,
        started: float,
    ) -> None:
        match = getattr(request, "resolver_match", None)
        if match is None or match.view_name not in CACHED_VIEWS:
            return
        if response.status_code != 200 or response.streaming:
            return
        if any(word in response.get("Cache-Control", "") for word in UNCACHEABLE_CONTROL):
            return
        if getattr(request, "LANGUAGE_CODE", None) != identity[2]:
            return
        content = response.content
        if len(content) > settings.PAGE_CACHE_MAX_BYTES:
            return
        # A cookie is the visitor's own: Django's CSRF cookie for a form that posts, say.
        if response.cookies:
            return
        try:
            if identity[4] and not variant_allowed(identity, cache):
                return
            until = _valid_until(cache, token, started)
            remaining = until - time.time()
            if remaining <= 0:
                return  # a scheduled change happened while the page was rendered
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in ("set-cookie", "content-length", HEADER.lower())
            ]
            compressed = None
            content_type = response.get("Content-Type", "").split(";")[0].strip()
            if (
                content_type in COMPRESSED_TYPES
                and len(content) >= COMPRESS_MIN_BYTES
                and not response.has_header("Content-Encoding")
            ):
                compressed = gzip.compress(content, compresslevel=COMPRESS_LEVEL, mtime=0)
                # Both forms of the page carry the same Vary, so shared caches keep them apart.
                patch_vary_headers(response, ("Accept-Encoding",))
                headers = [(n, v) for n, v in headers if n.lower() != "vary"]
                headers.append(("Vary", response["Vary"]))
            entry = (token, until, response.status_code, headers, content, compressed)
            cache.set(key, entry, timeout=max(1, int(remaining)))
            local_pages.keep(key, entry)
        except CACHE_ERRORS as error:
            logger.warning("Page cache: page not stored: %s", type(error).__name__)


# Per process: path -> whether it resolves to a view in CACHED_VIEWS. Saves the cache
# round trip for every other anonymous request; emptied when full (paths come from
# visitors).
_ALLOW_LISTED: dict[tuple[str, str], bool] = {}
_ALLOW_LISTED_MAX = 10_000


def _allow_listed(path: str, language: str) -> bool:
    key = (str(get_urlconf() or settings.ROOT_URLCONF), path)
    known = _ALLOW_LISTED.get(key)
    if known is None:
        if len(_ALLOW_LISTED) >= _ALLOW_LISTED_MAX:
            _ALLOW_LISTED.clear()
        with translation.override(language):  # i18n_patterns match the active language
            try:
                known = resolve(path).view_name in CACHED_VIEWS
            except Resolver404:
                known = False
        _ALLOW_LISTED[key] = known
    return known


def digest(identity: tuple[str, ...]) -> str:
    return hashlib.md5("\n".join(identity).encode(), usedforsecurity=False).hexdigest()


def variant_allowed(
    identity: tuple[str, str, str, str, str], cache: BaseCache | None = None
) -> bool:
    """At most PAGE_CACHE_MAX_VARIANTS query strings of one address are stored per hour.

    `identity` ends with the address and its query string; each call counts one.
    """
    cache = cache or page_cache()
    key = VARIANTS_KEY.format(digest=digest(identity[:4]))
    cache.add(key, 0, timeout=VARIANTS_WINDOW)
    try:
        return cache.incr(key) <= settings.PAGE_CACHE_MAX_VARIANTS
    except ValueError:  # expired in between
        return False
