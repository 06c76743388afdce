"""Login lockout (django-axes): by account and by address, with a cool-off."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessLog
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.utils import timezone

from counselling.permissions import BERATUNG
from kkk_portal import services
from tests.accounts.conftest import PASSWORD, member

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
ELSEWHERE = "198.51.100.7"


def _log_in(username, password, ip=ATTACKER, **headers):
    return Client().post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        **headers,
    )


def _fail(username, times, ip=ATTACKER):
    return [_log_in(username, "falsches-passwort", ip).status_code for _ in range(times)]


def test_ten_wrong_passwords_lock_the_account_everywhere_until_cool_off():
    member("anna")
    member("bert")

    assert _fail("anna", 10) == [200] * 9 + [429]
    locked = _log_in("anna", PASSWORD)
    from_elsewhere = _log_in("anna", PASSWORD, ip=ELSEWHERE)
    other_account_elsewhere = _log_in("bert", PASSWORD, ip=ELSEWHERE)

    assert locked.status_code == 429
    assert "<h1>Anmeldung vorübergehend gesperrt</h1>" in locked.content.decode()
    assert "in 30 Minuten erneut" in locked.content.decode()
    assert "_auth_user_id" not in locked.wsgi_request.session
    assert from_elsewhere.status_code == 429
    assert (other_account_elsewhere.status_code, other_account_elsewhere.url) == (302, "/admin/")

    # Cool-off over: the records are 31 minutes old.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=31))
    after = _log_in("anna", PASSWORD)
    assert (after.status_code, after.url) == (302, "/admin/")


def test_address_trying_many_accounts_is_locked_other_addresses_are_not():
    for n in range(10):
        member(f"user-{n}")
    member("carla")

    statuses = [_log_in(f"user-{n}", "falsches-passwort").status_code for n in range(10)]
    same_address = _log_in("carla", PASSWORD)
    other_address = _log_in("carla", PASSWORD, ip=ELSEWHERE)

    assert statuses == [200] * 9 + [429]
    assert same_address.status_code == 429
    assert (other_address.status_code, other_address.url) == (302, "/admin/")


def test_lockout_behind_proxy_counts_the_forwarded_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    member("dora")
    proxy = "10.0.0.1"

    for _ in range(10):
        _log_in("nobody", "x", ip=proxy, HTTP_X_FORWARDED_FOR=f"{ATTACKER}")
    attacker = _log_in("dora", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    neighbour = _log_in("dora", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE)

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert attacker.status_code == 429
    assert (neighbour.status_code, neighbour.url) == (302, "/admin/")


def test_lockout_records_keep_no_password_and_no_success_log():
    member("emil")
    _fail("emil", 1)
    _log_in("emil", PASSWORD, ip=ELSEWHERE)

    attempt = AccessAttempt.objects.get()
    assert "falsches-passwort" not in attempt.post_data
    assert AccessLog.objects.count() == 0


def test_lockout_records_are_deleted_after_retention_days(settings):
    settings.AXES_RETENTION_DAYS = 7
    _fail("old", 1)
    _fail("new", 1)
    AccessAttempt.objects.filter(username="old").update(
        attempt_time=timezone.now() - datetime.timedelta(days=8)
    )

    call_command("apply_retention", verbosity=0)

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["new"]


def test_login_records_purge_counts_deleted_rows(settings):
    settings.AXES_RETENTION_DAYS = 1
    _fail("old", 1)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(days=2))

    assert services.login_records_purge() == 1
    assert AccessAttempt.objects.count() == 0


def test_leitung_sees_lockouts_and_lifts_one_beratung_does_not(client, leitung):
    member("anna")
    _fail("anna", 10)
    attempt = AccessAttempt.objects.get(username="anna")
    counsellor = member("ben", BERATUNG)

    client.force_login(counsellor)
    assert client.get("/admin/axes/accessattempt/").status_code == 403

    client.force_login(leitung)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "anna" in listing.content.decode()
    lifted = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert lifted.status_code == 302
    assert (_log_in("anna", PASSWORD).status_code, _log_in("anna", PASSWORD).url) == (
        302,
        "/admin/",
    )
