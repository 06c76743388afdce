"""Anonymous public pages from the cache (kkk_portal/page_cache.py), over real HTTP.

Every test turns the cache on (it is off in the test settings) with its own empty
"pages" cache, asks through the Django test client and reads the answer's
`X-Page-Cache` header: `hit` means the page came from the cache without a query.
"""

import datetime
import gzip
import time

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from counselling.models import CounsellingRequest, StaffProfile
from kkk_portal import page_cache
from kkk_portal.models import SitePage
from projects.models import Project
from publications.models import NewsPost, Registration
from team.models import ContactMessage
from tests.counselling.conftest import VALID_REQUEST
from tests.factories import (
    EventFactory,
    NewsPostFactory,
    ProjectFactory,
    TopicFactory,
    UserFactory,
)
from tests.html import attrs, doc, form_fields, text, texts
from tests.team.helpers import VALID_CONTACT

pytestmark = pytest.mark.django_db

HEADER = "X-Page-Cache"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True
    caches["pages"].clear()
    page_cache.local_pages.clear()
    yield
    caches["pages"].clear()


@pytest.fixture
def visitor():
    """A browser without a session: what the cache is for."""
    return Client()


@pytest.fixture
def editor():
    """A Redaktion login with its own session, as in a second browser."""
    user = UserFactory(username="redaktion-cache")
    user.groups.add(Group.objects.get(name="Redaktion"))
    client = Client()
    client.force_login(user)
    return client


def cached_twice(client: Client, url: str):
    """Ask twice; the first answer renders the page, the second comes from the cache."""
    first = client.get(url)
    assert (first.status_code, first[HEADER]) == (200, "miss")
    second = client.get(url)
    assert (second.status_code, second[HEADER]) == (200, "hit")
    assert second.content == first.content
    return second


def test_second_request_is_a_hit_without_any_query(visitor, django_assert_num_queries):
    ProjectFactory(title="Dialog im Quartier")
    first = visitor.get("/projekte/")
    assert first[HEADER] == "miss"

    with django_assert_num_queries(0):
        second = visitor.get("/projekte/")

    assert second[HEADER] == "hit"
    assert second.content == first.content
    assert texts(second, "h1") == texts(first, "h1")


def test_project_changed_in_the_admin_shows_at_once_in_both_languages(visitor, editor):
    project = ProjectFactory(
        title="Dialog im Quartier",
        title_en="Dialogue in the neighbourhood",
        slug="dialog-im-quartier",
    )
    pages = {
        "/projekte/": "Dialog im Quartier",
        "/projekte/dialog-im-quartier/": "Dialog im Quartier",
        "/en/projekte/": "Dialogue in the neighbourhood",
        "/en/projekte/dialog-im-quartier/": "Dialogue in the neighbourhood",
    }
    for url, title in pages.items():
        assert title in doc(cached_twice(visitor, url)).get_text(), url

    change = f"/admin/projects/project/{project.pk}/change/"
    fields: dict[str, list[str]] = {}
    for name, value in form_fields(editor.get(change), "#project_form"):
        fields.setdefault(name, []).append(value)
    fields["title"] = ["Gespräche im Quartier"]
    fields["title_en"] = ["Talks in the neighbourhood"]
    response = editor.post(change, fields)
    assert response.status_code == 302, response.content.decode()[:2000]

    changed = {
        "/projekte/": "Gespräche im Quartier",
        "/projekte/dialog-im-quartier/": "Gespräche im Quartier",
        "/en/projekte/": "Talks in the neighbourhood",
        "/en/projekte/dialog-im-quartier/": "Talks in the neighbourhood",
    }
    for url, title in changed.items():
        page = visitor.get(url)
        assert page[HEADER] == "miss", url
        assert title in doc(page).get_text(), url
        assert pages[url] not in doc(page).get_text(), url
        assert visitor.get(url)[HEADER] == "hit", url
    assert text(visitor.get("/projekte/dialog-im-quartier/"), "h1") == "Gespräche im Quartier"
    assert text(visitor.get("/en/projekte/dialog-im-quartier/"), "h1") == (
        "Talks in the neighbourhood"
    )


def test_a_scheduled_news_post_appears_at_its_time(visitor):
    NewsPostFactory(title="Jahresbericht erschienen")
    # Far enough ahead that the first two answers come before it, on a slow machine too.
    due = timezone.now() + datetime.timedelta(seconds=3)
    NewsPostFactory(title="Neue Beratungsrunde", slug="neue-beratungsrunde", published_at=due)

    before = cached_twice(visitor, "/aktuelles/")
    assert "Jahresbericht erschienen" in doc(before).get_text()
    assert "Neue Beratungsrunde" not in doc(before).get_text()
    assert visitor.get("/aktuelles/neue-beratungsrunde/").status_code == 404

    # No save happens: only the clock moves past the publication time.
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.1)

    after = visitor.get("/aktuelles/")
    assert after[HEADER] == "miss"
    assert "Neue Beratungsrunde" in doc(after).get_text()
    assert visitor.get("/aktuelles/")[HEADER] == "hit"
    assert visitor.get("/aktuelles/neue-beratungsrunde/").status_code == 200


def test_next_change_is_the_earliest_scheduled_moment():
    now = timezone.now()
    midnight = page_cache.next_midnight(now)
    assert page_cache.next_change(now) == midnight
    assert timezone.localtime(midnight).time() == datetime.time(0, 0)
    assert datetime.timedelta(0) < midnight - now <= datetime.timedelta(days=1)

    soon = now + datetime.timedelta(minutes=5)
    NewsPostFactory(published_at=soon)
    NewsPostFactory(published_at=now + datetime.timedelta(minutes=3), is_published=False)
    assert page_cache.next_change(now) == min(soon, midnight)

    opens = now + datetime.timedelta(minutes=2)
    EventFactory(registration_enabled=True, registration_opens_at=opens)
    assert page_cache.next_change(now) == min(opens, midnight)
    ProjectFactory(unpublish_at=now + datetime.timedelta(minutes=1))
    assert page_cache.next_change(now) == min(now + datetime.timedelta(minutes=1), midnight)


def test_a_page_rendered_before_a_scheduled_change_is_not_served_after_it(visitor):
    # The data moves instead of the clock: the stored boundary (the old publication
    # time) has passed for the page in the cache.
    due = timezone.now() + datetime.timedelta(seconds=2)
    post = NewsPostFactory(title="Geplante Neuigkeit", published_at=due)
    cached_twice(visitor, "/aktuelles/")
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.1)
    NewsPost.objects.filter(pk=post.pk).update(title="Geplante Neuigkeit, jetzt da")

    page = visitor.get("/aktuelles/")
    assert page[HEADER] == "miss"
    assert "Geplante Neuigkeit, jetzt da" in doc(page).get_text()


def test_staff_with_a_session_neither_get_nor_fill_the_cache(visitor, editor):
    ProjectFactory(title="Dialog im Quartier")
    for _ in range(2):
        response = editor.get("/projekte/")
        assert response.status_code == 200
        assert HEADER not in response
    assert visitor.get("/projekte/")[HEADER] == "miss"  # staff left nothing behind
    assert visitor.get("/projekte/")[HEADER] == "hit"
    assert HEADER not in editor.get("/projekte/")


def each_visitor_gets_the_form_with_own_csrf_token(url: str, form_css: str) -> Client:
    """Two browsers without a session ask for a page with a form twice each: the page is
    rendered every time, never stored, and each browser gets its own CSRF cookie and a
    token for it. Returns the second browser (CSRF checks on)."""
    tokens = []
    for browser in (Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)):
        for _ in range(2):
            page = browser.get(url)
            assert page.status_code == 200
            assert page.get(HEADER) != "hit"
            assert "csrftoken" in page.cookies
            token = attrs(page, f"{form_css} input[name=csrfmiddlewaretoken]", "value")
            assert len(token) == 1
            tokens.append(token[0])
    assert len(set(tokens)) == 4  # masked afresh for every answer
    assert browser.cookies["csrftoken"].value != Client().get(url).cookies["csrftoken"].value
    return browser


@pytest.mark.parametrize(
    ("url", "form_css"),
    [
        ("/beratung-anfragen/", "form.request-form:not(.contact-form)"),
        ("/en/beratung-anfragen/", "form.request-form:not(.contact-form)"),
        ("/kontakt/", "form.contact-form"),
        ("/en/kontakt/", "form.contact-form"),
    ],
)
def test_request_and_contact_forms_are_never_stored(settings, url, form_css):
    settings.COUNSELLING_RATE_LIMIT = 100
    topic = TopicFactory(name="Migration und Zusammenleben")
    browser = each_visitor_gets_the_form_with_own_csrf_token(url, form_css)
    # Not even looked up: no cache round trip for these addresses.
    assert HEADER not in browser.get(url)

    # The form as the browser got it is sent: Django's CSRF check accepts it.
    fields = dict(form_fields(browser.get(url), form_css))
    if "beratung" in url:
        fields.update(VALID_REQUEST, topics=[str(topic.pk)])
    else:
        fields.update(VALID_CONTACT)
    response = browser.post(url, fields)
    assert response.status_code == 302, response.content.decode()[:3000]
    stored = CounsellingRequest if "beratung" in url else ContactMessage
    assert stored.objects.filter(email=fields["email"]).count() == 1


@pytest.mark.parametrize("url", ["/beratung-anfragen/", "/kontakt/"])
def test_what_was_typed_into_a_form_never_reaches_another_visitor(visitor, url):
    TopicFactory(name="Migration und Zusammenleben")
    visitor.get(url)
    typed = {**(VALID_REQUEST if "beratung" in url else VALID_CONTACT), "email": "kein-at-zeichen"}
    answer = Client().post(url, typed)
    assert answer.status_code == 200
    assert HEADER not in answer
    assert "kein-at-zeichen" in answer.content.decode()
    page = visitor.get(url).content.decode()
    assert "kein-at-zeichen" not in page
    assert "Erika Mustermann" not in page


def test_confirmation_and_cancellation_links_are_never_cached(visitor):
    event = EventFactory(registration_enabled=True, capacity=5)
    registration = Registration.objects.create(
        event=event,
        name="Erika Mustermann",
        email="erika@musterdorf.example",
        consent_notice_version="2026-11-01",
        consent_at=timezone.now(),
    )
    for kind in ("bestaetigen", "abmelden"):
        url = f"/veranstaltungen/anmeldung/{registration.token}/{kind}/"
        for _ in range(2):
            response = visitor.get(url)
            assert response.status_code == 200
            assert HEADER not in response


def test_a_counsellors_calendar_feed_is_never_cached(visitor):
    user = UserFactory(username="beratung-kalender")
    user.groups.add(Group.objects.get(name="Beratung"))
    profile, _ = StaffProfile.objects.get_or_create(user=user)
    profile.calendar_token = "t" * 43
    profile.save()
    for _ in range(2):
        response = visitor.get(f"/kalender/{'t' * 43}.ics")
        assert response.status_code == 200
        assert HEADER not in response
        assert response["Content-Type"].startswith("text/calendar")


def test_query_string_and_language_are_part_of_the_key(visitor):
    ProjectFactory(title="Dialog im Quartier", title_en="Dialogue in the neighbourhood")
    german = cached_twice(visitor, "/projekte/")
    english = cached_twice(visitor, "/en/projekte/")
    assert doc(german).html["lang"] == "de"
    assert doc(english).html["lang"] == "en"

    filtered = visitor.get("/projekte/?status=geplant")
    assert filtered[HEADER] == "miss"
    assert "Dialog im Quartier" not in text(filtered, "main")
    again = visitor.get("/projekte/?status=geplant")
    assert (again[HEADER], again.content) == ("hit", filtered.content)
    assert visitor.get("/projekte/")[HEADER] == "hit"


def test_query_strings_per_address_are_bounded(visitor, settings):
    settings.PAGE_CACHE_MAX_VARIANTS = 2
    cached_twice(visitor, "/projekte/?seite=1")
    cached_twice(visitor, "/projekte/?seite=2")
    for _ in range(2):
        assert visitor.get("/projekte/?seite=3")[HEADER] == "miss"
    assert visitor.get("/projekte/")[HEADER] == "miss"
    assert visitor.get("/projekte/")[HEADER] == "hit"


def test_a_post_is_never_answered_from_the_cache(visitor):
    cached_twice(visitor, "/projekte/")
    response = visitor.post("/projekte/", {})
    assert response.status_code == 405
    assert HEADER not in response


def test_a_counselling_request_leaves_the_cached_pages_alone(visitor, settings):
    settings.COUNSELLING_RATE_LIMIT = 100
    topic = TopicFactory(name="Migration und Zusammenleben")
    ProjectFactory(title="Dialog im Quartier")
    cached_twice(visitor, "/projekte/")
    version = caches["pages"].get(page_cache.VERSION_KEY)

    form = Client()
    response = form.post("/beratung-anfragen/", {**VALID_REQUEST, "topics": [str(topic.pk)]})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert CounsellingRequest.objects.count() == 1

    assert caches["pages"].get(page_cache.VERSION_KEY) == version
    assert visitor.get("/projekte/")[HEADER] == "hit"


def test_a_hit_carries_the_same_security_headers(visitor):
    first = visitor.get("/")
    second = visitor.get("/")
    assert (first[HEADER], second[HEADER]) == ("miss", "hit")
    for name in (
        "Content-Security-Policy",
        "Cross-Origin-Opener-Policy",
        "Cross-Origin-Resource-Policy",
        "Referrer-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Content-Type",
        "Content-Language",
    ):
        assert second[name] == first[name], name
    assert "script-src 'self'" in second["Content-Security-Policy"]
    assert second["X-Request-ID"] != first["X-Request-ID"]
    assert "Set-Cookie" not in second


def test_hsts_and_the_https_redirect_still_apply_on_a_hit(settings):
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_SSL_REDIRECT = True
    secure = Client()
    first = secure.get("/projekte/", secure=True)
    second = secure.get("/projekte/", secure=True)
    assert (first[HEADER], second[HEADER]) == ("miss", "hit")
    assert second["Strict-Transport-Security"] == "max-age=3600"
    plain = Client().get("/projekte/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/projekte/"


def test_an_event_page_is_stored_only_while_it_shows_no_registration_form(visitor):
    event = EventFactory(
        title="Online-Seminar Konfliktberatung",
        slug="online-seminar",
        registration_enabled=True,
        capacity=1,
    )
    url = "/veranstaltungen/online-seminar/"
    browser = each_visitor_gets_the_form_with_own_csrf_token(url, "form.registration-form")
    fields = dict(form_fields(browser.get(url), "form.registration-form"))
    fields.update(name="Erika Mustermann", email="erika@musterdorf.example", consent="on")
    version = caches["pages"].get(page_cache.VERSION_KEY)
    response = browser.post(f"{url}anmelden/", fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    registration = Registration.objects.get(event=event, email="erika@musterdorf.example")
    # Waiting for confirmation: the seat is not taken, no stored page changes, and the
    # form is still offered.
    assert caches["pages"].get(page_cache.VERSION_KEY) == version is not None
    assert [visitor.get(url)[HEADER] for _ in range(2)] == ["miss", "miss"]

    # The seat is taken: the page says so and offers the waiting list, still a form.
    registration.status = Registration.Status.CONFIRMED
    registration.save()
    full = visitor.get(url)
    assert "Alle Plätze sind vergeben" in doc(full).get_text()
    assert doc(full).select("form.registration-form")
    assert [full[HEADER], visitor.get(url)[HEADER]] == ["miss", "miss"]

    # The registration is switched off: no form, so the page is stored.
    event.registration_enabled = False
    event.save()
    closed = cached_twice(visitor, url)
    assert not doc(closed).select("form.registration-form")
    assert "csrftoken" not in closed.cookies

    # Switched on again: the stored page goes at once, the form is back.
    event.registration_enabled = True
    event.save()
    page = visitor.get(url)
    assert page[HEADER] == "miss"
    assert doc(page).select("form.registration-form")
    assert visitor.get(url)[HEADER] == "miss"


def test_a_text_page_edit_and_a_menu_change_reach_every_cached_page(visitor):
    page = SitePage.objects.create(
        slug="angebot", title="Angebot", body="<p>Was wir tun.</p>", menu="haupt"
    )
    cached_twice(visitor, "/projekte/")
    cached_twice(visitor, "/angebot/")
    page.title = "Unser Angebot"
    page.menu_title = "Beratung"
    page.save()
    assert "Unser Angebot" in text(visitor.get("/angebot/"), "h1")
    assert "Beratung" in texts(visitor.get("/projekte/"), "nav a")


def test_a_project_linked_to_a_place_changes_the_cached_place_page(visitor):
    from tests.factories import MunicipalityFactory

    place = MunicipalityFactory(name="Musterdorf", slug="musterdorf")
    project = ProjectFactory(title="Dialog im Quartier")
    project.municipalities.add(place)
    cached_twice(visitor, "/kommunen/musterdorf/")
    other = ProjectFactory(title="Runder Tisch Marktplatz")
    cached_twice(visitor, "/kommunen/musterdorf/")

    other.municipalities.add(place)  # only a many-to-many change

    page = visitor.get("/kommunen/musterdorf/")
    assert page[HEADER] == "miss"
    assert "Runder Tisch Marktplatz" in doc(page).get_text()
    assert Project.objects.filter(municipalities=place).count() == 2


def test_the_shared_redis_cache_serves_a_page_stored_by_another_process(visitor, settings):
    redis = pytest.importorskip("redis")
    location = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(location, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"page-cache-test-{time.time_ns()}",
        },
    }
    try:
        project = ProjectFactory(title="Dialog im Quartier", slug="dialog")
        cached_twice(visitor, "/projekte/dialog/")
        # Another process: a new connection, nothing shared but the Redis server.
        caches["pages"].close()
        del caches["pages"]
        page_cache.local_pages.clear()
        assert visitor.get("/projekte/dialog/")[HEADER] == "hit"

        project.title = "Gespräche im Quartier"
        project.save()
        del caches["pages"]
        page = visitor.get("/projekte/dialog/")
        assert page[HEADER] == "miss"
        assert text(page, "h1") == "Gespräche im Quartier"
    finally:
        caches["pages"].clear()


def test_a_hit_goes_out_compressed_to_a_client_that_accepts_gzip(visitor):
    ProjectFactory(title="Dialog im Quartier", slug="dialog")
    first = visitor.get("/projekte/dialog/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert (first[HEADER], first.has_header("Content-Encoding")) == ("miss", False)

    hit = visitor.get("/projekte/dialog/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    plain = visitor.get("/projekte/dialog/")

    assert (hit[HEADER], hit["Content-Encoding"]) == ("hit", "gzip")
    assert gzip.decompress(hit.content) == first.content == plain.content
    assert int(hit["Content-Length"]) == len(hit.content) < len(plain.content)
    assert (plain[HEADER], plain.has_header("Content-Encoding")) == ("hit", False)
    assert int(plain["Content-Length"]) == len(plain.content)
    for response in (first, hit, plain):
        assert "Accept-Encoding" in response["Vary"]


def _page_key(path: str, language: str = "de") -> str:
    identity = ("http", "testserver", language, path, "")
    return page_cache.PAGE_KEY.format(digest=page_cache.digest(identity))


def test_a_process_answers_from_its_own_copy_until_the_version_changes(
    visitor, django_assert_num_queries
):
    project = ProjectFactory(title="Dialog im Quartier", slug="dialog")
    first = cached_twice(visitor, "/projekte/dialog/")
    # The shared entry is gone (evicted by the cache server): this process kept a copy.
    caches["pages"].delete(_page_key("/projekte/dialog/"))
    with django_assert_num_queries(0):
        copy = visitor.get("/projekte/dialog/")
    assert (copy[HEADER], copy.content) == ("hit", first.content)

    # Another process saves a change: the database and the shared version change,
    # nothing in this process's memory does.
    Project.objects.filter(pk=project.pk).update(title="Gespräche im Quartier")
    caches["pages"].set(page_cache.VERSION_KEY, "set-by-another-process", timeout=None)
    page = visitor.get("/projekte/dialog/")
    assert page[HEADER] == "miss"
    assert text(page, "h1") == "Gespräche im Quartier"
    assert visitor.get("/projekte/dialog/")[HEADER] == "hit"


def test_a_copy_from_before_a_scheduled_change_is_not_served_after_it(visitor):
    NewsPostFactory(title="Sommerfest")
    cached_twice(visitor, "/aktuelles/")
    key = _page_key("/aktuelles/")
    token, _until, *rest = page_cache.local_pages.get(key)
    # As if the copy had been stored before a scheduled change that is now past.
    page_cache.local_pages.keep(key, (token, time.time() - 1, *rest))
    caches["pages"].delete(key)
    page = visitor.get("/aktuelles/")
    assert page[HEADER] == "miss"
    assert page_cache.local_pages.get(key)[1] > time.time()
    assert visitor.get("/aktuelles/")[HEADER] == "hit"


def test_the_process_copy_is_bounded_by_the_bytes_it_holds(monkeypatch):
    monkeypatch.setattr(page_cache, "LOCAL_PAGES_BYTES", 100)
    pages = page_cache.LocalPages()
    for n in range(5):
        pages.keep(f"page-{n}", ("token", 0.0, 200, [], b"x" * 30, None))
    assert list(pages.entries) == ["page-2", "page-3", "page-4"]
    assert pages.size == 90

    pages.get("page-2")  # used: the least recently used is now page-3
    pages.keep("page-5", ("token", 0.0, 200, [], b"x" * 30, None))
    assert list(pages.entries) == ["page-4", "page-2", "page-5"]
    pages.keep("page-5", ("token", 0.0, 200, [], b"x" * 10, None))  # replaced, not added
    assert pages.size == 70


def test_the_version_changes_again_when_the_transaction_commits(django_capture_on_commit_callbacks):
    pages = caches["pages"]
    with django_capture_on_commit_callbacks(execute=True):
        ProjectFactory(title="Dialog im Quartier")
        inside = pages.get(page_cache.VERSION_KEY)
        assert inside is not None
    # A reader may have stored the old data under `inside` before the commit.
    assert pages.get(page_cache.VERSION_KEY) not in (None, inside)


def test_an_unreachable_cache_costs_the_cache_not_the_page(visitor, settings, caplog):
    from tests.counselling.smtp_stub import closed_port

    working = settings.CACHES
    settings.CACHES = {
        **working,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    try:
        project = ProjectFactory(title="Dialog im Quartier", slug="dialog")
        project.title = "Gespräche im Quartier"
        project.save()  # the version cannot be changed: logged, the save goes through
        response = visitor.get("/projekte/dialog/")
    finally:
        settings.CACHES = working  # the fixtures clear the caches afterwards
    assert response.status_code == 200
    assert HEADER not in response
    assert text(response, "h1") == "Gespräche im Quartier"
    assert "Page cache" in caplog.text
