"""Staff reset a forgotten password by mail."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.accounts.conftest import member

pytestmark = pytest.mark.django_db


def test_admin_login_links_to_password_reset():
    response = Client().get("/admin/login/")

    assert '<a href="/admin/password_reset/">' in response.content.decode()


def test_password_reset_by_mail_sets_a_new_password(settings):
    settings.SITE_URL = "https://portal.example.org"
    user = member("frida", email="frida@kkk.example.org")
    client = Client()

    sent = client.post(
        "/admin/password_reset/", {"email": "frida@kkk.example.org"}, HTTP_HOST="evil.example"
    )

    assert (sent.status_code, sent.url) == (302, "/admin/password_reset/done/")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["frida@kkk.example.org"]
    assert "evil.example" not in message.body
    link = re.search(r"https://portal\.example\.org(/admin/reset/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    too_short = client.post(set_url, {"new_password1": "kurz", "new_password2": "kurz"})
    done = client.post(
        set_url, {"new_password1": "neues-passwort-2026", "new_password2": "neues-passwort-2026"}
    )

    assert form_page.status_code == 200
    assert too_short.status_code == 200
    assert "new_password2" in too_short.context["form"].errors
    assert (done.status_code, done.url) == (302, "/admin/reset/done/")
    user.refresh_from_db()
    assert user.check_password("neues-passwort-2026")


def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same():
    response = Client().post("/admin/password_reset/", {"email": "niemand@example.org"})

    assert (response.status_code, response.url) == (302, "/admin/password_reset/done/")
    assert mail.outbox == []


def test_password_reset_pages_are_german():
    response = Client().get("/admin/password_reset/")

    assert "Passwort vergessen?" in response.content.decode()


def test_password_reset_mails_are_limited_per_address(settings):
    settings.PASSWORD_RESET_RATE_LIMIT = 2
    member("frida", email="frida@konfliktberatung.example.org")
    attacker, colleague = Client(REMOTE_ADDR="203.0.113.9"), Client(REMOTE_ADDR="198.51.100.3")
    data = {"email": "frida@konfliktberatung.example.org"}

    answers = [attacker.post("/admin/password_reset/", data).status_code for _ in range(3)]
    elsewhere = colleague.post("/admin/password_reset/", data)

    assert answers == [302, 302, 429]
    assert elsewhere.status_code == 302
    assert len(mail.outbox) == 3  # two for the attacker's address, one from elsewhere
    assert (
        "zu viele Passwort-Links" in attacker.post("/admin/password_reset/", data).content.decode()
    )
