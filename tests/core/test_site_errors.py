"""Error pages in the site's layout and the visitor's language (DEBUG is off in tests)."""

import re

import pytest
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import path
from django.utils import translation
from django.views.defaults import server_error

import kkk_portal.urls


def broken_view(request):
    raise RuntimeError("kaputt")


# This module doubles as a URLconf: the real site plus one failing page.
urlpatterns = [
    *i18n_patterns(path("kaputt/", broken_view), prefix_default_language=False),
    *kkk_portal.urls.urlpatterns,
]


def h1(html):
    return re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)


@pytest.mark.django_db
def test_404_is_german_with_a_way_back(client):
    assert settings.DEBUG is False
    response = client.get("/gibt-es-nicht/")
    html = response.content.decode()
    assert response.status_code == 404
    assert h1(html) == ["Seite nicht gefunden"]
    assert '<html lang="de">' in html
    assert '<a class="btn btn-primary" href="/">Zur Startseite</a>' in html
    assert '<form class="site-search error-search" action="/suche/"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert 'rel="canonical"' not in html


@pytest.mark.django_db
def test_404_under_en_is_english_and_switches_to_german(client):
    response = client.get("/en/does-not-exist/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="en">' in html
    assert 'href="/en/"' in html
    assert 'href="/does-not-exist/" hreflang="de" lang="de">Deutsch</a>' in html


@pytest.mark.django_db
def test_bad_input_in_urls_is_404_not_500(client):
    for url in ["/projekte/%00/", "/impressum/%3Cscript%3E/", "/en/xx/" + "a" * 3000 + "/"]:
        assert client.get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_500_page_is_served_in_the_site_layout(client):
    client.raise_request_exception = False
    response = client.get("/kaputt/")
    html = response.content.decode()
    assert response.status_code == 500
    assert h1(html) == ["Technischer Fehler"]
    assert '<a class="btn btn-primary" href="/">Zur Startseite</a>' in html
    assert '/static/css/site.min.css"' in html

    response = client.get("/en/kaputt/")
    assert response.status_code == 500
    assert '<html lang="en">' in response.content.decode()


def test_500_template_renders_without_request_or_database():
    # No django_db mark: any query would fail the test.
    with translation.override("de"):
        html = render_to_string("500.html")
    assert h1(html) == ["Technischer Fehler"]
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Technischer Fehler" in response.content.decode()
