"""Site search over everything public: fields of work, places, projects,
publications, news, events, the text pages and the (real, not example) team.

On PostgreSQL: full-text search with the German configuration, ranked, with
highlighted snippets from `ts_headline`. Every table but the team's keeps its
vector in a GIN-indexed column that a database trigger fills (`section_vector`
describes it); the team's few rows compute it. Each section's SQL is compiled
once per process, language and query shape (`_statement`): a search only puts its
own words and the current time into the parameters.
Elsewhere (SQLite in development and tests): every word must occur somewhere
(`icontains`), snippets are cut in Python. Either way each section costs exactly
one query, whatever it finds: the total count comes from a window function
beside the limited rows.

Snippets are safe HTML: the text is escaped and only our own `<mark>` tags are
added around the hits. Rich texts (stored as HTML) are searched and cut without
their tags and entities: no markup of a text reaches a snippet.
"""

from __future__ import annotations

import datetime
import functools
import html as html_lib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection, models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    TextField,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Concat
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from projects.models import FocusArea, Municipality, Project
from publications.models import Event, NewsPost, Publication
from team.models import TeamMember

from .models import SitePage
from .publishing import PREVIEWING
from .richtext import RichTextField, plain_text
from .translation import (
    current_language,
    is_fallback,
    translated,
    translated_expression,
    translated_text,
)

# Private-use characters mark hits inside ts_headline's output; they are
# turned into <mark> only after the text has been escaped.
START, STOP = "\ue000", "\ue001"
# Stand-ins compiled into a section's SQL once (`_statement`) and replaced by each
# search's own words and time. `clean_query` removes the private-use character from
# every input, so no search can contain them.
QUERY_MARK, PREFIX_MARK = "\ue002query\ue002", "\ue002prefix\ue002"
NOW_MARK = datetime.datetime(1901, 1, 1, 0, 0, 0, 190101, tzinfo=datetime.UTC)
SNIPPET_CHARS = 220
MAX_QUERY_LENGTH = 200


def places_with_published_work(now: datetime.datetime | None = None) -> models.QuerySet:
    """The places with a page: a published project there or in one of their member towns.

    Two correlated EXISTS per place (a link to it, or to one of its member towns, whose
    project is published): a few index look-ups per place, so a filter on the places
    (a search term) is applied first, and no list of all published projects is built.
    """
    links = Project.municipalities.through.objects.filter(
        Exists(Project.objects.published(now).filter(pk=OuterRef("project_id")))
    )
    return Municipality.objects.filter(
        Exists(links.filter(municipality_id=OuterRef("pk")))
        | Exists(links.filter(municipality__district_id=OuterRef("pk")))
    )


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    queryset: Callable[..., models.QuerySet]  # the public rows (now=None: at this moment)
    title: str  # German field; its "_en" twin is used on English pages if title_twin
    fields: tuple  # (name, has_english_twin) searched besides the title
    snippet_fields: tuple  # shown below the title
    date_field: str | None = None
    title_twin: bool = True  # False for names of people and places (no language)
    related: tuple = ()  # fetched beside the hits (a page's parent for its address)


SECTIONS = (
    Section(
        "arbeitsfelder",
        _("Arbeitsfelder"),
        lambda now=None: FocusArea.objects.published(now),
        "title",
        (("intro", True), ("body", True)),
        ("intro", "body"),
    ),
    Section(
        "orte",
        _("Orte"),
        # The places with a page (a published project there or in a member town);
        # subqueries, so the window count sees each place once.
        lambda now=None: places_with_published_work(now).annotate(
            district_name=F("district__name")
        ),
        "name",
        (("ags", False),),
        (),
        title_twin=False,
    ),
    Section(
        "projekte",
        _("Projekte"),
        lambda now=None: Project.objects.published(now),
        "title",
        (("summary", True), ("description", True)),
        ("summary", "description"),
        "start_date",
    ),
    Section(
        "publikationen",
        _("Publikationen"),
        lambda now=None: Publication.objects.published(now),
        "title",
        (("authors", False), ("abstract", True)),
        ("abstract",),
        "date",
    ),
    Section(
        "neuigkeiten",
        _("Neuigkeiten"),
        lambda now=None: NewsPost.objects.published(now),
        "title",
        (("teaser", True), ("body", True)),
        ("teaser", "body"),
        "published_at",
    ),
    Section(
        "veranstaltungen",
        _("Veranstaltungen"),
        lambda now=None: Event.objects.published(now),
        "title",
        (("teaser", True), ("description", True), ("venue", False), ("organiser", False)),
        ("teaser", "description"),
        "start",
    ),
    Section(
        "seiten",
        _("Seiten"),
        lambda now=None: SitePage.objects.published(now),
        "title",
        (("body", True),),
        ("body",),
        related=("parent",),
    ),
    Section(
        "team",
        _("Team"),
        lambda now=None: TeamMember.objects.published(now),
        "name",
        (("role", True), ("bio", True)),
        ("role", "bio"),
        title_twin=False,
    ),
)
SECTION_KEYS = [s.key for s in SECTIONS]


@dataclass
class Hit:
    title: str
    url: str
    snippet: str
    date: object = None
    # "de" where an English page shows German text (no English version entered),
    # so screen readers pronounce it as German (WCAG 3.1.2).
    title_lang: str = ""
    snippet_lang: str = ""


@dataclass
class Group:
    key: str
    label: str
    total: int = 0
    hits: list = field(default_factory=list)


def uses_postgres():
    return connection.vendor == "postgresql"


def clean_query(text):
    """Collapse whitespace and drop control characters; None if nothing is left."""
    text = re.sub(r"[\x00-\x1f\x7f\ue000-\ue002]", " ", text or "")
    text = " ".join(text.split())
    return text or None


def _english():
    return current_language() == "en"


def _german_fallback(obj, names):
    """'de' when an English page shows only the German text of `names`."""
    return "de" if names and is_fallback(obj, names) else ""


def _place_snippet(obj):
    """What a place is: kind, district and Land (no free text to cut a snippet from)."""
    parts = [obj.get_kind_display()]
    if obj.district_name:
        parts.append(obj.district_name)
    parts.append(obj.get_state_display())
    return " · ".join(str(p) for p in parts if p)


def _url(section, obj):
    if hasattr(obj, "get_absolute_url"):
        try:
            return obj.get_absolute_url()
        except NoReverseMatch:
            return ""
    try:  # team members have no page of their own: link the team page
        return reverse("team:index") + f"#{obj.slug}"
    except NoReverseMatch:
        return ""


def _searched_names(section):
    names = [section.title, f"{section.title}_en"] if section.title_twin else [section.title]
    for name, twin in section.fields:
        names.append(name)
        if twin:
            names.append(f"{name}_en")
    return names


def _safe_headline(text):
    """Escape `text`, then turn balanced START…STOP pairs into <mark>…</mark>.

    The text comes without tags (`_without_tags`); its entities ("&amp;") are decoded
    first so they are escaped once, not twice.
    """
    escaped = escape(" ".join(html_lib.unescape(text or "").split()))
    marked = re.sub(f"{START}(.*?){STOP}", r"<mark>\1</mark>", escaped, flags=re.S)
    return mark_safe(marked.replace(START, "").replace(STOP, ""))  # noqa: S308 - escaped above


def python_snippet(text, terms, length=SNIPPET_CHARS):
    """A window of `text` around the first hit, escaped, with every hit in <mark>."""
    text = " ".join((text or "").split())
    lowered = text.lower()
    positions = [lowered.find(t.lower()) for t in terms if t and t.lower() in lowered]
    first = min(positions) if positions else 0
    start = max(0, first - length // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first else end
    window = text[start:end]
    pattern = "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True) if t)
    parts = re.split(f"({pattern})", window, flags=re.I) if pattern else [window]
    html = "".join(
        f"<mark>{escape(part)}</mark>" if i % 2 else escape(part) for i, part in enumerate(parts)
    )
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 - every part escaped


def prefix_tsquery(query):
    """A raw tsquery matching word beginnings: "Altmark -Lärm" -> "altmark:* & !lärm".

    Only word characters reach the raw syntax, so no input can break it.
    Phrases and "or" are left to the websearch query alone.
    """
    if '"' in query or re.search(r"\bor\b", query, re.I):
        return ""
    parts = []
    for token in query.split()[:10]:
        negated = token.startswith("-") and len(token) > 1
        for word in re.findall(r"\w+", token):
            word = word.replace("_", "").lower()
            if word:
                parts.append(f"!{word}" if negated else f"{word}:*")
    if not any(not p.startswith("!") for p in parts):
        return ""
    return " & ".join(parts)


def _is_rich(section: Section, name: str) -> bool:
    """Is `name` (or its German twin) a rich-text field, stored as HTML?"""
    return _is_rich_field(section.key, name.removesuffix("_en"))


@functools.cache
def _is_rich_field(key: str, name: str) -> bool:
    section = next(s for s in SECTIONS if s.key == key)
    model = section.queryset().model
    return isinstance(model._meta.get_field(name), RichTextField)


def _snippet_text(section, obj, name, *, translate=True):
    """The text of `name` for a snippet: rich texts without tags and entities."""
    text = translated_text(obj, name) if translate else getattr(obj, name) or ""
    return plain_text(text) if _is_rich(section, name) else text


def _without_tags(expression):
    """SQL: the text with every tag replaced by a space (rich texts are stored as HTML)."""
    return Func(
        expression,
        Value("<[^>]*>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def section_vector(section):
    """The weighted search vector of a section's rows: title A, fields B, English twins C.

    The big tables store it (`search_vector`, filled by a PostgreSQL trigger of the
    same order and weights, see projects/publications migrations "search_vector");
    the small ones (fields of work, pages, team) compute it per query.
    """
    weighted = SearchVector(section.title, weight="A", config="german")
    if section.title_twin:
        weighted += SearchVector(f"{section.title}_en", weight="A", config="german")
    for name, twin in section.fields:
        weighted += SearchVector(name, weight="B", config="german")
        if twin:
            weighted += SearchVector(f"{name}_en", weight="C", config="german")
    return weighted


def has_stored_vector(model) -> bool:
    return any(f.name == "search_vector" for f in model._meta.concrete_fields)


def _postgres_queryset(
    section: Section, query: str, prefix: str, limit: int, now: datetime.datetime | None
) -> models.QuerySet:
    """The section's hits as an ORM query: ranked, with snippet and total count."""
    search_query = SearchQuery(query, config="german", search_type="websearch")
    if prefix:
        # German compounds: "Altmark" should also find "Altmarkkreis".
        search_query |= SearchQuery(prefix, config="german", search_type="raw")
    annotations = {"rank": SearchRank(F("search_vector"), search_query)}
    if section.snippet_fields:
        parts = []
        for name in section.snippet_fields:
            expression = translated_expression(name)
            parts.append(_without_tags(expression) if _is_rich(section, name) else expression)
            parts.append(Value(" … "))
        source = Concat(*parts[:-1], output_field=TextField()) if len(parts) > 2 else parts[0]
        annotations["headline"] = SearchHeadline(
            source,
            search_query,
            config="german",
            start_sel=START,
            stop_sel=STOP,
            max_words=35,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
    rows = section.queryset(now)
    if has_stored_vector(rows.model):
        rows = rows.defer("search_vector")  # matched and ranked in the database only
    else:
        rows = rows.alias(search_vector=section_vector(section))
    return (
        rows.filter(search_vector=search_query)
        .annotate(**annotations, total=Window(Count("pk")))
        .order_by("-rank", "pk")[:limit]
    )


@dataclass(frozen=True)
class Statement:
    """A section's compiled SQL with stand-ins for the words and the time."""

    model: type[models.Model]
    sql: str
    params: tuple

    def bind(self, query: str, prefix: str, now: datetime.datetime) -> list:
        params = []
        for param in self.params:
            if isinstance(param, datetime.datetime) and param == NOW_MARK:
                param = now
            elif param == QUERY_MARK:
                param = query
            elif param == PREFIX_MARK:
                param = prefix
            params.append(param)
        return params


_STATEMENTS: dict[tuple, Statement] = {}


def _statement(section: Section, *, prefixed: bool, limit: int) -> Statement:
    """The section's SQL, compiled once per process, language, query shape and limit.

    Building and compiling the ORM query costs about as much as running it; the SQL
    differs only in its parameters from one search to the next.
    """
    key = (section.key, current_language(), prefixed, limit, settings.DEBUG)
    statement = _STATEMENTS.get(key)
    if statement is None:
        queryset = _postgres_queryset(
            section, QUERY_MARK, PREFIX_MARK if prefixed else "", limit, NOW_MARK
        )
        sql, params = queryset.query.sql_with_params()
        marks = [p for p in params if p in (QUERY_MARK, PREFIX_MARK) or p == NOW_MARK]
        if QUERY_MARK in sql or NOW_MARK not in marks or QUERY_MARK not in marks:
            raise AssertionError(f"search section {section.key}: stand-ins not in parameters")
        statement = _STATEMENTS[key] = Statement(queryset.model, sql, tuple(params))
    return statement


def _postgres_rows(section: Section, query: str, limit: int) -> list[models.Model]:
    prefix = prefix_tsquery(query)
    if PREVIEWING.get() is not None:  # a staff preview: this request's own visibility rule
        return list(_postgres_queryset(section, query, prefix, limit, None))
    statement = _statement(section, prefixed=bool(prefix), limit=limit)
    params = statement.bind(query, prefix, timezone.now())
    return list(statement.model.objects.raw(statement.sql, params))


# One stand-in per word of a SQLite search (at most ten words are searched).
TERM_MARK = "\ue002term{}\ue002"


@dataclass(frozen=True)
class FallbackStatement:
    """A section's compiled SQLite search with stand-ins for the words and the time."""

    model: type[models.Model]
    sql: str
    params: tuple
    now_param: object

    def bind(self, terms: list[str], now: datetime.datetime) -> list:
        like = connection.ops.prep_for_like_query
        words = {f"%{TERM_MARK.format(n)}%": f"%{like(term)}%" for n, term in enumerate(terms)}
        now_param = connection.ops.adapt_datetimefield_value(now)
        params = []
        for param in self.params:
            if param == self.now_param:
                param = now_param
            elif isinstance(param, str):
                param = words.get(param, param)
            params.append(param)
        return params


_FALLBACK_STATEMENTS: dict[tuple, FallbackStatement] = {}


def _fallback_statement(section: Section, *, words: int, limit: int) -> FallbackStatement:
    """The section's SQLite search, compiled once per process, language, number of words
    and limit (as `_statement` for PostgreSQL): building and compiling its `icontains`
    conditions cost more than running them."""
    key = (section.key, current_language(), words, limit, settings.DEBUG)
    statement = _FALLBACK_STATEMENTS.get(key)
    if statement is None:
        marks = [TERM_MARK.format(n) for n in range(words)]
        queryset = _fallback_rows(section, marks, limit, now=NOW_MARK)
        sql, params = queryset.query.sql_with_params()
        now_param = connection.ops.adapt_datetimefield_value(NOW_MARK)
        stand_ins = {f"%{mark}%" for mark in marks}
        found = {p for p in params if isinstance(p, str) and p in stand_ins}
        # Every word and the time are parameters, none written into the SQL, and no
        # other value was derived from the stand-in time (e.g. its date).
        leaked = "\ue002" in sql or any(
            p != now_param and str(NOW_MARK.year) in str(p) for p in params
        )
        if found != stand_ins or now_param not in params or leaked:
            raise AssertionError(f"search section {section.key}: stand-ins not in parameters")
        statement = _FALLBACK_STATEMENTS[key] = FallbackStatement(
            queryset.model, sql, tuple(params), now_param
        )
    return statement


def _fallback_search(section: Section, terms: list[str], limit: int) -> list[models.Model]:
    if PREVIEWING.get() is not None:  # a staff preview: this request's own visibility rule
        return list(_fallback_rows(section, terms, limit))
    statement = _fallback_statement(section, words=len(terms), limit=limit)
    params = statement.bind(terms, timezone.now())
    return list(statement.model.objects.raw(statement.sql, params))


def _fallback_rows(
    section: Section, terms: list[str], limit: int, now: datetime.datetime | None = None
) -> models.QuerySet:
    names = _searched_names(section)
    condition = Q()
    for term in terms:
        any_field = Q()
        for name in names:
            any_field |= Q(**{f"{name}__icontains": term})
        condition &= any_field
    title_hit = Q()
    for term in terms:
        title_hit |= Q(**{f"{section.title}__icontains": term})
    order = f"-{section.date_field}" if section.date_field else section.title
    return (
        section.queryset(now)
        .filter(condition)
        .annotate(
            title_rank=Case(When(title_hit, then=1), default=0, output_field=IntegerField()),
            total=Window(Count("pk")),
        )
        .order_by("-title_rank", order, "pk")[:limit]
    )


def search(query, *, sections=SECTION_KEYS, limit=10):
    """Groups of hits for `query`, one query per section."""
    query = clean_query(query)
    if not query:
        return []
    query = query[:MAX_QUERY_LENGTH]
    terms = query.split()[:10]
    postgres = uses_postgres()
    groups = []
    for section in SECTIONS:
        if section.key not in sections:
            continue
        if postgres:
            rows = _postgres_rows(section, query, limit)
        else:
            rows = _fallback_search(section, terms, limit)
        if rows and section.related:
            prefetch_related_objects(rows, *section.related)
        group = Group(section.key, section.label, total=rows[0].total if rows else 0)
        for obj in rows:
            if not section.snippet_fields:
                snippet = escape(_place_snippet(obj)) if section.key == "orte" else ""
            elif postgres:
                snippet = _safe_headline(obj.headline)
            else:
                text = " … ".join(
                    t for t in (_snippet_text(section, obj, n) for n in section.snippet_fields) if t
                )
                if not any(t.lower() in text.lower() for t in terms):
                    # The hit is in another field: show that one instead.
                    for name in _searched_names(section)[1:]:
                        candidate = _snippet_text(section, obj, name, translate=False)
                        if any(t.lower() in candidate.lower() for t in terms):
                            text = candidate
                            break
                snippet = python_snippet(text, terms)
            group.hits.append(
                Hit(
                    # Names of people and places have no language: translated() keeps them.
                    title=translated(obj, section.title).text,
                    url=_url(section, obj),
                    snippet=snippet,
                    date=getattr(obj, section.date_field) if section.date_field else None,
                    title_lang=_german_fallback(obj, [section.title]),
                    snippet_lang=_german_fallback(obj, section.snippet_fields),
                )
            )
        groups.append(group)
    return groups
