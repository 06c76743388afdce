"""Real browser: enrolment of the second factor, and the session script in the admin."""

import pytest
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticToken

from counselling.permissions import BERATUNG
from tests.accounts.conftest import PASSWORD
from tests.axe import assert_no_axe_violations
from tests.conftest import enter_second_factor, totp_device_for, totp_token
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def counsellor(transactional_db):
    user = UserFactory(username="berta")
    user.groups.add(Group.objects.get(name=BERATUNG))
    return user


def _password_step(page, live_server, user, next_path="/admin/"):
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.get_by_label("Benutzername").fill(user.username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_first_login_enrols_the_authenticator_and_shows_recovery_codes(
    page, live_server, counsellor
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _password_step(page, live_server, counsellor)
    page.wait_for_url("**/admin/konto/zwei-faktor/einrichten/?next=%2Fadmin%2F")

    assert page.locator("h1").inner_text() == "Zweiten Faktor einrichten"
    assert page.get_by_role("img", name="QR-Code für die Authenticator-App").is_visible()
    assert_no_axe_violations(page)
    device = TOTPDevice.objects.get(user=counsellor)
    page.get_by_label("Code").fill(totp_token(device))
    page.get_by_role("button", name="Einrichten").click()

    codes = page.locator("#otp-codes li").all_inner_texts()
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=counsellor).values_list("token", flat=True)
    )
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Weiter zur Verwaltung").click()
    page.wait_for_url("**/admin/")
    assert page.locator("h1").inner_text() == "Verwaltung"


def test_wrong_code_then_right_code(page, live_server, counsellor, settings):
    device = totp_device_for(counsellor)
    _password_step(page, live_server, counsellor)
    page.wait_for_url("**/admin/konto/zwei-faktor/?next=%2Fadmin%2F")

    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Bestätigen").click()
    assert page.locator("#otp-error").inner_text() == "Der Code ist falsch oder abgelaufen."
    assert_no_axe_violations(page)
    page.wait_for_timeout(1100)  # django-otp's delay after one wrong code
    page.get_by_label("Code").fill(totp_token(device))
    page.get_by_role("button", name="Bestätigen").click()
    page.wait_for_url("**/admin/")


def test_session_script_keeps_the_session_alive_while_typing(page, live_server, counsellor):
    page.clock.install()
    _password_step(page, live_server, counsellor, next_path="/admin/counselling/case/add/")
    enter_second_factor(page, counsellor)
    page.wait_for_url("**/admin/counselling/case/add/")

    page.get_by_label("Titel").fill("Streit um den Marktplatz")
    with page.expect_response("**/admin/konto/sitzung/") as answer:
        page.clock.fast_forward("11:00")  # a third of the 30 idle minutes, and a bit
    assert answer.value.status == 200
    assert answer.value.json()["idle_seconds"] > 29 * 60
    assert page.locator("#staff-session").is_hidden()


def test_session_script_warns_before_the_idle_end(page, live_server, counsellor):
    totp_device_for(counsellor)
    page.clock.install()
    _password_step(page, live_server, counsellor)
    enter_second_factor(page, counsellor)
    page.wait_for_url("**/admin/")

    page.clock.fast_forward("28:30")

    banner = page.locator("#staff-session")
    assert banner.is_visible()
    assert banner.locator(".staff-session-text").inner_text() == (
        "Ihre Sitzung endet in Kürze, weil eine Weile nichts geschehen ist. "
        "Ungespeicherte Eingaben gehen dann verloren."
    )
    assert_no_axe_violations(page)
    with page.expect_response("**/admin/konto/sitzung/") as answer:
        page.get_by_role("button", name="Angemeldet bleiben").click()
    assert answer.value.status == 200
    assert banner.is_hidden()


def test_lockout_page_is_german_and_accessible(page, live_server, counsellor):
    from axes.models import AccessAttempt
    from django.utils import timezone

    AccessAttempt.objects.create(
        username=counsellor.username,
        ip_address="203.0.113.66",
        user_agent="",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/admin/login/",
        failures_since_start=10,
        attempt_time=timezone.now(),
    )

    _password_step(page, live_server, counsellor)

    assert page.locator("h1").inner_text() == "Anmeldung vorübergehend gesperrt"
    assert page.title() == "Anmeldung vorübergehend gesperrt | Verwaltung"
    assert_no_axe_violations(page)
