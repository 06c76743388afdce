"""400 and 403 pages in the site's layout and the visitor's language."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import override_settings
from django.urls import path

from kkk_portal.urls import urlpatterns as site_urlpatterns


def bad_request(request):
    raise SuspiciousOperation("malformed")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [path("kaputt/", bad_request), path("verboten/", forbidden), *site_urlpatterns]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [("/kaputt/", 400, "Anfrage nicht verständlich"), ("/verboten/", 403, "Kein Zugriff")],
)
def test_error_pages_use_the_site_layout(client, url, status, heading):
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in html
    assert 'href="#main"' in html  # the site's skip link: it is the real layout
