"""Real browser: publications, news and events – filtering, .ics download, axe-core."""

import datetime
from pathlib import Path

import icalendar
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone, translation

from tests.axe import assert_no_axe_violations
from tests.factories import BERLIN, EventFactory, NewsPostFactory, PublicationFactory
from tests.publications.helpers import image_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SEMINAR = "/veranstaltungen/online-seminar-kommunales-konfliktmanagement-2022/"
BROCHURE = (
    "Nur Dabeisein ist nicht alles: Selbstwirksamkeit im Altmarkkreis Salzwedel erfahrbar machen"
)


@pytest.fixture
def content(transactional_db):
    call_command("load_content", verbosity=0)
    report = PublicationFactory(
        title="Bericht mit Titelbild",
        slug="bericht-mit-titelbild",
        authors="Erika Muster",
        cover_alt="Titelseite des Berichts",
        date=datetime.date(2021, 5, 1),
    )
    report.cover.save("bericht.jpg", ContentFile(image_bytes(1200, 800)))
    report.file.save("bericht.pdf", ContentFile(b"%PDF-1.4 test"))
    NewsPostFactory(
        title="Neue Broschüre erschienen",
        slug="neue-broschuere",
        body="Erster Absatz.\n\nZweiter Absatz.",
        published_at=timezone.now() - datetime.timedelta(days=2),
    )
    EventFactory(
        title="Fachtag Konfliktberatung",
        slug="fachtag",
        start=datetime.datetime(2099, 5, 4, 10, 0, tzinfo=BERLIN),
        end=datetime.datetime(2099, 5, 4, 16, 0, tzinfo=BERLIN),
        is_online=False,
        venue="Rathaus Salzwedel",
        address="An der Mönchskirche 5, 29410 Salzwedel",
    )


def test_event_ics_download(page, live_server, content):
    page.goto(live_server.url + SEMINAR)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Termin in den Kalender übernehmen (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == "online-seminar-kommunales-konfliktmanagement-2022.ics"
    calendar = icalendar.Calendar.from_ical(Path(download.path()).read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Online-Seminar: Kommunales Konfliktmanagement"
    assert event.decoded("DTSTART") == datetime.datetime(2022, 11, 16, 10, 30, tzinfo=BERLIN)
    assert event.decoded("DTSTART").astimezone(datetime.UTC).hour == 9
    assert event.decoded("DTEND") == datetime.datetime(2022, 11, 16, 12, 0, tzinfo=BERLIN)
    assert str(event["URL"]) == live_server.url + SEMINAR


@pytest.mark.parametrize("javascript", [True, False])
def test_filter_publications_with_the_form(browser, live_server, content, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url + "/publikationen/")
    titles = page.locator(".publication-list h3")
    assert titles.all_inner_texts() == ["Bericht mit Titelbild", BROCHURE]
    assert page.locator(".result-count").inner_text() == "2 Publikationen"

    page.get_by_label("Art").select_option(label="Broschüre")
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_url("**/publikationen/?kind=broschuere*")
    assert titles.all_inner_texts() == [BROCHURE]
    assert page.locator(".result-count").inner_text() == "1 Publikation"
    assert page.get_by_label("Art").input_value() == "broschuere"

    page.get_by_label("Jahr").select_option("2021")
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_url("**year=2021*")
    assert titles.all_inner_texts() == []
    assert page.locator(".result-count").inner_text() == "0 Publikationen"

    page.get_by_role("link", name="Alle Filter zurücksetzen").click()
    page.wait_for_url("**/publikationen/")
    assert titles.all_inner_texts() == ["Bericht mit Titelbild", BROCHURE]
    context.close()


# Real content with an English version (fixtures/centre.toml).
ENGLISH_CONTENT = {
    "Online-Seminar: Kommunales Konfliktmanagement": (
        "Online seminar: municipal conflict management"
    ),
}

PAGES = [
    ("/publikationen/", "Publikationen"),
    ("/publikationen/bericht-mit-titelbild/", "Bericht mit Titelbild"),
    ("/publikationen/?year=abc", "Publikationen"),
    ("/aktuelles/", "Aktuelles"),
    ("/aktuelles/neue-broschuere/", "Neue Broschüre erschienen"),
    (SEMINAR, "Online-Seminar: Kommunales Konfliktmanagement"),
    ("/veranstaltungen/fachtag/", "Fachtag Konfliktberatung"),
    ("/veranstaltungen/archiv/", "Vergangene Veranstaltungen"),
]


@pytest.mark.parametrize("prefix", ["", "/en"], ids=["de", "en"])
@pytest.mark.parametrize("width", [360, 1280])
def test_pages_have_no_axe_violations(page, live_server, content, width, prefix):
    page.set_viewport_size({"width": width, "height": 900})
    for path, heading in PAGES:
        response = page.goto(live_server.url + prefix + path)
        assert response.status == 200, path
        language = prefix.strip("/") or "de"
        with translation.override(language):  # UI headings are translated
            expected = translation.gettext(heading)
        if language == "en":  # content only where an English version was entered
            expected = ENGLISH_CONTENT.get(heading, expected)
        assert page.locator("h1").all_inner_texts() == [expected], path
        assert page.locator("html").get_attribute("lang") == language
        assert_no_axe_violations(page)
