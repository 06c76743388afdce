"""deploy/nginx/kkk-portal.conf in front of the production stack (see conftest.py).

Public media come from the S3 bucket under the site's own origin and read-only;
case documents are not reachable through /media/ in any spelling; hashed static
files are cached for a year; bodies over FILE_UPLOAD_MAX_SIZE stop at nginx.
"""

import gzip

import boto3
import pytest
import requests

from tests import html

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def https(prod_stack, tls_files):
    def call(method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(
            method,
            f"{prod_stack.https_url}{path}",
            verify=str(tls_files.ca),
            allow_redirects=False,
            timeout=30,
            **kwargs,
        )

    return call


def _put(stack, bucket: str, key: str, body: bytes) -> None:
    boto3.client(
        "s3",
        endpoint_url=stack.s3.endpoint_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="eu-central-1",
    ).put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/pdf")


def test_media_come_from_the_bucket_on_our_origin_read_only(prod_stack, https):
    _put(prod_stack, prod_stack.media_bucket, "media/publications/flyer.pdf", b"%PDF-1.4 flyer")

    response = https("GET", "/media/publications/flyer.pdf")

    assert response.status_code == 200
    assert response.content == b"%PDF-1.4 flyer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert not [h for h in response.headers if h.lower().startswith("x-amz")]
    assert "Set-Cookie" not in response.headers
    # Nothing but GET/HEAD reaches the bucket (refused, shown as the 404 page).
    assert https("PUT", "/media/publications/evil.pdf", data=b"x").status_code == 404
    assert https("DELETE", "/media/publications/flyer.pdf").status_code == 404
    assert "media/publications/evil.pdf" not in prod_stack.s3.keys(prod_stack.media_bucket)
    assert prod_stack.s3.read(prod_stack.media_bucket, "media/publications/flyer.pdf") == (
        b"%PDF-1.4 flyer"
    )
    missing = https("GET", "/media/publications/gibt-es-nicht.pdf")
    assert missing.status_code == 404
    assert "<Error>" not in missing.text


@pytest.mark.parametrize(
    "path",
    [
        "/media/../private/cases/1/geheim.pdf",
        "/media/..%2Fprivate/cases/1/geheim.pdf",
        "/media/%2e%2e/private/cases/1/geheim.pdf",
        "/media/..%2f..%2fkkk-private/private/cases/1/geheim.pdf",
    ],
)
def test_case_documents_are_not_reachable_through_media(prod_stack, https, path):
    secret = b"%PDF-1.4 vertraulich"
    _put(prod_stack, prod_stack.media_bucket, "private/cases/1/geheim.pdf", secret)
    _put(prod_stack, prod_stack.private_bucket, "private/cases/1/geheim.pdf", secret)

    response = https("GET", path)

    assert response.status_code in {400, 404}
    assert secret not in response.content


def test_plain_http_redirects_to_https(prod_stack):
    response = requests.get(
        f"http://localhost:{prod_stack.http_port}/beratung-anfragen/?a=1",
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 301
    assert response.headers["Location"] == (
        f"https://localhost:{prod_stack.nginx.port}/beratung-anfragen/?a=1"
    )


def test_hashed_static_files_are_immutable(prod_stack, https):
    page = https("GET", "/")
    assert page.status_code == 200
    hashed = next(
        part.split('"')[0]
        for part in page.text.split('href="')[1:]
        if part.startswith("/static/") and ".css" in part.split('"')[0]
    )

    response = https("GET", hashed)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_app_headers_pass_once_and_request_id_reaches_the_app(prod_stack, https):
    response = https("GET", "/beratung-anfragen/")

    assert response.status_code == 200
    for header in ("Content-Security-Policy", "Strict-Transport-Security", "X-Frame-Options"):
        assert len(response.raw.headers.getlist(header)) == 1, header
    assert len(response.headers.get("X-Request-ID", "")) == 32  # nginx's $request_id


def test_bodies_over_the_upload_limit_stop_at_nginx(prod_stack, https):
    before = prod_stack.served_by()

    response = https(
        "POST", "/beratung-anfragen/", data=b"x" * (30 * 1024 * 1024 + 1024),
        headers={"Content-Type": "application/octet-stream"},
    )  # fmt: skip

    assert response.status_code == 413
    assert prod_stack.served_by() == before


def test_pages_and_static_files_go_out_compressed(prod_stack, https):
    gzip_only = {"Accept-Encoding": "gzip"}
    page = https("GET", "/", headers=gzip_only)
    stylesheet = html.attrs(page.text, "link[rel=stylesheet]", "href")[0]

    css = https("GET", stylesheet, headers=gzip_only, stream=True)

    assert page.headers["Content-Encoding"] == "gzip"  # compressed by nginx on the way
    assert "Accept-Encoding" in page.headers["Vary"]
    # The stylesheet: the .gz that collectstatic wrote beside it, sent as it is.
    assert css.headers["Content-Encoding"] == "gzip"
    precompressed = prod_stack.folder / "static" / (stylesheet.removeprefix("/static/") + ".gz")
    assert int(css.headers["Content-Length"]) == precompressed.stat().st_size
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_cached_page_goes_out_as_the_app_compressed_it_once(prod_stack, https):
    gzip_only = {"Accept-Encoding": "gzip"}
    https("GET", "/projekte/", headers=gzip_only)  # rendered and stored
    hit = https("GET", "/projekte/", headers=gzip_only, stream=True)
    sent = hit.raw.read(decode_content=False)
    plain = https("GET", "/projekte/", headers={"Accept-Encoding": "identity"})

    assert hit.headers["X-Page-Cache"] == "hit"
    # Compressed when stored; nginx passes it on instead of compressing it again.
    assert hit.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(sent) == plain.content
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in hit.headers["Vary"]
    assert "Accept-Encoding" in plain.headers["Vary"]
