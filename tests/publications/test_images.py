"""Renditions: made once by the worker with Pillow, stored under MEDIA_ROOT, rendered
as <picture> with WebP and a JPEG/PNG fallback.

A page never makes them: until the worker has run it shows the original image.
Covers are cut to 5:7 (an A-series page) around the focal point.
"""

import io

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from PIL import Image

from counselling import services
from counselling.models import ImageRendition, Job
from kkk_portal.images import Spec, renditions_make, responsive_image, thumbnail_name
from tests.factories import PublicationFactory
from tests.html import doc
from tests.publications.helpers import image_bytes

pytestmark = pytest.mark.django_db


def pictures(response):
    return doc(response).select("picture")


def uploaded_imgs(response):
    """Uploaded images only (the site's logo and icons are static files)."""
    return [img for img in doc(response).select("img") if img["src"].startswith("/media/")]


@pytest.fixture
def covered():
    publication = PublicationFactory(
        title="Mit Titelbild", slug="mit-bild", cover_alt="Ein Titelbild"
    )
    # A4 portrait, as covers are: 5:7 cuts almost nothing.
    publication.cover.save("cover.jpg", ContentFile(image_bytes(1400, 1960)))
    return publication


def run_worker():
    """What `run_worker` does in the background after an upload."""
    return services.jobs_run()


def thumb_files():
    folder = settings.MEDIA_ROOT / "thumbs"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_cover_is_rendered_as_picture_with_webp_and_jpeg(client, covered):
    assert run_worker() == (1, 0)
    response = client.get("/publikationen/mit-bild/")
    (picture,) = pictures(response)
    key = Spec.of(covered.cover).key
    source = picture.select_one("source")
    assert source["type"] == "image/webp"
    assert source["srcset"] == ", ".join(
        f"/media/{thumbnail_name(key, w)} {w}w" for w in (320, 640, 960)
    )
    assert source["sizes"] == "(min-width: 992px) 400px, 100vw"
    img = picture.select_one("img")
    assert img["src"] == "/media/" + thumbnail_name(key, 640, "jpg")
    assert img["srcset"] == ", ".join(
        f"/media/{thumbnail_name(key, w, 'jpg')} {w}w" for w in (320, 640, 960)
    )
    assert (img["width"], img["height"]) == ("640", "896")
    assert img["loading"] == "lazy"
    assert img["alt"] == "Ein Titelbild"


def test_renditions_have_the_right_sizes_and_formats(covered):
    run_worker()
    sizes = []
    for path in thumb_files():
        with Image.open(path) as image:
            sizes.append((image.format, image.size))
    expected = [(w, round(w * 7 / 5)) for w in (320, 640, 960)]
    assert sorted(sizes) == sorted(
        [("WEBP", size) for size in expected] + [("JPEG", size) for size in expected]
    )


def test_second_render_does_not_rewrite_renditions(client, covered):
    run_worker()
    client.get("/publikationen/mit-bild/")
    before = {p.name: p.stat().st_mtime_ns for p in thumb_files()}
    assert len(before) == 6
    client.get("/publikationen/mit-bild/")  # cached sizes
    cache.clear()
    second = client.get("/publikationen/mit-bild/")  # cache gone: sizes from the database
    renditions_make(Spec.of(covered.cover).key)  # the job again: files found, not rewritten
    after = {p.name: p.stat().st_mtime_ns for p in thumb_files()}
    assert after == before
    (img,) = uploaded_imgs(second)
    assert (img["width"], img["height"]) == ("640", "896")


def test_list_and_detail_share_the_same_files(client, covered):
    run_worker()
    client.get("/publikationen/")
    client.get("/publikationen/mit-bild/")
    assert len(thumb_files()) == 6


def test_small_image_is_never_upscaled(client):
    publication = PublicationFactory(slug="klein", cover_alt="Klein")
    publication.cover.save("klein.png", ContentFile(image_bytes(200, 100, fmt="PNG")))
    run_worker()
    (img,) = uploaded_imgs(client.get("/publikationen/klein/"))
    # 200×100 cut to 5:7 around the middle: 71×100, never enlarged.
    assert (img["width"], img["height"]) == ("71", "100")
    key = Spec.of(publication.cover).key
    assert img["srcset"] == f"/media/{thumbnail_name(key, 71, 'jpg')} 71w"


def test_transparent_png_keeps_its_alpha_with_a_png_fallback():
    publication = PublicationFactory(slug="transparent")
    buffer = io.BytesIO()
    Image.new("RGBA", (500, 700), (0, 0, 0, 0)).save(buffer, "PNG")
    publication.cover.save("transparent.png", ContentFile(buffer.getvalue()))
    run_worker()
    image = responsive_image(publication.cover)
    thumb = image.thumbnails[0]
    assert thumb.fallback.endswith(".png")
    for name in (thumb.name, thumb.fallback):
        with Image.open(settings.MEDIA_ROOT / name) as file:
            assert file.mode == "RGBA"
            assert file.size == (320, 448)


@pytest.mark.parametrize(
    "content", [b"this is not an image", image_bytes(600, 400)[:200]], ids=["text", "truncated"]
)
def test_corrupt_cover_does_not_break_pages(client, content):
    publication = PublicationFactory(title="Kaputtes Bild", slug="kaputt", cover_alt="Kaputt")
    publication.cover.save("kaputt.jpg", ContentFile(content))
    before_worker = client.get("/publikationen/kaputt/")
    assert before_worker.status_code == 200
    assert run_worker() == (1, 0)  # the job is done: "unreadable" is its result
    detail = client.get("/publikationen/kaputt/")
    listing = client.get("/publikationen/")
    assert detail.status_code == listing.status_code == 200
    assert uploaded_imgs(detail) == uploaded_imgs(listing) == []
    assert "Kaputtes Bild" in detail.content.decode()
    rendition = ImageRendition.objects.get(source=Spec.of(publication.cover).key)
    assert (rendition.thumbnails, bool(rendition.error)) == ([], True)


def test_missing_cover_file_does_not_break_pages(client):
    PublicationFactory(slug="verschwunden", cover="publications/covers/weg.jpg")
    response = client.get("/publikationen/verschwunden/")
    assert response.status_code == 200
    assert uploaded_imgs(response) == []
    run_worker()
    response = client.get("/publikationen/verschwunden/")
    assert response.status_code == 200
    assert uploaded_imgs(response) == []


def test_no_image_gives_none():
    publication = PublicationFactory()
    assert responsive_image(publication.cover) is None


def test_saving_an_image_queues_one_job_and_pages_show_the_original_meanwhile(client, covered):
    key = Spec.of(covered.cover).key
    assert list(Job.objects.values_list("kind", "key", "status")) == [
        ("renditions", key, "wartend")
    ]
    covered.save()  # saved again, same image and focal point: still one job
    assert Job.objects.count() == 1

    detail = client.get("/publikationen/mit-bild/")
    client.get("/publikationen/")
    assert pictures(detail) == []  # the original is a plain <img>
    (img,) = uploaded_imgs(detail)
    assert img["src"] == img["srcset"].split(" ")[0] == f"/media/{covered.cover.name}"
    assert (img["width"], img["height"]) == ("1400", "1960")
    assert thumb_files() == []  # rendering never makes renditions

    assert run_worker() == (1, 0)
    assert len(thumb_files()) == 6
    (img,) = uploaded_imgs(client.get("/publikationen/mit-bild/"))
    assert img["src"] == "/media/" + thumbnail_name(key, 640, "jpg")
    assert list(Job.objects.values_list("status", flat=True)) == ["erledigt"]
    covered.save()  # renditions recorded: nothing new to do
    assert Job.objects.count() == 1
