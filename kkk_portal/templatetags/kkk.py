"""Site-wide template helpers."""

import contextlib
import datetime
from functools import partial

from django import template
from django.conf import settings
from django.template.loader_tags import BLOCK_CONTEXT_KEY
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from kkk_portal import page_cache
from kkk_portal.filter_html import filter_field_html
from kkk_portal.richtext import plain_text, to_rich_html
from kkk_portal.translation import (
    format_date,
    format_date_range,
    format_time_range,
    is_fallback,
    translated,
)
from projects.models import prefetch_card_places
from projects.versioned import per_content_version

register = template.Library()


@register.simple_tag
def localized(obj, field):
    """`field` in the page's language, German where no English version exists."""
    return translated(obj, field).text


@register.simple_tag(name="translated")
def translated_tag(obj, field):
    """`{% translated obj "title" as t %}`: t.text, t.lang, t.fallback (German shown)."""
    return translated(obj, field)


@register.simple_tag
def german_only(obj, *fields):
    """True when an English page shows only German text for `fields` (for the visible note)."""
    return is_fallback(obj, fields)


@register.filter
def local_date(value):
    """A day in the page's language: "16. November 2022" / "16 November 2022"."""
    return format_date(value)


@register.simple_tag
def event_when(event):
    """An event's day, times and time zone: "16 November 2022, 10:30–12:00 CET"."""
    return format_time_range(event.start, event.end)


@register.simple_tag
def filter_field(field, value=None, suggestions=None):
    """One field of a GET filter form in crispy's Bootstrap 5 markup (kkk_portal/filter_html.py)."""
    return filter_field_html(field, value=value, suggestions=suggestions)


@register.simple_tag
def runtime(project):
    """A project's runtime in words: "1. Juli 2019 – 30. Juni 2022"."""
    return format_date_range(project.start_date, project.end_date)


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (for pagination)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def block_text(context, name):
    """The rendered content of block `name` of the current page (e.g. the title).

    Lets base.html repeat a page's title and description in its meta tags
    without every template filling two blocks.
    """
    block_context = context.render_context.get(BLOCK_CONTEXT_KEY)
    node = block_context.get_block(name) if block_context else None
    if node is None:
        return ""
    # The block was rendered (and escaped) by the template engine.
    return mark_safe(" ".join(node.render(context).split()))  # noqa: S308


def _translated(path: str, code: str) -> str:
    """`path` in language `code`: the URLs differ only in their language prefix
    (`i18n_patterns` with the default language unprefixed, no translated paths), so
    the prefix is swapped, for pages that resolve and for those that do not (404)."""
    for other, _name in settings.LANGUAGES:
        prefix = f"/{other}/"
        if other != settings.LANGUAGE_CODE and path.startswith(prefix):
            path = path[len(prefix) - 1 :]
            break
    return path if code == settings.LANGUAGE_CODE else f"/{code}{path}"


def _page_query(request):
    """The part of the query string that selects a different page (pagination)."""
    page = request.GET.get("page", "")
    return f"?page={page}" if page.isdigit() and page != "1" else ""


@register.simple_tag(takes_context=True)
def language_versions(context):
    """This page in every language: [{"code", "name", "url", "absolute", "current"}].

    The URLs differ in their language prefix only, so /projekte/x/ becomes
    /en/projekte/x/ and back; the query string is kept for the visitor but
    only the page number for crawlers.
    """
    request = context.get("request")
    if request is None:
        return []
    current = get_language()
    # Asked for twice per page (the head's links, the language switch): worked out once.
    memo = getattr(request, "_language_versions", None)
    if memo is not None and memo[0] == current:
        return memo[1]
    versions = []
    for code, name in settings.LANGUAGES:
        url = _translated(request.get_full_path(), code)
        path = _translated(request.path, code)
        versions.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "absolute": request.build_absolute_uri(path + _page_query(request)),
                "current": code == current,
            }
        )
    request._language_versions = (current, versions)
    return versions


@register.filter
def rich(value: str | None) -> SafeString:
    """A rich text as safe HTML, cleaned once more against the allow-list (defence in depth)."""
    return mark_safe(to_rich_html(value))  # noqa: S308 - sanitised by nh3 just now


@register.filter
def plain(value: str | None) -> str:
    """A rich text as plain words (meta descriptions, teasers cut to length); escaped later."""
    return plain_text(value)


@register.filter
def machine_time(value):
    """A datetime as HTML's `datetime` attribute accepts it: local time, whole seconds.

    `date:'c'` keeps microseconds, which the HTML standard does not allow (at most three
    digits of a fraction of a second).
    """
    if not isinstance(value, datetime.datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


@register.simple_tag
def lang_attr(obj, field):
    """` lang="de"` where an English page shows the German text of `field` (no translation).

    Screen readers then read it with German pronunciation (WCAG 3.1.2, language of parts).
    Put it on the element that holds `{% localized obj field %}`.
    """
    if translated(obj, field).fallback:
        return mark_safe(' lang="de"')
    return ""


# --- Header and footer, rendered once per content version ---------------------------

# Stands in for the language switch in a stored header; replaced by the live switch,
# which depends on the path and query string of each request.
_LANGUAGE_SWITCH_MARK = "\x00language-switch\x00"
# The named pages of the main navigation (templates/includes/header.html).
_NAV_URL_NAMES = (
    "projects:focus_area_list",
    "projects:index",
    "publications:index",
    "publications:news_events",
    "team:index",
    "team:contact",
)


def _nav_paths(menus) -> frozenset[str]:
    """The paths the main navigation marks as the current page (aria-current)."""
    paths = set()
    for name in _NAV_URL_NAMES:
        with contextlib.suppress(NoReverseMatch):
            paths.add(reverse(name))
    paths.update(page.get_absolute_url() for page in menus["main"])
    return frozenset(paths)


def _render_include(context, template_name: str, **values) -> str:
    template = context.template.engine.get_template(template_name)
    with context.push(**values):
        return template.render(context)


@register.simple_tag(takes_context=True)
def project_card(context, project, siblings=()) -> SafeString:
    """projects/_card.html for `project`, kept per content version and language.

    A card shows only the project, its places and its status (which changes at
    midnight, a scheduled change), so one copy serves every list it appears in: the
    project list with any filter or page, home, fields of work and places.
    `siblings`, the list the card is part of, lets the first card that has to be
    rendered read the places of all of them in one query.
    """

    def build() -> str:
        prefetch_card_places([project, *siblings])
        return _render_include(context, "projects/_card.html", project=project)

    if context.get("preview"):
        return mark_safe(build())  # noqa: S308 – rendered by the engine
    return mark_safe(per_content_version(f"project-card:{project.pk}", build))  # noqa: S308


@register.simple_tag(takes_context=True)
def site_header(context) -> SafeString:
    """includes/header.html, kept per content version, language and active nav item.

    The header differs between pages only in the nav item marked as current and in the
    language switch: the stored copy is keyed on the path when the path is one of the
    navigation's, and the language switch is rendered for every request.
    """
    request = context.get("request")
    switch = _render_include(context, "includes/language_switch.html")
    if request is None or "site_menus" not in context:
        return mark_safe(_render_include(context, "includes/header.html", language_switch=switch))  # noqa: S308
    menus = context["site_menus"]
    nav_paths = per_content_version("nav-paths", lambda: _nav_paths(menus), look_up_schedule=False)
    variant = request.path if request.path in nav_paths else "-"
    html = per_content_version(
        f"header:{variant}",
        lambda: _render_include(
            context,
            "includes/header.html",
            language_switch=mark_safe(_LANGUAGE_SWITCH_MARK),  # noqa: S308
        ),
        look_up_schedule=False,
    )
    return mark_safe(html.replace(_LANGUAGE_SWITCH_MARK, switch))  # noqa: S308


@register.simple_tag(takes_context=True)
def site_footer(context) -> SafeString:
    """includes/footer.html, kept per content version and language (the same on every page)."""
    if "site_menus" not in context:
        return mark_safe(_render_include(context, "includes/footer.html"))  # noqa: S308
    return mark_safe(  # noqa: S308
        per_content_version(
            "footer",
            lambda: _render_include(context, "includes/footer.html"),
            look_up_schedule=False,
        )
    )


class PerContentVersionNode(template.Node):
    def __init__(
        self, name: str, nodelist: template.NodeList, *, per_path: bool, per_query: bool = False
    ) -> None:
        self.name = name
        self.nodelist = nodelist
        self.per_path = per_path
        self.per_query = per_query

    def render(self, context) -> SafeString:
        def build() -> str:
            # The view's own preparation of what only the fragment needs (prefetches,
            # lists): done when the fragment is rendered, skipped when a copy is used.
            prepare = context.get("prepare_fragment")
            values = prepare() if callable(prepare) else None
            with context.push(**(values or {})):
                return str(self.nodelist.render(context))

        name = self.name
        may_keep = None
        if context.get("preview"):
            return mark_safe(build())  # noqa: S308 – a staff preview shows unsaved states
        if self.per_path:
            request = context.get("request")
            query = request.META.get("QUERY_STRING", "") if request is not None else ""
            if request is None or (query and not self.per_query):
                return mark_safe(build())  # noqa: S308 – rendered by the engine
            name = f"{name}:{request.path}"
            if query:
                # Query strings come from visitors: as many per address and hour as
                # the page cache stores (PAGE_CACHE_MAX_VARIANTS), counted apart.
                name = f"{name}?{page_cache.digest((query,))}"
                identity = ("fragment", self.name, get_language(), request.path, query)
                may_keep = partial(page_cache.variant_allowed, identity)
        # A page's body: the first request after a change also works out when the next
        # scheduled change is due (one query per content type), so the copy is kept
        # even where no page cache or filter did that before.
        return mark_safe(per_content_version(f"fragment:{name}", build, may_keep=may_keep))  # noqa: S308


@register.tag("per_content_version")
def per_content_version_tag(parser, token) -> PerContentVersionNode:
    """`{% per_content_version "name" %}…{% end_per_content_version %}`: a fragment kept
    per content version and language (projects/versioned.py).

    Only for fragments that depend on nothing but the public content, the language
    and the date (and, with `per_query`, the query string): no user, form that posts
    or CSRF token. With `per_path` the copy
    is kept per path (for a page's object) and only for requests without a query
    string; with `per_path per_query` also per query string, for a fragment that depends
    on nothing else of the request (a list with its GET filter form and page number),
    as many query strings per address as the page cache keeps. Whatever the fragment
    needs should be lazy, so a copy saves its queries:
    querysets, lazy objects, and a callable `prepare_fragment` in the context, which is
    called right before the fragment is rendered (e.g. `prefetch_related_objects`) and
    may return a dict of further values for the fragment.
    """
    bits = token.split_contents()
    options = bits[2:]
    if (
        len(bits) < 2
        or options not in ([], ["per_path"], ["per_path", "per_query"])
        or bits[1][0] not in "\"'"
        or bits[1][0] != bits[1][-1]
    ):
        raise template.TemplateSyntaxError(
            'usage: {% per_content_version "name" [per_path [per_query]] %}'
            "…{% end_per_content_version %}"
        )
    nodelist = parser.parse(("end_per_content_version",))
    parser.delete_first_token()
    return PerContentVersionNode(
        bits[1][1:-1], nodelist, per_path="per_path" in options, per_query="per_query" in options
    )
