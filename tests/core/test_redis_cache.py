"""kkk_portal.redis_cache: Django's Redis cache with one client per connection pool,
against the Redis server on this machine (database 11)."""

import pytest
from django.core.cache.backends.redis import RedisCacheClient as DjangoClient

from kkk_portal.redis_cache import RedisCache

REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def cache():
    backend = RedisCache(REDIS_URL, {"KEY_PREFIX": "kkk-redis-cache-test"})
    backend.clear()
    yield backend
    backend.clear()


def test_it_keeps_one_client_and_stores_like_djangos(cache):
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client  # reused, not built per call
    assert client.connection_pool is cache._cache._pools[0]

    cache.set("greeting", {"text": "Hallo"}, timeout=60)
    cache.set("counter", 1, timeout=60)
    assert cache.get("greeting") == {"text": "Hallo"}
    assert cache.get_many(["greeting", "counter", "missing"]) == {
        "greeting": {"text": "Hallo"},
        "counter": 1,
    }
    assert cache.incr("counter") == 2
    assert cache.add("counter", 5) is False
    cache.delete("greeting")
    assert cache.get("greeting", "gone") == "gone"

    # What Django's own backend writes, ours reads (same keys and serialisation).
    django_cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "kkk-redis-cache-test"})
    django_cache._class = DjangoClient
    django_cache.set("shared", [1, 2, 3], timeout=60)
    assert cache.get("shared") == [1, 2, 3]
