"""Shared fixtures: browser setup for Playwright, axe-core, common data."""

import os
import shutil

import pytest
from django.core.management import call_command

# live_server runs in a thread beside sync Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. The browser tests need Debian's Chromium: "
            "apt-get install -y chromium (or run `make test`, which installs it as root)."
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _no_csp_violations(request):
    """Every browser test fails when a page breaks the Content-Security-Policy.

    Chromium reports each blocked inline script, style or foreign source on the
    console; the listener collects them for every page of the test's context.
    """
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    if not hasattr(page, "context"):  # a test parameter that happens to be called "page"
        yield
        return
    violations = []

    def record(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.context.on("console", record)
    page.on("console", record)
    yield
    assert violations == []


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    # Every cache: the content version of the page cache and what is kept per version
    # (filter choices, the places list) must not outlive the test's database.
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _german_by_default():
    """Every test starts in German; a request to /en/ must not leak into the next test."""
    from django.utils import translation

    translation.activate("de")
    yield
    translation.activate("de")


@pytest.fixture
def centre_content(db):
    """The centre's real content, loaded the way `make run` loads it."""
    call_command("load_content", verbosity=0)


@pytest.fixture(autouse=True)
def _force_login_with_second_factor(monkeypatch):
    """`client.force_login(staff)` logs in with a confirmed second factor, as after the
    TOTP step (STAFF_2FA is on in the test settings). `force_login(user, otp=False)`
    logs in with the password step only, for the tests of the second factor itself.
    """
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None, *, otp=True):
        original(self, user, backend)
        if otp:
            from django_otp import DEVICE_ID_SESSION_KEY

            device = totp_device_for(user)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


def totp_device_for(user):
    """The user's confirmed TOTP device (created if missing)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test", confirmed=True)


def totp_token(device) -> str:
    """The code the user's authenticator app shows right now."""
    from django_otp.oath import totp

    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def enter_second_factor(page, user) -> None:
    """Browser tests: after the password step, confirm the second factor.

    A user with a confirmed device types the current code; a user without one goes
    through the enrolment page (the code of the device it shows) and continues.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page.wait_for_url("**/admin/konto/zwei-faktor/**")
    if "/einrichten/" in page.url:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).latest("pk")
        page.get_by_label("Code").fill(totp_token(device))
        page.get_by_role("button", name="Einrichten").click()
        page.get_by_role("link", name="Weiter zur Verwaltung").click()
    else:
        page.get_by_label("Code").fill(totp_token(totp_device_for(user)))
        page.get_by_role("button", name="Bestätigen").click()
