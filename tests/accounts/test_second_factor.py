"""Second factor (TOTP + recovery codes) for every account that can see personal data."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from counselling.permissions import requires_second_factor
from tests.accounts.conftest import PASSWORD, member
from tests.conftest import totp_device_for, totp_token

pytestmark = pytest.mark.django_db

VERIFY = "/admin/konto/zwei-faktor/"
SETUP = "/admin/konto/zwei-faktor/einrichten/"


def _password_login(user):
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_who_needs_a_second_factor(leitung, beratung, redaktion, settings):
    superuser = member("root", is_superuser=True)
    reader = member("leser")
    reader.user_permissions.add(Permission.objects.get(codename="view_counsellingrequest"))

    assert [
        requires_second_factor(user) for user in (superuser, leitung, beratung, reader, redaktion)
    ] == [True, True, True, True, False]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/counselling/case/",
        "/en/admin/counselling/counsellingrequest/",
        "/admin/leitung/",
    ],
)
def test_admin_refuses_account_without_device_and_sends_it_to_enrolment(leitung, path):
    client = Client()
    client.force_login(leitung, otp=False)

    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith(path[: path.index("/admin/")] + SETUP)


def test_account_with_device_must_enter_a_code_after_the_password(beratung, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code would otherwise delay the next
    device = totp_device_for(beratung)
    client = _password_login(beratung)

    refused = client.get("/admin/counselling/case/")
    wrong = client.post(VERIFY, {"otp_token": "000000", "next": "/admin/counselling/case/"})
    right = client.post(
        VERIFY, {"otp_token": totp_token(device), "next": "/admin/counselling/case/"}
    )
    admin_page = client.get("/admin/counselling/case/")

    assert (refused.status_code, refused.url) == (
        302,
        f"{VERIFY}?next=%2Fadmin%2Fcounselling%2Fcase%2F",
    )
    assert wrong.status_code == 200
    assert wrong.context["form"].errors == {"otp_token": ["Der Code ist falsch oder abgelaufen."]}
    assert (right.status_code, right.url) == (302, "/admin/counselling/case/")
    assert admin_page.status_code == 200


def test_verify_refuses_foreign_next_url(beratung):
    device = totp_device_for(beratung)
    client = _password_login(beratung)

    response = client.post(
        VERIFY, {"otp_token": totp_token(device), "next": "https://evil.example/"}
    )

    assert (response.status_code, response.url) == (302, "/admin/")


def test_case_documents_need_the_second_factor_too(beratung):
    client = Client()
    client.force_login(beratung, otp=False)

    response = client.get("/beratung/dokumente/1/")

    assert response.status_code == 302
    assert response.url.startswith(SETUP)


def test_enrolment_shows_qr_code_then_recovery_codes_once(beratung, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code would otherwise delay the next
    client = Client()
    client.force_login(beratung, otp=False)

    page = client.get(SETUP + "?next=/admin/")
    device = TOTPDevice.objects.get(user=beratung)
    again = client.get(SETUP)
    wrong = client.post(SETUP, {"otp_token": "123456", "next": "/admin/"})
    done = client.post(SETUP, {"otp_token": totp_token(device), "next": "/admin/"})
    later = client.get(SETUP)

    html = page.content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "style=" not in svg
    assert "<title>QR-Code für die Authenticator-App</title>" in svg
    assert page.context["secret"].replace(" ", "") in device.config_url
    assert "issuer=Kommunale%20Konfliktberatung" in device.config_url
    assert again.context["secret"] == page.context["secret"]  # same pending device
    assert wrong.context["form"].errors == {"otp_token": ["Der Code ist falsch oder abgelaufen."]}
    codes = done.context["codes"]
    assert len(codes) == 10
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/admin/").status_code == 200
    assert later.status_code == 200
    assert later.templates[0].name == "admin/accounts/otp_done.html"
    assert "codes" not in later.context


def test_account_with_device_cannot_enrol_a_second_one_with_the_password_alone(beratung):
    totp_device_for(beratung)
    client = _password_login(beratung)

    response = client.get(SETUP)

    assert response.status_code == 302
    assert response.url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=beratung).count() == 1


def test_recovery_code_works_once(beratung):
    client = Client()
    client.force_login(beratung, otp=False)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=beratung)
    codes = client.post(SETUP, {"otp_token": totp_token(device)}).context["codes"]

    first = _password_login(beratung)
    used = first.post(VERIFY, {"otp_token": codes[0]})
    second = _password_login(beratung)
    reused = second.post(VERIFY, {"otp_token": codes[0]})

    assert (used.status_code, used.url) == (302, "/admin/")
    assert [m.message for m in used.wsgi_request._messages] == [
        "Sie haben einen Notfallcode benutzt; er ist damit verbraucht. Noch übrig: 9."
    ]
    assert reused.status_code == 200
    assert StaticToken.objects.filter(device__user=beratung).count() == 9


def test_redaktion_works_without_second_factor(redaktion):
    client = Client()
    client.force_login(redaktion, otp=False)

    assert client.get("/admin/").status_code == 200


def test_second_factor_off_in_development_setting(beratung, settings):
    settings.STAFF_2FA = False
    client = Client()
    client.force_login(beratung, otp=False)

    assert client.get("/admin/counselling/case/").status_code == 200


def test_wrong_codes_count_toward_the_lockout(beratung, settings):
    settings.AXES_FAILURE_LIMIT = 3
    totp_device_for(beratung)
    client = _password_login(beratung)

    statuses = [client.post(VERIFY, {"otp_token": "000000"}).status_code for _ in range(3)]
    again = Client().post(
        "/admin/login/?next=/admin/", {"username": beratung.username, "password": PASSWORD}
    )

    assert statuses == [200, 200, 429]
    assert "_auth_user_id" not in client.session
    assert again.status_code == 429


def test_leitung_resets_a_colleagues_lost_second_factor(leitung, beratung):
    totp_device_for(beratung)
    StaticDevice.objects.create(user=beratung, name="Notfallcodes")
    client = Client()
    client.force_login(leitung)

    response = client.post(
        "/admin/auth/user/",
        {"action": "reset_second_factor", "_selected_action": [beratung.pk]},
        follow=True,
    )

    assert [m.message for m in response.context["messages"]] == [
        "Zweiter Faktor für 1 Konto zurückgesetzt; es richtet ihn bei der nächsten "
        "Anmeldung neu ein."
    ]
    assert TOTPDevice.objects.filter(user=beratung).count() == 0
    assert StaticDevice.objects.filter(user=beratung).count() == 0
    entry = LogEntry.objects.get(object_id=str(beratung.pk))
    assert (entry.user, entry.change_message) == (leitung, "Zweiten Faktor zurückgesetzt.")
    # Next login: enrolment again.
    assert _password_login(beratung).get("/admin/").url.startswith(SETUP)


def test_beratung_cannot_reset_second_factors(beratung, beratung2):
    totp_device_for(beratung2)
    client = Client()
    client.force_login(beratung)

    response = client.post(
        "/admin/auth/user/",
        {"action": "reset_second_factor", "_selected_action": [beratung2.pk]},
    )

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=beratung2, confirmed=True).count() == 1


def test_leitung_cannot_reset_a_superusers_second_factor(leitung):
    root = member("root", is_superuser=True)
    totp_device_for(root)
    client = Client()
    client.force_login(leitung)

    client.post(
        "/admin/auth/user/", {"action": "reset_second_factor", "_selected_action": [root.pk]}
    )

    assert TOTPDevice.objects.filter(user=root).count() == 1


def test_device_admin_pages_with_secrets_do_not_exist(settings):
    root = member("root", is_superuser=True)
    client = Client()
    client.force_login(root)

    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_wrong_code_slows_down_the_next_attempt(beratung):
    device = totp_device_for(beratung)
    client = _password_login(beratung)

    client.post(VERIFY, {"otp_token": "000000"})
    right_but_too_soon = client.post(VERIFY, {"otp_token": totp_token(device)})

    assert right_but_too_soon.status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # refused by the delay, not by the code


def test_account_waiting_for_its_code_can_log_out(beratung):
    totp_device_for(beratung)
    client = _password_login(beratung)

    page = client.get(VERIFY)
    response = client.post("/admin/logout/")

    assert '<form method="post" action="/admin/logout/" id="otp-logout">' in page.content.decode()
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
