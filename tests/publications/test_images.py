"""Thumbnails: made once by the worker with Pillow, stored under MEDIA_ROOT, rendered with srcset.

A page never makes them: until the worker has run it shows the original image.
"""

import io
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from PIL import Image

from counselling import services
from counselling.models import ImageRendition, Job
from kkk_portal.images import renditions_make, responsive_image, thumbnail_name
from tests.factories import PublicationFactory
from tests.publications.helpers import image_bytes

pytestmark = pytest.mark.django_db


def img_tags(response):
    """Uploaded images only (the site's logo and icons are static files)."""
    return re.findall(r'<img [^>]*src="/media/[^>]*>', response.content.decode())


def attrs(tag):
    return dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag))


@pytest.fixture
def covered():
    publication = PublicationFactory(
        title="Mit Titelbild", slug="mit-bild", cover_alt="Ein Titelbild"
    )
    publication.cover.save("cover.jpg", ContentFile(image_bytes(1200, 800)))
    return publication


def run_worker():
    """What `run_worker` does in the background after an upload."""
    return services.jobs_run()


def thumb_files():
    folder = settings.MEDIA_ROOT / "thumbs"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_cover_is_rendered_as_responsive_lazy_thumbnail(client, covered):
    assert run_worker() == (1, 0)
    response = client.get("/publikationen/mit-bild/")
    (tag,) = img_tags(response)
    a = attrs(tag)
    name = covered.cover.name
    assert a["src"] == "/media/" + thumbnail_name(name, 640)
    assert a["srcset"] == ", ".join(
        f"/media/{thumbnail_name(name, w)} {w}w" for w in (320, 640, 960)
    )
    assert a["sizes"] == "(min-width: 992px) 400px, 100vw"
    assert (a["width"], a["height"]) == ("640", "427")
    assert a["loading"] == "lazy"
    assert a["alt"] == "Ein Titelbild"


def test_thumbnails_have_the_right_sizes_and_format(client, covered):
    run_worker()
    client.get("/publikationen/mit-bild/")
    sizes = []
    for path in thumb_files():
        with Image.open(path) as image:
            sizes.append((image.format, image.size))
    assert sorted(sizes) == [("WEBP", (320, 213)), ("WEBP", (640, 427)), ("WEBP", (960, 640))]


def test_second_render_does_not_rewrite_thumbnails(client, covered):
    run_worker()
    client.get("/publikationen/mit-bild/")
    before = {p.name: p.stat().st_mtime_ns for p in thumb_files()}
    assert len(before) == 3
    client.get("/publikationen/mit-bild/")  # cached sizes
    cache.clear()
    second = client.get("/publikationen/mit-bild/")  # cache gone: sizes from the database
    renditions_make(covered.cover.name)  # the job again: files found, not rewritten
    after = {p.name: p.stat().st_mtime_ns for p in thumb_files()}
    assert after == before
    (tag,) = img_tags(second)
    assert (attrs(tag)["width"], attrs(tag)["height"]) == ("640", "427")


def test_list_and_detail_share_the_same_files(client, covered):
    run_worker()
    client.get("/publikationen/")
    client.get("/publikationen/mit-bild/")
    assert len(thumb_files()) == 3


def test_small_image_is_never_upscaled(client):
    publication = PublicationFactory(slug="klein")
    publication.cover.save("klein.png", ContentFile(image_bytes(200, 100, fmt="PNG")))
    run_worker()
    (tag,) = img_tags(client.get("/publikationen/klein/"))
    a = attrs(tag)
    assert (a["width"], a["height"]) == ("200", "100")
    assert a["srcset"] == f"/media/{thumbnail_name(publication.cover.name, 200)} 200w"


def test_transparent_png_keeps_its_alpha():
    publication = PublicationFactory(slug="transparent")
    buffer = io.BytesIO()
    Image.new("RGBA", (400, 400), (0, 0, 0, 0)).save(buffer, "PNG")
    publication.cover.save("transparent.png", ContentFile(buffer.getvalue()))
    run_worker()
    image = responsive_image(publication.cover)
    with Image.open(settings.MEDIA_ROOT / image.thumbnails[0].name) as thumb:
        assert thumb.mode == "RGBA"
        assert thumb.size == (320, 320)


@pytest.mark.parametrize(
    "content", [b"this is not an image", image_bytes(600, 400)[:200]], ids=["text", "truncated"]
)
def test_corrupt_cover_does_not_break_pages(client, content):
    publication = PublicationFactory(title="Kaputtes Bild", slug="kaputt")
    publication.cover.save("kaputt.jpg", ContentFile(content))
    before_worker = client.get("/publikationen/kaputt/")
    assert before_worker.status_code == 200
    assert run_worker() == (1, 0)  # the job is done: "unreadable" is its result
    detail = client.get("/publikationen/kaputt/")
    listing = client.get("/publikationen/")
    assert detail.status_code == listing.status_code == 200
    assert img_tags(detail) == img_tags(listing) == []
    assert "Kaputtes Bild" in detail.content.decode()
    rendition = ImageRendition.objects.get(source=publication.cover.name)
    assert (rendition.thumbnails, bool(rendition.error)) == ([], True)


def test_missing_cover_file_does_not_break_pages(client):
    PublicationFactory(slug="verschwunden", cover="publications/covers/weg.jpg")
    response = client.get("/publikationen/verschwunden/")
    assert response.status_code == 200
    assert img_tags(response) == []
    run_worker()
    response = client.get("/publikationen/verschwunden/")
    assert response.status_code == 200
    assert img_tags(response) == []


def test_no_image_gives_none():
    publication = PublicationFactory()
    assert responsive_image(publication.cover) is None


def test_saving_an_image_queues_one_job_and_pages_show_the_original_meanwhile(client, covered):
    assert list(Job.objects.values_list("kind", "key", "status")) == [
        ("renditions", covered.cover.name, "wartend")
    ]
    covered.save()  # saved again, same image: still one job
    assert Job.objects.count() == 1

    detail = client.get("/publikationen/mit-bild/")
    client.get("/publikationen/")
    (tag,) = img_tags(detail)
    a = attrs(tag)
    assert a["src"] == a["srcset"].split(" ")[0] == f"/media/{covered.cover.name}"
    assert (a["width"], a["height"]) == ("1200", "800")
    assert thumb_files() == []  # rendering never makes thumbnails

    assert run_worker() == (1, 0)
    assert len(thumb_files()) == 3
    (tag,) = img_tags(client.get("/publikationen/mit-bild/"))
    assert attrs(tag)["src"] == "/media/" + thumbnail_name(covered.cover.name, 640)
    assert list(Job.objects.values_list("status", flat=True)) == ["erledigt"]
    covered.save()  # thumbnails recorded: nothing new to do
    assert Job.objects.count() == 1
