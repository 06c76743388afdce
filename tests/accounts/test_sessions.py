"""Staff sessions: idle limit, absolute limit, keep-alive; password rules."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from kkk_portal.accounts import SESSION_LAST_SEEN, SESSION_LOGIN_AT

pytestmark = pytest.mark.django_db

KEEP_ALIVE = "/admin/konto/sitzung/"


def _logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def _shift_clocks(client, *, login_ago=0.0, seen_ago=0.0):
    session = client.session
    now = time.time()
    session[SESSION_LOGIN_AT] = now - login_ago
    session[SESSION_LAST_SEEN] = now - seen_ago
    session.save()


def _messages(response):
    return [m.message for m in response.wsgi_request._messages]


def test_session_ends_after_30_idle_minutes(beratung):
    client = _logged_in(beratung)
    _shift_clocks(client, login_ago=31 * 60, seen_ago=31 * 60)

    response = client.get("/admin/")

    assert (response.status_code, response.url) == (302, "/admin/login/?next=/admin/")
    assert "_auth_user_id" not in client.session
    assert _messages(response) == [
        "Sie wurden nach 30 Minuten ohne Aktivität abgemeldet. Bitte melden Sie sich erneut an."
    ]


def test_session_survives_29_idle_minutes(beratung):
    client = _logged_in(beratung)
    _shift_clocks(client, login_ago=29 * 60, seen_ago=29 * 60)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert time.time() - client.session[SESSION_LAST_SEEN] < 5


def test_idle_limit_is_configurable(beratung, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 5
    client = _logged_in(beratung)
    _shift_clocks(client, login_ago=6 * 60, seen_ago=6 * 60)

    assert client.get("/admin/").status_code == 302


def test_session_ends_after_12_hours_however_active(beratung):
    client = _logged_in(beratung)
    _shift_clocks(client, login_ago=12 * 3600 + 1, seen_ago=10)

    response = client.get("/admin/")

    assert (response.status_code, response.url) == (302, "/admin/login/?next=/admin/")
    assert _messages(response) == [
        "Sie wurden abgemeldet, weil Ihre Sitzung die Höchstdauer von 12 Stunden erreicht "
        "hat. Bitte melden Sie sich erneut an."
    ]


def test_keep_alive_extends_the_idle_limit(beratung):
    client = _logged_in(beratung)
    _shift_clocks(client, login_ago=3600, seen_ago=25 * 60)

    answer = client.post(KEEP_ALIVE)
    _shift_clocks_seen = client.session[SESSION_LAST_SEEN]
    # 25 minutes later (50 minutes after the last page view) the session still holds.
    session = client.session
    session[SESSION_LAST_SEEN] = _shift_clocks_seen - 25 * 60
    session.save()
    later = client.get("/admin/")

    assert answer.status_code == 200
    assert answer.json()["idle_seconds"] > 29 * 60
    assert 10 * 3600 < answer.json()["ends_in"] <= 11 * 3600
    assert later.status_code == 200


def test_keep_alive_after_expiry_says_so(beratung):
    client = _logged_in(beratung)
    _shift_clocks(client, login_ago=31 * 60, seen_ago=31 * 60)

    answer = client.post(KEEP_ALIVE)

    assert (answer.status_code, answer.json()) == (401, {"expired": True})


def test_keep_alive_needs_post_and_csrf(beratung):
    client = Client(enforce_csrf_checks=True)
    client.force_login(beratung)

    assert client.get(KEEP_ALIVE).status_code == 405
    assert client.post(KEEP_ALIVE).status_code == 403


def test_admin_pages_load_the_session_script_and_its_messages(beratung):
    response = _logged_in(beratung).get("/admin/")
    html = response.content.decode()

    assert '<script src="/static/js/staff-session.js" defer></script>' in html
    assert 'data-keep-alive-url="/admin/konto/sitzung/"' in html
    assert 'id="staff-session"' in html


def test_login_redirects_to_the_admin_index(settings):
    from django.shortcuts import resolve_url

    assert resolve_url(settings.LOGIN_REDIRECT_URL) == "/admin/"


@pytest.mark.parametrize(
    ("password", "ok"),
    [("kurz-123", False), ("elf-zeichen", False), ("ein-langes-pw-77", True)],
)
def test_passwords_need_twelve_characters(password, ok):
    try:
        validate_password(password)
    except ValidationError as error:
        assert not ok, error.messages
        assert "Dieses Passwort ist zu kurz. Es muss mindestens 12 Zeichen enthalten." in (
            error.messages
        )
    else:
        assert ok


def test_demo_password_passes_the_validators(beratung):
    from kkk_portal.management.commands.create_demo_users import DEMO_PASSWORD

    validate_password(DEMO_PASSWORD, beratung)
