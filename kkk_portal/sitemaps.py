"""sitemap.xml: every public page in German and English, with hreflang alternates.

`/sitemap.xml` is an index pointing to one sitemap per section below.

Sections whose URLs are not (yet) configured are left out instead of breaking
the whole sitemap.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse

from projects.models import FocusArea, Municipality, Project
from publications.models import Event, NewsPost, Publication

from .models import SitePage

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


class ModelSitemap(BilingualSitemap):
    """Rows of a model with a page; empty while that page's URL does not exist.

    `lastmod` is the row's own `updated_at`, so it moves only when an editor
    (or `load_content`) changes the content, never on each request.
    """

    url_name = ""
    changefreq = "monthly"

    def queryset(self):
        raise NotImplementedError

    def items(self):
        if not _resolvable(self.url_name, slug="x"):
            return []
        return self.queryset()

    def lastmod(self, obj):
        return getattr(obj, "updated_at", None)


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
    lastmod = None  # a place's page changes with its projects, which have their own lastmod

    def queryset(self):
        # The places the municipality list shows, districts included (two queries).
        return sorted(Municipality.objects.with_published_projects(), key=lambda m: m.slug)


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


class SitePageSitemap(ModelSitemap):
    url_name = "pages:detail"
    priority = 0.3
    changefreq = "yearly"

    def items(self):
        published = SitePage.objects.published()
        # A page below a hidden page is hidden too.
        visible = published.filter(Q(parent__isnull=True) | Q(parent__in=published))
        return visible.select_related("parent").order_by("slug")


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
