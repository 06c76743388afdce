from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from counselling import calendar_feed

from . import admin_guards, health, preview, sitemaps, views
from .account_urls import password_reset_urlpatterns
from .admin_i18n import AdminJavaScriptCatalog
from .sitemaps import SITEMAPS

# Text pages live at the site's root (/impressum/, /angebot/ab-c/). They come last, so
# every other route wins; SitePage.clean refuses a slug another route already answers.
page_patterns = (
    [
        path("<slug:slug>/", views.SitePageView.as_view(), name="detail"),
        path("<slug:parent>/<slug:slug>/", views.SitePageView.as_view(), name="child"),
    ],
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
    path("sitemap-<section>.xml", sitemaps.section_view, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Browsers and crawlers ask for /favicon.ico whatever the page's <link> says.
    path("favicon.ico", views.favicon, name="favicon"),
    # Probes: outside the language prefix, no session, never cached (kkk_portal/health.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # A counsellor's private iCal feed: no language prefix, no login (counselling/calendar_feed.py).
    path("kalender/<str:token>.ics", calendar_feed.feed, name="counsellor_calendar"),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("suche/", views.search, name="search"),
    path("", include("projects.urls")),
    path("", include("publications.urls")),
    path("", include("team.urls")),
    path("", include("counselling.urls")),
    path("admin/leitung/", include("counselling.leadership_urls")),
    # Second factor, keep-alive and password reset for staff (before the admin's catch-all).
    path("admin/konto/", include("kkk_portal.account_urls")),
    path("admin/", include(password_reset_urlpatterns)),
    # "View on site" that does not reveal which confidential ids exist, and autocomplete
    # that refuses reverse relations instead of failing (admin_guards.py).
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin_guards.guarded_shortcut,
        name="admin_view_on_site",
    ),
    path("admin/autocomplete/", admin_guards.guarded_autocomplete, name="admin_autocomplete"),
    # Django's admin JS catalog plus the German strings its catalog lacks (admin_i18n.py).
    path(
        "admin/jsi18n/",
        admin.site.admin_view(AdminJavaScriptCatalog.as_view(), cacheable=True),
        name="admin_jsi18n",
    ),
    # Staff preview of unpublished content, in the page's language (preview.py).
    path("admin/vorschau/<str:label>/<int:pk>/", preview.preview, name="preview"),
    path("admin/", admin.site.urls),
    path("", include(page_patterns)),
    prefix_default_language=False,
)

# A 400 page that works when the Host header itself is the problem (errors.py).
handler400 = "kkk_portal.errors.bad_request"
# A database that cannot be reached answers 503 with a page, anything else 500.
handler500 = "kkk_portal.errors.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

admin.site.site_header = "Kompetenzzentrum Kommunale Konfliktberatung"
admin.site.site_title = "Verwaltung – Kommunale Konfliktberatung"  # never "KKK" to a visitor
admin.site.index_title = "Verwaltung"
