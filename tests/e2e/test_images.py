"""Real browser: Redaktion uploads a project image, sets its focal point by clicking the
preview, saves; the worker cuts the renditions around that point; the public page
shows the cut rendition and has no accessibility violations.

The autouse CSP guard (tests/conftest.py) fails the test on any blocked inline
script or style, in the admin (focal-point.js is an external script; the marker is
placed through the CSSOM) and on the public page.
"""

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from PIL import Image, ImageStat
from playwright.sync_api import expect

from counselling import services
from projects.models import Funder, Project
from tests.axe import assert_no_axe_violations
from tests.factories import (
    FundingFactory,
    NewsPostFactory,
    ProjectFactory,
    PublicationFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"
RED, BLUE = (220, 0, 0), (0, 0, 220)


def _log_in_as_redaktion(page, live_server):
    editor = UserFactory(username="redaktion-bild")
    editor.groups.add(Group.objects.get(name="Redaktion"))
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.get_by_label("Benutzername").fill(editor.username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(live_server.url + "/admin/")  # Redaktion needs no second factor


def _serve_media(page):
    """Stand in for the web server, which serves /media/ from MEDIA_ROOT in production
    (Django's test server serves only static files)."""

    def fulfil(route):
        name = route.request.url.split("/media/", 1)[1].split("?", 1)[0]
        path = Path(settings.MEDIA_ROOT) / name
        if not path.is_file():
            route.fulfill(status=404, body="")
            return
        types = {".webp": "image/webp", ".jpg": "image/jpeg", ".png": "image/png"}
        route.fulfill(path=str(path), content_type=types.get(path.suffix, "image/jpeg"))

    page.route("**/media/**", fulfil)


def _red_and_blue(path: Path) -> Path:
    """1800×600: the left half red, the right half blue."""
    image = Image.new("RGB", (1800, 600), RED)
    image.paste(BLUE, (900, 0, 1800, 600))
    image.save(path, "JPEG", quality=95)
    return path


def test_redaktion_sets_a_focal_point_and_the_page_shows_the_cut_rendition(
    page, live_server, tmp_path
):
    page.set_viewport_size({"width": 1280, "height": 900})
    _serve_media(page)
    _log_in_as_redaktion(page, live_server)

    page.goto(f"{live_server.url}/admin/projects/project/add/")
    page.locator("#id_title").fill("Projekt mit Bild")
    page.locator("#id_summary").fill(
        "Ein Projekt mit einem Bild, das um den Fokuspunkt zugeschnitten wird."
    )
    page.locator("#id_start_date").fill(datetime.date(2024, 1, 15).strftime("%d.%m.%Y"))
    page.locator("#id_image").set_input_files(str(_red_and_blue(tmp_path / "flaechen.jpg")))
    page.get_by_label("Bildbeschreibung (Alternativtext)").fill("Eine rote und eine blaue Fläche")

    # The chosen file appears as preview at once; a click on it sets the focal point.
    preview = page.locator(".focal-point-image")
    expect(preview).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('.focal-point-image').naturalWidth === 1800"
    )
    box = preview.bounding_box()
    preview.click(position={"x": box["width"] * 0.85, "y": box["height"] * 0.4})
    x = int(page.locator("#id_image_focus_x").input_value())
    y = int(page.locator("#id_image_focus_y").input_value())
    assert 83 <= x <= 87 and 38 <= y <= 42
    expect(page.locator(".focal-point-marker")).to_have_class("focal-point-marker is-set")
    marker = page.locator(".focal-point-marker").bounding_box()
    image_box = preview.bounding_box()
    centre = (marker["x"] + marker["width"] / 2, marker["y"] + marker["height"] / 2)
    assert abs(centre[0] - (image_box["x"] + image_box["width"] * 0.85)) < 4
    assert abs(centre[1] - (image_box["y"] + image_box["height"] * 0.4)) < 4
    expect(page.locator(".focal-point-status")).to_contain_text("Fokuspunkt gesetzt")

    # Keyboard: the focused preview moves the point with the arrow keys.
    page.locator(".focal-point-frame").focus()
    page.keyboard.press("ArrowLeft")
    assert int(page.locator("#id_image_focus_x").input_value()) == x - 5
    page.keyboard.press("Shift+ArrowDown")
    assert int(page.locator("#id_image_focus_y").input_value()) == y + 1

    page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    page.wait_for_url("**/change/")
    project = Project.objects.get(title="Projekt mit Bild")
    assert (project.image_focus_x, project.image_focus_y) == (x - 5, y + 1)
    assert project.image_alt == "Eine rote und eine blaue Fläche"

    # The worker makes the renditions (what `run_worker` does in the background).
    assert services.jobs_run() == (1, 0)

    page.goto(live_server.url + project.get_absolute_url())
    img = page.locator("main picture img")
    expect(img).to_have_attribute("alt", "Eine rote und eine blaue Fläche")
    img.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('main picture img');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    current = img.evaluate("i => i.currentSrc")
    assert current.endswith(".webp")  # Chromium takes the WebP source
    natural = img.evaluate("i => [i.naturalWidth, i.naturalHeight]")
    # naturalWidth is scaled by srcset's density (file width / `sizes` width): the
    # aspect ratio is what counts: cut to 3:2 from a 3:1 image.
    assert abs(natural[0] / natural[1] - 3 / 2) < 0.01
    # The cut follows the focal point: the rendition shows the blue right half.
    name = current.split("/media/", 1)[1]
    with Image.open(Path(settings.MEDIA_ROOT) / name) as rendition:
        red, _green, blue = ImageStat.Stat(rendition.convert("RGB")).mean
        assert blue > 180 and red < 40
        assert rendition.height == round(rendition.width * 2 / 3)
    # The fallback of the <img> exists as well.
    fallback = img.get_attribute("src").split("/media/", 1)[1]
    with Image.open(io.BytesIO((Path(settings.MEDIA_ROOT) / fallback).read_bytes())) as jpeg:
        assert jpeg.format == "JPEG"
    assert_no_axe_violations(page)


def test_public_pages_with_images_load_the_renditions_and_pass_axe(page, live_server, tmp_path):
    """News, publication (list and detail), team and a project with a funder's logo."""
    picture = _red_and_blue(tmp_path / "bild.jpg").read_bytes()
    news = NewsPostFactory(title="Neuigkeit mit Bild", slug="neuigkeit-mit-bild")
    news.image_alt, news.image_alt_en = "Rote und blaue Fläche", "Red and blue area"
    news.image_focus_x, news.image_focus_y = 10, 50
    news.image.save("neu.jpg", ContentFile(picture))
    publication = PublicationFactory(title="Broschüre", slug="broschuere", cover_alt="Titelbild")
    publication.cover.save("cover.jpg", ContentFile(picture))
    member = TeamMemberFactory(name="Anna Berg", slug="anna-berg", photo_alt="Anna Berg")
    member.photo.save("anna.jpg", ContentFile(picture))
    funder = Funder.objects.create(name="Stiftung Beispiel", slug="stiftung", kind="stiftung")
    funder.logo.save("logo.jpg", ContentFile(picture))
    project = ProjectFactory(title="Gefördert", slug="gefoerdert", image_alt="Flächen")
    project.image.save("projekt.jpg", ContentFile(picture))
    FundingFactory(project=project, funder=funder)
    assert services.jobs_run() == (5, 0)

    page.set_viewport_size({"width": 1280, "height": 900})
    _serve_media(page)
    for path in (
        "/aktuelles/neuigkeit-mit-bild/",
        "/en/aktuelles/neuigkeit-mit-bild/",
        "/publikationen/",
        "/publikationen/broschuere/",
        "/team/",
        "/projekte/gefoerdert/",
    ):
        assert page.goto(live_server.url + path).status == 200
        images = page.locator("main picture img")
        assert images.count() >= 1, path
        for i in range(images.count()):
            images.nth(i).scroll_into_view_if_needed()
        page.wait_for_function(
            "() => [...document.querySelectorAll('main picture img')]"
            ".every(i => i.complete && i.naturalWidth > 0 && i.currentSrc.endsWith('.webp'))"
        )
        assert_no_axe_violations(page)
    page.goto(live_server.url + "/en/aktuelles/neuigkeit-mit-bild/")
    expect(page.locator("main picture img")).to_have_attribute("alt", "Red and blue area")
