"""sitemap.xml: every public page in German and English, with hreflang alternates.

`/sitemap.xml` is an index pointing to one sitemap per section below.

Sections whose URLs are not (yet) configured are left out instead of breaking
the whole sitemap.
"""

import datetime
from html import escape

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core import paginator
from django.db.models import Count, F, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from projects.models import FocusArea, Project
from projects.versioned import per_content_version
from publications.models import Event, NewsPost, Publication

from .models import SitePage
from .search import places_with_published_work

# Reversed in place of the slug, then replaced by each row's slug.
SLUG_MARK = "0slug0mark0"

# Overview pages, in the order a visitor meets them.
STATIC_URL_NAMES = [
    "home",
    "projects:focus_area_list",
    "projects:index",
    "projects:municipality_list",
    "publications:index",
    "publications:news_events",
    "publications:event_archive",
    "team:index",
    "team:contact",
    "counselling:request",
]


def _resolvable(name, **kwargs):
    try:
        reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return False
    return True


class BilingualSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    # URLs per sitemap page (each item counts once per language).
    limit = 2000


class StaticPageSitemap(BilingualSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return [name for name in STATIC_URL_NAMES if _resolvable(name)]

    def location(self, item):
        return reverse(item)


class _LanguagePairs:
    """The (row, language) pairs Django's i18n sitemap pages through, read lazily.

    Counting is one COUNT query and a page reads only its own rows, instead of
    every row of the section for every page and for the index.
    """

    def __init__(self, rows: QuerySet, languages: list[str], row_count: int | None = None):
        self.rows = rows
        self.languages = languages
        # Known already (the index reads it with the latest lastmod): no COUNT query.
        self.row_count = row_count

    def count(self) -> int:
        rows = self.rows.count() if self.row_count is None else self.row_count
        return rows * len(self.languages)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[tuple[tuple, str]]:
        per_row = len(self.languages)
        start, stop = index.start or 0, index.stop
        rows = self.rows[start // per_row : -(-stop // per_row)]
        pairs = [(row, lang) for row in rows for lang in self.languages]
        offset = start - (start // per_row) * per_row
        return pairs[offset : offset + (stop - start)]


class ModelSitemap(BilingualSitemap):
    """Rows of a model with a page; empty while that page's URL does not exist.

    `lastmod` is the row's own `updated_at`, so it moves only when an editor
    (or `load_content`) changes the content, never on each request.

    Rows are read as (slug, updated_at) tuples, page by page, and each language's
    address is the reversed URL with the slug put in: no model instances and one
    `reverse()` per language, however many rows.
    """

    url_name = ""
    changefreq = "monthly"
    lastmod_field: str | None = "updated_at"

    def queryset(self) -> QuerySet:
        raise NotImplementedError

    def rows(self) -> QuerySet:
        fields = ["slug", self.lastmod_field] if self.lastmod_field else ["slug"]
        return self.queryset().values_list(*fields)

    def items(self):
        if not _resolvable(self.url_name, slug="x"):
            return self.rows().none()
        return self.rows()

    @property
    def paginator(self) -> paginator.Paginator:
        summary = self.__dict__.get("_summary")
        pairs = _LanguagePairs(
            self.items(), self._languages(), summary["count"] if summary else None
        )
        return paginator.Paginator(pairs, self.limit)

    def summary(self) -> dict:
        """The number of rows and the latest lastmod, read in one query and kept for
        this request (the index asks for both: one query per section, not two), and per
        content version once the next scheduled change is known (projects/versioned.py):
        counting the places with published work reads every project link."""
        if "_summary" not in self.__dict__:
            if not _resolvable(self.url_name, slug="x"):
                self._summary = {"count": 0, "latest": None}
            else:
                self._summary = per_content_version(
                    f"sitemap-summary:{type(self).__name__}",
                    self._read_summary,
                    look_up_schedule=False,
                )
        return self._summary

    def _read_summary(self) -> dict:
        aggregates = {"count": Count("pk")}
        if self.lastmod_field:
            aggregates["latest"] = Max(self.lastmod_field)
        return {"latest": None} | self.queryset().aggregate(**aggregates)

    def get_latest_lastmod(self):
        return self.summary()["latest"]

    def _address(self, lang_code: str, slug: str) -> str:
        templates = self.__dict__.setdefault("_templates", {})
        if lang_code not in templates:
            with translation.override(lang_code):
                templates[lang_code] = reverse(self.url_name, kwargs={"slug": SLUG_MARK})
        return templates[lang_code].replace(SLUG_MARK, slug, 1)

    def location(self, item):
        return self._address(translation.get_language(), item[0])

    def lastmod(self, item):
        return item[1] if self.lastmod_field else None

    def _page_pairs(self, page) -> list[tuple[tuple, str]]:
        """The (row, language) pairs of sitemap page `page`, as `paginator.page(page)` gives
        them (and its errors, which the view turns into a 404), in one query: the page's
        rows only, no COUNT first (an empty page past the first is the "no results" 404)."""
        try:
            number = int(page)
        except (TypeError, ValueError) as error:
            raise paginator.PageNotAnInteger("That page number is not an integer") from error
        if number < 1:
            raise paginator.EmptyPage("That page number is less than 1")
        languages = self._languages()
        per_row = len(languages)
        start, stop = (number - 1) * self.limit, number * self.limit
        rows = list(self.items()[start // per_row : -(-stop // per_row)])
        if not rows and number > 1:
            raise paginator.EmptyPage("That page contains no results")
        pairs = [(row, lang) for row in rows for lang in languages]
        offset = start - (start // per_row) * per_row
        return pairs[offset : offset + self.limit]

    def _urls(self, page, protocol, domain):
        """Django's entries (location, lastmod, alternates with x-default), built from
        the per-language address templates without switching the language per URL."""
        base = f"{protocol}://{domain}"
        languages = self._languages()
        default = settings.LANGUAGE_CODE
        urls = []
        latest = None
        alternates, alternates_of = [], None
        for row, lang_code in self._page_pairs(page):
            slug = row[0]
            lastmod = row[1] if self.lastmod_field else None
            if lastmod is not None and (latest is None or lastmod > latest):
                latest = lastmod
            if slug != alternates_of:
                # The same list for each language of a row (render_urlset writes it once).
                alternates_of = slug
                alternates = [
                    {"location": base + self._address(code, slug), "lang_code": code}
                    for code in languages
                ]
                if self.x_default and default in languages:
                    location = base + self._address(default, slug)
                    location = location.replace(f"/{default}/", "/", 1)
                    alternates.append({"location": location, "lang_code": "x-default"})
            urls.append(
                {
                    "item": row,
                    "location": base + self._address(lang_code, slug),
                    "lastmod": lastmod,
                    "changefreq": self.changefreq,
                    "priority": str(self.priority if self.priority is not None else ""),
                    "alternates": alternates,
                }
            )
        if latest is not None:
            self.latest_lastmod = latest
        return urls


class FocusAreaSitemap(ModelSitemap):
    url_name = "projects:focus_area"
    priority = 0.7

    def queryset(self):
        return FocusArea.objects.published().order_by("order", "pk")


class ProjectSitemap(ModelSitemap):
    url_name = "projects:detail"
    priority = 0.6

    def queryset(self):
        return Project.objects.published().order_by("-start_date", "pk")


class MunicipalitySitemap(ModelSitemap):
    url_name = "projects:municipality"
    priority = 0.4
    # A place's page changes with its projects, which have their own lastmod.
    lastmod_field = None

    def queryset(self):
        # The places the municipality list shows: with a published project, directly
        # or in one of their member towns.
        return places_with_published_work().order_by("slug")


class PublicationSitemap(ModelSitemap):
    url_name = "publications:detail"
    priority = 0.6

    def queryset(self):
        return Publication.objects.published().order_by(F("date").desc(nulls_last=True), "pk")


class NewsSitemap(ModelSitemap):
    url_name = "publications:news_detail"
    priority = 0.5

    def queryset(self):
        return NewsPost.objects.published().order_by("-published_at", "pk")


class EventSitemap(ModelSitemap):
    url_name = "publications:event_detail"
    priority = 0.5

    def queryset(self):
        return Event.objects.published().order_by("-start", "pk")


class SitePageSitemap(BilingualSitemap):
    """The few text pages, as model instances (a child page's address names its parent)."""

    priority = 0.3
    changefreq = "yearly"

    def items(self):
        # Read once per request: the index asks for the pages and their latest lastmod.
        if "_visible" not in self.__dict__:
            if not _resolvable("pages:detail", slug="x"):
                self._visible = []
            else:
                published = SitePage.objects.published()
                # A page below a hidden page is hidden too.
                visible = published.filter(Q(parent__isnull=True) | Q(parent__in=published))
                self._visible = list(visible.select_related("parent").order_by("slug"))
        return self._visible

    def lastmod(self, obj):
        return getattr(obj, "updated_at", None)


SITEMAPS = {
    "static": StaticPageSitemap,
    "focus-areas": FocusAreaSitemap,
    "projects": ProjectSitemap,
    "municipalities": MunicipalitySitemap,
    "publications": PublicationSitemap,
    "news": NewsSitemap,
    "events": EventSitemap,
    "pages": SitePageSitemap,
}


def _day(value, zone) -> str:
    """A lastmod as the sitemap template's `date:"Y-m-d"` writes it (in local time)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zone)
        value = value.date()
    return value.isoformat()


def render_urlset(urlset: list[dict]) -> bytes:
    """The XML of Django's sitemap.xml template, built as a string: a page holds up to
    2,000 URLs with their alternates, too many for the template engine to be quick.
    (The standard library's escape gives the same entities as Django's, much faster.)"""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    ]
    zone = timezone.get_current_timezone()
    written, links = None, ""
    for url in urlset:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        if url["lastmod"]:
            parts.append(f"<lastmod>{_day(url['lastmod'], zone)}</lastmod>")
        if url["changefreq"]:
            parts.append(f"<changefreq>{escape(url['changefreq'])}</changefreq>")
        if url["priority"]:
            parts.append(f"<priority>{escape(url['priority'])}</priority>")
        if url["alternates"] is not written:
            written = url["alternates"]
            links = "".join(
                f'<xhtml:link rel="alternate" hreflang="{escape(alternate["lang_code"])}" '
                f'href="{escape(alternate["location"])}"/>'
                for alternate in written
            )
        parts.append(links)
        parts.append("</url>")
    parts.append("\n</urlset>\n")
    return "".join(parts).encode()


def section_view(request: HttpRequest, section: str) -> HttpResponse:
    """`/sitemap-<section>.xml`: Django's sitemap view (pages, 404s, Last-Modified),
    its XML written by `render_urlset` instead of the template."""
    response = sitemap_views.sitemap(request, sitemaps=SITEMAPS, section=section)
    if isinstance(response, TemplateResponse) and not response.is_rendered:
        response.content = render_urlset(response.context_data["urlset"])
    return response
