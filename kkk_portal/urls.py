from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, register_converter

from . import views
from .models import PageSlug
from .sitemaps import SITEMAPS


class PageSlugConverter:
    """Only the slugs of the site's text pages, so they can live at the root."""

    regex = "|".join(PageSlug.values)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(PageSlugConverter, "page")

page_patterns = (
    [path("<page:slug>/", views.SitePageView.as_view(), name="detail")],
    "pages",
)

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # An index of one sitemap per section, each paginated: stays within the
    # 50,000-URL limit of a sitemap file however much content there is.
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("suche/", views.search, name="search"),
    path("", include(page_patterns)),
    path("", include("projects.urls")),
    path("", include("publications.urls")),
    path("", include("team.urls")),
    path("", include("counselling.urls")),
    path("admin/leitung/", include("counselling.leadership_urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

admin.site.site_header = "Kompetenzzentrum Kommunale Konfliktberatung"
admin.site.site_title = "KKK Verwaltung"
admin.site.index_title = "Verwaltung"
