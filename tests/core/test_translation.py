"""One rule for English pages: the English twin where there is one, German marked as German."""

import datetime

import pytest
from django.utils import translation

from kkk_portal.translation import format_date, format_time_range, translated
from tests.factories import BERLIN, EventFactory, ProjectFactory

SEMINAR = "/veranstaltungen/online-seminar-kommunales-konfliktmanagement-2022/"


@pytest.mark.django_db
def test_seminar_time_is_written_per_language(client, centre_content):
    german = client.get(SEMINAR).content.decode()
    english = client.get("/en" + SEMINAR).content.decode()
    assert "16. November 2022, 10:30–12:00 Uhr (MEZ)" in german
    assert "16 November 2022, 10:30–12:00 CET" in english


@pytest.mark.django_db
def test_missing_english_text_falls_back_to_german_marked_as_german(client):
    project = ProjectFactory(title="Nur deutsch", title_en="", summary="Kurz.", summary_en="")
    with translation.override("en"):
        shown = translated(project, "title")
    assert (shown.text, shown.lang, shown.fallback) == ("Nur deutsch", "de", True)
    html = client.get("/en" + project.get_absolute_url()).content.decode()
    assert '<h1 lang="de">Nur deutsch</h1>' in html


@pytest.mark.django_db
def test_english_text_is_used_where_it_exists():
    project = ProjectFactory(title="Deutsch", title_en="English")
    with translation.override("en"):
        assert (translated(project, "title").text, translated(project, "title").fallback) == (
            "English",
            False,
        )
    with translation.override("de"):
        assert translated(project, "title").text == "Deutsch"


def test_dates_and_summer_time():
    start = datetime.datetime(2099, 7, 1, 16, 0, tzinfo=BERLIN)
    end = datetime.datetime(2099, 7, 2, 9, 30, tzinfo=BERLIN)
    with translation.override("en"):
        assert format_date(start.date()) == "1 July 2099"
        assert format_time_range(start, end) == "1 July 2099, 16:00 – 2 July 2099, 09:30 CEST"
    with translation.override("de"):
        assert format_time_range(start, end) == (
            "1. Juli 2099, 16:00 Uhr – 2. Juli 2099, 09:30 Uhr (MESZ)"
        )


def test_a_day_is_written_in_each_pages_language_whatever_was_asked_before():
    # Days are worked out once per process and language: asking in one language must
    # never answer another's.
    day = datetime.date(2099, 3, 1)
    for _ in range(2):
        with translation.override("de"):
            assert format_date(day) == "1. März 2099"
        with translation.override("en"):
            assert format_date(day) == "1 March 2099"
    # A time late in the evening (UTC) is already the next day in Berlin.
    late = datetime.datetime(2099, 2, 28, 23, 30, tzinfo=datetime.UTC)
    with translation.override("de"):
        assert format_date(late) == "1. März 2099"


@pytest.mark.django_db
def test_event_card_uses_the_same_rule(client):
    EventFactory(title="Nur deutsch", title_en="")
    html = client.get("/en/aktuelles/").content.decode()
    assert 'lang="de">Nur deutsch<' in html
