"""Production settings for the benchmark: kkk_portal.settings.prod, unchanged, plus the
benchmark's URL configuration (bench/urls.py: the portal's URLs and a bare "hello" view).

bench/run.py starts gunicorn with DJANGO_SETTINGS_MODULE=bench.settings and gives prod
what it refuses to start without (SECRET_KEY, ALLOWED_HOSTS, REDIS_URL, EMAIL_URL; for
the SQLite rounds prod's own opt-out ALLOW_SQLITE_IN_PRODUCTION=true). It switches the
anonymous page cache (kkk_portal/page_cache.py) with its own environment variable,
PAGE_CACHE_ENABLED=0 for the uncached rounds. Nothing here is used by the site itself.
"""

from kkk_portal.settings.prod import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
