"""Images: alternative text (German required, English optional), a focal point, and
renditions cut around it by the worker when the image is saved (kkk_portal.images)."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from PIL import Image, ImageStat

from counselling import services
from counselling.models import ImageRendition, Job
from kkk_portal import page_cache
from kkk_portal.images import Spec, crop_box, responsive_image, thumbnail_name
from projects.models import Funder
from publications.models import NewsPost
from tests.factories import (
    FundingFactory,
    NewsPostFactory,
    ProjectFactory,
    PublicationFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.html import doc, form_fields

pytestmark = pytest.mark.django_db

ALT_REQUIRED = "Bitte beschreiben Sie das Bild (Alternativtext)"
FOCUS_RANGE = "Der Fokuspunkt ist ein Prozentwert zwischen 0 und 100."
RED, BLUE = (220, 0, 0), (0, 0, 220)


def red_and_blue(width: int = 3200, height: int = 900, fmt: str = "JPEG") -> bytes:
    """An image whose left half is red and right half blue."""
    image = Image.new("RGB", (width, height), RED)
    image.paste(BLUE, (width // 2, 0, width, height))
    buffer = io.BytesIO()
    image.save(buffer, fmt, quality=95)
    return buffer.getvalue()


def mean_colour(path) -> tuple[float, ...]:
    with Image.open(path) as image:
        return tuple(ImageStat.Stat(image.convert("RGB")).mean)


def news_with_image(*, focus=(None, None), **fields) -> NewsPost:
    post = NewsPostFactory(
        title="Mit Bild",
        slug="mit-bild",
        image_alt="Rote und blaue Fläche",
        image_focus_x=focus[0],
        image_focus_y=focus[1],
        **fields,
    )
    post.image.save("flaechen.jpg", ContentFile(red_and_blue()))
    return post


@pytest.fixture
def redaktion(client):
    user = UserFactory(username="redaktion-bilder")
    user.groups.add(Group.objects.get(name="Redaktion"))
    client.force_login(user)
    return user


def admin_form(client, url: str, **values) -> dict:
    data: dict = {}
    for name, value in form_fields(client.get(url), "#content-main form"):
        data.setdefault(name, []).append(value)
    data.update(
        {name: [value] if isinstance(value, str) else value for name, value in values.items()}
    )
    return data


def upload(name: str = "bild.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, red_and_blue(1600, 900), content_type="image/jpeg")


def errors(response) -> list[str]:
    return [" ".join(e.get_text(" ").split()) for e in doc(response).select(".errorlist li")]


# --- Alternative text --------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: NewsPostFactory(), "image"),
        (lambda: ProjectFactory(), "image"),
        (lambda: PublicationFactory(), "cover"),
        (lambda: TeamMemberFactory(), "photo"),
        (lambda: Funder(name="Stiftung Beispiel", slug="stiftung", kind="stiftung"), "logo"),
    ],
)
def test_every_image_field_requires_a_german_description(make, field):
    item = make()
    getattr(item, field).save("bild.jpg", ContentFile(red_and_blue(400, 300)), save=False)
    with pytest.raises(ValidationError) as raised:
        item.full_clean()
    assert ALT_REQUIRED in " ".join(raised.value.message_dict[f"{field}_alt"])
    setattr(item, f"{field}_alt", "Eine Beschreibung")
    item.full_clean()  # the English description is optional


def test_content_without_image_needs_no_description():
    NewsPostFactory(image_alt="").full_clean()


def test_admin_refuses_an_image_without_description_in_german(client, redaktion):
    url = "/admin/publications/newspost/add/"
    data = admin_form(
        client, url, title="Ohne Beschreibung", slug="ohne", teaser="Kurz.", body="<p>Text</p>"
    )
    data["image"] = upload()
    response = client.post(url, data)
    assert response.status_code == 200
    assert any(ALT_REQUIRED in error for error in errors(response))
    assert not NewsPost.objects.filter(slug="ohne").exists()


def test_english_page_uses_the_english_description_and_falls_back_to_german(client):
    post = news_with_image(image_alt_en="Red and blue area")
    services.jobs_run()
    with translation.override("en"):
        english_url = post.get_absolute_url()
    assert english_url.startswith("/en/")
    (img,) = doc(client.get(english_url)).select("picture img")
    assert img["alt"] == "Red and blue area"
    assert not img.has_attr("lang")
    (img,) = doc(client.get("/aktuelles/mit-bild/")).select("picture img")
    assert img["alt"] == "Rote und blaue Fläche"

    NewsPost.objects.filter(pk=post.pk).update(image_alt_en="")
    page_cache.content_changed()  # an update() behind the ORM's signals (README)
    (img,) = doc(client.get(english_url)).select("picture img")
    assert (img["alt"], img["lang"]) == ("Rote und blaue Fläche", "de")


def test_team_photo_and_funder_logo_use_their_descriptions(client):
    member = TeamMemberFactory(name="Anna Berg", photo_alt="Anna Berg am Schreibtisch")
    member.photo.save("anna.jpg", ContentFile(red_and_blue(800, 1000)))
    funder = Funder.objects.create(
        name="Stiftung Beispiel", slug="stiftung-beispiel", kind="stiftung", logo_alt=""
    )
    funder.logo.save("logo.png", ContentFile(red_and_blue(400, 200, fmt="PNG")))
    project = ProjectFactory(slug="gefoerdert")
    FundingFactory(project=project, funder=funder)
    services.jobs_run()
    (img,) = doc(client.get("/team/")).select("picture img")
    assert img["alt"] == "Anna Berg am Schreibtisch"
    (logo,) = doc(client.get("/projekte/gefoerdert/")).select("picture img.funder-logo")
    assert logo["alt"] == "Logo: Stiftung Beispiel"  # no description given: the name
    # A logo is never cut: its rendition keeps the whole image.
    assert (logo["width"], logo["height"]) == ("320", "160")


# --- Focal point -------------------------------------------------------------------


@pytest.mark.parametrize(("x", "y"), [(101, 50), (50, 250), (-1, 50)])
def test_focal_point_out_of_range_is_a_german_field_error(x, y):
    post = NewsPostFactory.build(slug="fokus", image_focus_x=x, image_focus_y=y)
    with pytest.raises(ValidationError) as raised:
        post.full_clean(exclude=["event"])
    messages = " ".join(m for ms in raised.value.message_dict.values() for m in ms)
    assert FOCUS_RANGE in messages


def test_focal_point_needs_both_values():
    post = NewsPostFactory.build(slug="halb", image_focus_x=30, image_focus_y=None)
    with pytest.raises(ValidationError) as raised:
        post.full_clean(exclude=["event"])
    assert "beide Werte" in " ".join(raised.value.message_dict["image_focus_y"])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("150", FOCUS_RANGE),
        ("-5", "Dieser Wert muss größer oder gleich 0 sein."),
        ("links", "Bitte eine ganze Zahl eingeben."),
        ("1e9", "Bitte eine ganze Zahl eingeben."),
    ],
)
def test_admin_answers_a_bad_focal_point_with_a_german_message(client, redaktion, value, message):
    url = "/admin/publications/newspost/add/"
    data = admin_form(
        client,
        url,
        title="Fokus",
        slug="fokus",
        teaser="Kurz.",
        body="<p>Text</p>",
        image_alt="Rote und blaue Fläche",
        image_focus_x=value,
        image_focus_y="50",
    )
    data["image"] = upload()
    response = client.post(url, data)
    assert response.status_code == 200
    assert errors(response) == [message]
    assert not NewsPost.objects.filter(slug="fokus").exists()


def test_admin_shows_the_focal_point_preview_with_labelled_inputs(client, redaktion):
    post = news_with_image(focus=(80, 20))
    response = client.get(f"/admin/publications/newspost/{post.pk}/change/")
    html = doc(response)
    box = html.select_one(".focal-point")
    assert box["data-focal-x"] == "id_image_focus_x"
    assert box["data-focal-y"] == "id_image_focus_y"
    assert box.select_one("img.focal-point-image")["src"] == post.image.url
    for axis, value in (("x", "80"), ("y", "20")):
        field = html.select_one(f"#id_image_focus_{axis}")
        assert (field["type"], field["min"], field["max"], field["value"]) == (
            "number",
            "0",
            "100",
            value,
        )
        assert (
            html.select_one(f'label[for="id_image_focus_{axis}"]')
            .get_text()
            .startswith("Fokuspunkt von")
        )
    scripts = [s.get("src", "") for s in html.select("script")]
    assert any(src.endswith("js/focal-point.js") for src in scripts)
    inline = html.select("script:not([src]):not([type=importmap])")  # the editor's, by hash
    assert not any(s.string and s.string.strip() for s in inline)
    assert not html.select("[style]")
    # German and English descriptions side by side.
    rows = [
        [c.removeprefix("field-") for box in row.select(".fieldBox") for c in box["class"]]
        for row in html.select("fieldset.bilingual .form-multiline")
    ]
    assert any("image_alt" in row and "image_alt_en" in row for row in rows)


def test_logos_have_no_focal_point_in_the_admin(client, redaktion):
    user = redaktion
    user.is_superuser = True  # funders are edited by the Leitung
    user.save()
    funder = Funder.objects.create(name="Stiftung", slug="stiftung", kind="stiftung")
    html = doc(client.get(f"/admin/projects/funder/{funder.pk}/change/"))
    assert html.select_one("#id_logo_alt") is not None
    assert html.select_one("#id_logo_focus_x") is None


# --- Renditions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("focus", "colour"),
    [((100, 50), BLUE), ((0, 50), RED), ((90, 10), BLUE)],
)
def test_renditions_are_cut_around_the_focal_point(focus, colour):
    post = news_with_image(focus=focus)
    assert services.jobs_run() == (1, 0)
    image = responsive_image(post.image)
    assert [t.width for t in image.thumbnails] == [320, 640, 960]
    for thumb in image.thumbnails:
        assert thumb.height == round(thumb.width * 9 / 16)  # news images are 16:9
        for name in (thumb.name, thumb.fallback):
            mean = mean_colour(post.image.storage.path(name))
            assert all(abs(m - c) < 25 for m, c in zip(mean, colour, strict=True)), (name, mean)


def test_without_focal_point_the_middle_is_kept():
    post = news_with_image()
    services.jobs_run()
    thumb = responsive_image(post.image).thumbnails[-1]
    red, _green, blue = mean_colour(post.image.storage.path(thumb.name))
    assert abs(red - blue) < 40  # half red, half blue


def test_crop_box_stays_inside_the_image():
    assert crop_box((3200, 900), (16, 9), (100, 50)) == (1600, 0, 3200, 900)
    assert crop_box((3200, 900), (16, 9), (0, 0)) == (0, 0, 1600, 900)
    assert crop_box((1000, 1000), (16, 9), (50, 0)) == (0, 0, 1000, 562)
    assert crop_box((1000, 1000), None, (90, 90)) == (0, 0, 1000, 1000)


def test_webp_and_fallback_files_are_written_and_rendered_in_a_picture(client):
    post = news_with_image(focus=(75, 50))
    services.jobs_run()
    key = Spec.of(post.image).key
    storage = post.image.storage
    for width in (320, 640, 960):
        with Image.open(storage.path(thumbnail_name(key, width))) as webp:
            assert (webp.format, webp.size) == ("WEBP", (width, round(width * 9 / 16)))
        with Image.open(storage.path(thumbnail_name(key, width, "jpg"))) as jpeg:
            assert (jpeg.format, jpeg.size) == ("JPEG", (width, round(width * 9 / 16)))
    (picture,) = doc(client.get("/aktuelles/mit-bild/")).select("picture")
    source, img = picture.select_one("source"), picture.select_one("img")
    assert source["type"] == "image/webp"
    assert source["srcset"].split(", ")[0] == f"/media/{thumbnail_name(key, 320)} 320w"
    assert img["src"] == f"/media/{thumbnail_name(key, 640, 'jpg')}"
    assert img["srcset"].split(", ")[-1] == f"/media/{thumbnail_name(key, 960, 'jpg')} 960w"
    assert (img["width"], img["height"], img["loading"]) == ("640", "360", "lazy")
    assert img["alt"] == "Rote und blaue Fläche"


def test_a_new_focal_point_gives_new_renditions_and_new_addresses(client):
    post = news_with_image(focus=(10, 50))
    services.jobs_run()
    first = doc(client.get("/aktuelles/mit-bild/")).select_one("picture img")["src"]

    post.image_focus_x = 90
    post.save()
    new_key = Spec.of(post.image).key
    assert Job.objects.filter(key=new_key, status="wartend").exists()
    # Until the worker has run, the page shows the original: never a stale crop.
    (img,) = doc(client.get("/aktuelles/mit-bild/")).select("main img[src^='/media/']")
    assert img["src"] == post.image.url
    services.jobs_run()
    second = doc(client.get("/aktuelles/mit-bild/")).select_one("picture img")["src"]
    assert second != first
    assert mean_colour(post.image.storage.path(second.removeprefix("/media/")))[2] > 150
    assert ImageRendition.objects.filter(source=new_key).exists()


def test_a_page_request_never_makes_a_rendition(client):
    news_with_image(focus=(60, 40))
    client.get("/aktuelles/mit-bild/")
    client.get("/en/aktuelles/mit-bild/")
    assert ImageRendition.objects.count() == 0
    assert Job.objects.filter(status="wartend").count() == 1


def test_queue_renditions_queues_every_image_without_renditions():
    post = news_with_image(focus=(20, 50))
    services.jobs_run()
    member = TeamMemberFactory(photo_alt="Foto")
    member.photo.save("foto.jpg", ContentFile(red_and_blue(400, 500)))
    Job.objects.all().delete()  # e.g. images uploaded before a deploy changed the cut
    call_command("queue_renditions", stdout=io.StringIO())
    assert list(Job.objects.values_list("key", flat=True)) == [Spec.of(member.photo).key]
    assert ImageRendition.objects.filter(source=Spec.of(post.image).key).exists()


def test_a_form_without_the_description_still_saves_older_content(client, redaktion):
    """The team list edits "order" in place: an older photo without description does
    not block it (the description is asked for on the change page, not here)."""
    member = TeamMemberFactory(name="Ältere Person", photo_alt="", order=1)
    member.photo.save("alt.jpg", ContentFile(red_and_blue(400, 500)))
    data: dict = {}
    for name, value in form_fields(client.get("/admin/team/teammember/"), "#changelist-form"):
        data.setdefault(name, []).append(value)
    data["form-0-order"] = ["7"]
    data["_save"] = ["Sichern"]
    response = client.post("/admin/team/teammember/", data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.order == 7
