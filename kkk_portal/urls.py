from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
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
