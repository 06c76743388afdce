"""Every page is served with a strict Content-Security-Policy."""

import pytest

EXPECTED = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/en/projekte/", "/beratung-anfragen/", "/admin/login/"])
def test_pages_carry_a_strict_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    directives = sorted(d.strip() for d in response["Content-Security-Policy"].split(";"))
    assert directives == sorted(d.strip() for d in EXPECTED.split(";"))


@pytest.mark.django_db
def test_not_found_pages_carry_the_policy_too(client):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "script-src 'self'" in response["Content-Security-Policy"]
