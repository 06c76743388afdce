"""Public media and case documents on S3-compatible storage (a real moto server on loopback).

Uploads go through the admin over Django's test client; the bytes are read back
from the buckets with boto3. Pages link to /media/<key> on the site's own origin,
never to the bucket and never with a signature; case documents land in their own
bucket and only come out through the permission-checking view.
"""

import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from counselling import services
from counselling.models import CaseAccessLog, CaseDocument
from counselling.permissions import BERATUNG, LEITUNG
from kkk_portal.settings.base import s3_storages
from publications.models import Publication
from tests.deploy.conftest import S3_REGION
from tests.deploy.html_forms import document_upload_data, form_fields
from tests.factories import CounsellingRequestFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


@pytest.fixture
def buckets(settings, moto_s3):
    """STORAGES as base.py builds them from S3_* variables, pointed at fresh buckets."""
    media, private = moto_s3.create_bucket("kkk-media"), moto_s3.create_bucket("kkk-private")
    settings.STORAGES = {
        **settings.STORAGES,
        **s3_storages(
            bucket=media,
            private_bucket=private,
            endpoint_url=moto_s3.endpoint_url,
            access_key="test",
            secret_key="test",
            region=S3_REGION,
        ),
    }
    return SimpleNamespace(media=media, private=private, s3=moto_s3)


def _member(username, group):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group))
    return user


def test_publication_uploaded_in_admin_is_in_bucket_and_linked_on_own_origin(
    client, buckets, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(username="chefin", is_superuser=True))
    page = client.get(reverse("admin:publications_publication_add")).content.decode()
    data = dict(form_fields(page, "publication_form"))
    data.update(
        title="Handreichung Bürgerdialog",
        slug="handreichung-buergerdialog",
        kind=Publication.Kind.GUIDE,
        abstract="Wie ein Bürgerdialog gelingt.",
        file=SimpleUploadedFile("handreichung.pdf", PDF, content_type="application/pdf"),
    )
    data.pop("cover", None)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:publications_publication_add"), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert buckets.s3.keys(buckets.media) == ["media/publications/handreichung.pdf"]
    assert buckets.s3.read(buckets.media, "media/publications/handreichung.pdf") == PDF
    assert buckets.s3.keys(buckets.private) == []
    html = client.get("/publikationen/handreichung-buergerdialog/").content.decode()
    links = re.findall(r'href="([^"]*handreichung\.pdf[^"]*)"', html)
    assert links == ["/media/publications/handreichung.pdf"]
    assert "X-Amz-" not in html
    assert buckets.s3.endpoint_url not in html


def test_case_document_goes_to_private_bucket_and_only_out_through_the_view(
    client, buckets, django_capture_on_commit_callbacks
):
    leitung = _member("leitung", LEITUNG)
    outsider = _member("beratung2", BERATUNG)
    case = services.case_create_from_request(request=CounsellingRequestFactory(), by=leitung)
    change_url = reverse("admin:counselling_case_change", args=[case.pk])
    client.force_login(leitung)
    data, file_field = document_upload_data(
        client.get(change_url).content.decode(), title="Protokoll"
    )
    payload = {}
    for name, value in data:
        payload.setdefault(name, []).append(value)
    payload[file_field] = SimpleUploadedFile("protokoll.pdf", PDF, content_type="application/pdf")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url, payload)

    assert response.status_code == 302, response.content.decode()[:3000]
    document = CaseDocument.objects.get(case=case)
    key = f"private/cases/{case.pk}/protokoll.pdf"
    assert buckets.s3.keys(buckets.private) == [key]
    assert buckets.s3.read(buckets.private, key) == PDF
    assert buckets.s3.keys(buckets.media) == []
    with pytest.raises(ValueError, match="no public URL"):
        document.file.url  # noqa: B018 - the property itself must refuse

    download = client.get(document.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store"
    assert list(
        CaseAccessLog.objects.filter(case=case, via=CaseAccessLog.Via.DOCUMENT).values_list(
            "user__username", "detail"
        )
    ) == [("leitung", "Protokoll")]

    client.force_login(outsider)
    assert client.get(document.get_absolute_url()).status_code == 404
    client.logout()
    anonymous = client.get(document.get_absolute_url())
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("admin:login"))


def test_second_upload_with_same_name_keeps_the_first(buckets):
    from django.core.files.storage import default_storage

    first = default_storage.save("news/bild.txt", ContentFile(b"eins"))
    second = default_storage.save("news/bild.txt", ContentFile(b"zwei"))

    assert first == "news/bild.txt"
    assert second != first
    assert buckets.s3.read(buckets.media, "media/news/bild.txt") == b"eins"
    assert default_storage.url(second) == f"/media/{second}"


def test_case_documents_may_not_share_the_public_location():
    with pytest.raises(ImproperlyConfigured, match="S3_PRIVATE_BUCKET"):
        s3_storages(bucket="kkk", media_prefix="media", private_prefix="media/private")
    with pytest.raises(ImproperlyConfigured, match="S3_PRIVATE_BUCKET"):
        s3_storages(bucket="kkk", media_prefix="", private_prefix="private")
    same_bucket = s3_storages(bucket="kkk", media_prefix="media", private_prefix="private")
    assert same_bucket["private"]["OPTIONS"]["location"] == "private"
    assert same_bucket["default"]["OPTIONS"]["querystring_auth"] is False
