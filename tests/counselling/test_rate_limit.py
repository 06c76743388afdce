"""The request form's rate limit: the right address, counted before saving."""

import pytest

from counselling.models import CounsellingRequest

pytestmark = pytest.mark.django_db

FORM_URL = "/beratung-anfragen/"


def _submit(client, data, **extra):
    return client.post(FORM_URL, data, **extra).status_code


def test_forwarded_for_is_ignored_without_trusted_proxies(client, valid_request_data, settings):
    settings.COUNSELLING_RATE_LIMIT = 2
    codes = [
        _submit(client, valid_request_data, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(3)
    ]

    assert codes == [302, 302, 429]
    assert CounsellingRequest.objects.count() == 2


def test_forwarded_for_counts_behind_a_trusted_proxy(client, valid_request_data, settings):
    settings.COUNSELLING_RATE_LIMIT = 1
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appends the address it saw; what the client sent before it is ignored.
    codes = [
        _submit(client, valid_request_data, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1"),
        _submit(client, valid_request_data, HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.1"),
        _submit(client, valid_request_data, HTTP_X_FORWARDED_FOR="198.51.100.2"),
    ]

    assert codes == [302, 429, 302]
    assert CounsellingRequest.objects.count() == 2


def test_the_sixth_submission_in_the_window_is_refused_before_saving(
    client, valid_request_data, settings
):
    settings.COUNSELLING_RATE_LIMIT = 5
    codes = [_submit(client, valid_request_data) for _ in range(6)]

    assert codes == [302, 302, 302, 302, 302, 429]
    assert CounsellingRequest.objects.count() == 5
