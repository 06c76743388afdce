"""A cache outage never loses a request: Redis down degrades, it does not break.

The outage is real: the cache backend is Django's Redis backend pointed at a
loopback port nothing listens on. The normal path runs against the real Redis
(127.0.0.1:6379, database 9), skipped with a reason when none is running.
"""

import logging
import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile

from counselling import services
from counselling.models import CounsellingRequest, OutboxMessage
from kkk_portal.images import Spec, _cache_key
from publications.models import Publication
from tests.counselling.smtp_stub import closed_port
from tests.factories import (
    EventFactory,
    NewsPostFactory,
    ProjectFactory,
    PublicationFactory,
    TeamMemberFactory,
)
from tests.publications.helpers import image_bytes

pytestmark = pytest.mark.django_db

URL = "/beratung-anfragen/"
REAL_REDIS = "redis://127.0.0.1:6379/9"


def redis_cache(location):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def redis_down(settings):
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{closed_port()}/0")
    return settings


@pytest.fixture
def real_redis(settings):
    settings.CACHES = redis_cache(REAL_REDIS)
    try:
        cache.clear()
    except Exception as error:
        pytest.skip(f"No Redis at {REAL_REDIS}: {error}")
    yield settings
    cache.clear()


@pytest.fixture
def content():
    """One of each public content type, with uploaded images, some with thumbnails made."""
    publication = PublicationFactory(title="Mit Bild", slug="mit-bild")
    publication.cover.save("cover.jpg", ContentFile(image_bytes(800, 600)))
    services.jobs_run()  # thumbnails recorded for this one
    news = NewsPostFactory(slug="neu")
    news.image.save("neu.jpg", ContentFile(image_bytes(900, 600)))  # worker not yet run
    member = TeamMemberFactory(name="Anna Berg")
    member.photo.save("anna.jpg", ContentFile(image_bytes(400, 500)))
    ProjectFactory(slug="projekt")
    EventFactory(slug="seminar")


def public_urls(client):
    """The main pages, every page in the sitemap and every internal link on the home page."""
    urls = {"/", "/en/", "/suche/?q=Konflikt", "/sitemap.xml", "/robots.txt", URL}
    sitemap = client.get("/sitemap.xml").content.decode()
    urls |= {urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)}
    home = client.get("/").content.decode()
    urls |= {
        href
        for href in re.findall(r'href="(/[^"#]*)"', home)
        if not href.startswith(("/admin", "/static", "/media", "/i18n"))
    }
    return sorted(urls)


def test_redis_down_request_is_stored_rate_limit_fails_open_and_warns(
    client, redis_down, valid_request_data, caplog
):
    redis_down.COUNSELLING_RATE_LIMIT = 1
    with caplog.at_level(logging.WARNING):
        first = client.post(URL, valid_request_data)
        second = client.post(URL, {**valid_request_data, "email": "zweite@example.org"})

    # Both stored (the limit of 1 could not be counted), each with its mails queued.
    assert first.status_code == second.status_code == 302
    assert sorted(CounsellingRequest.objects.values_list("email", flat=True)) == [
        "erika@musterdorf.example",
        "zweite@example.org",
    ]
    assert OutboxMessage.objects.count() == 4
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings.count("Rate limit not applied: the cache is unavailable (fails open).") == 2
    assert any(w.startswith("Cache unavailable (incr ") for w in warnings)


def test_redis_down_every_public_page_answers_200(client, redis_down, content):
    urls = public_urls(client)
    assert len(urls) >= 15
    statuses = {url: client.get(url).status_code for url in urls}
    assert {url: s for url, s in statuses.items() if s != 200} == {}

    # Images still show: recorded thumbnails (from the database), else the original.
    team = client.get("/team/").content.decode()
    assert re.search(r'<img [^>]*src="/media/team/anna[^"]*\.jpg"[^>]*width="400"', team)
    publication = client.get("/publikationen/mit-bild/").content.decode()
    assert re.search(r'<source [^>]*srcset="/media/thumbs/[^"]+-320\.webp', publication)
    assert re.search(r'<img [^>]*src="/media/thumbs/[^"]+-320\.jpg"', publication)


def test_real_redis_counts_the_rate_limit_and_keeps_thumbnail_sizes(
    client, real_redis, valid_request_data, content
):
    real_redis.COUNSELLING_RATE_LIMIT = 2
    statuses = [
        client.post(URL, {**valid_request_data, "email": f"n{i}@example.org"}).status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert CounsellingRequest.objects.count() == 2

    key = Spec.of(Publication.objects.get(slug="mit-bild").cover).key
    assert client.get("/publikationen/mit-bild/").status_code == 200
    assert cache.get(_cache_key(key))["width"] == 800
