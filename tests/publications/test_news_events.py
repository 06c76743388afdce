"""/aktuelles/: upcoming events first, then news; event pages, archive and news pages."""

import datetime

import pytest
from django.utils import timezone

from kkk_portal import page_cache
from tests.factories import (
    BERLIN,
    EventFactory,
    NewsPostFactory,
    ProjectFactory,
    SpeakerFactory,
)
from tests.publications.helpers import texts, visible_text

pytestmark = pytest.mark.django_db

SEMINAR = "/veranstaltungen/online-seminar-kommunales-konfliktmanagement-2022/"


def h3_links(response):
    return texts(response, 'h3[class^="h5"] > a[href]')


def test_news_events_lists_upcoming_events_first_then_news_by_date(client):
    now = timezone.now()
    EventFactory(title="Fachtag später", start=now + datetime.timedelta(days=30))
    EventFactory(title="Workshop bald", start=now + datetime.timedelta(days=3))
    EventFactory(title="Vorbei", start=now - datetime.timedelta(days=3))
    EventFactory(title="Unveröffentlicht", is_published=False)
    NewsPostFactory(title="Ältere Nachricht", published_at=now - datetime.timedelta(days=10))
    NewsPostFactory(title="Neue Nachricht", published_at=now - datetime.timedelta(days=1))
    NewsPostFactory(title="Entwurf", is_published=False)

    response = client.get("/aktuelles/")

    assert response.status_code == 200
    assert texts(response, "h2") == [
        "Kommende Veranstaltungen",
        "Neuigkeiten",
    ]
    assert h3_links(response) == [
        "Workshop bald",
        "Fachtag später",
        "Neue Nachricht",
        "Ältere Nachricht",
    ]


def test_upcoming_event_shows_berlin_time_in_german_format(client):
    EventFactory(
        title="Sommerfest",
        start=datetime.datetime(2099, 7, 1, 16, 0, tzinfo=BERLIN),
        end=datetime.datetime(2099, 7, 1, 19, 30, tzinfo=BERLIN),
        is_online=False,
        venue="Rathaus Salzwedel",
        address="An der Mönchskirche 5, 29410 Salzwedel",
    )
    response = client.get("/aktuelles/")
    assert texts(response, "p.card-subtitle.event-when") == [
        "1. Juli 2099, 16:00–19:30 Uhr (MESZ) · "
        "Rathaus Salzwedel, An der Mönchskirche 5, 29410 Salzwedel"
    ]


def test_news_events_without_anything_says_so(client):
    text = visible_text(client.get("/aktuelles/").content)
    assert "Zurzeit sind keine Veranstaltungen angekündigt." in text
    assert "Noch keine Neuigkeiten veröffentlicht." in text


def test_news_are_paginated_and_events_only_on_the_first_page(client):
    EventFactory(title="Kommender Termin")
    now = timezone.now()
    for n in range(12):
        NewsPostFactory(title=f"Meldung {n:02d}", published_at=now - datetime.timedelta(days=n))
    first = client.get("/aktuelles/")
    assert h3_links(first)[:2] == ["Kommender Termin", "Meldung 00"]
    assert len(h3_links(first)) == 11
    second = client.get("/aktuelles/?page=2")
    assert h3_links(second) == ["Meldung 10", "Meldung 11"]
    assert client.get("/aktuelles/?page=3").status_code == 404
    assert client.get("/aktuelles/?page=x").status_code == 404


def test_real_seminar_page_shows_what_a_visitor_needs(client, centre_content):
    response = client.get(SEMINAR)
    assert response.status_code == 200
    text = visible_text(response.content)
    assert texts(response, "h1") == ["Online-Seminar: Kommunales Konfliktmanagement"]
    assert "Datum und Uhrzeit 16. November 2022, 10:30–12:00 Uhr (MEZ)" in text
    assert "Ort online" in text
    assert "Kosten kostenfrei" in text
    assert "Veranstalter ZWK" in text
    assert "Diese Veranstaltung hat bereits stattgefunden." in text
    assert texts(response, "ul.speaker-list") == [
        "Michael Matzke, Referent im Referat „Demokratieförderung“, Bundesministerium für "
        "Familie, Senioren, Frauen und Jugend (BMFSFJ) "
        "Betul Yilmaz, Projektkoordinatorin im Projekt „Kommunales Konfliktmanagement“ (KoKoMa) "
        "Dr. Cathleen Bochmann, Projekt „Zivilgesellschaft stärken und schützen“, "
        "Aktion Zivilcourage e. V. "
        "Phillip Koller, Projekt „Zivilgesellschaft stärken und schützen“, "
        "Aktion Zivilcourage e. V."
    ]
    assert f'href="{SEMINAR}kalender.ics"' in response.content.decode()


def test_event_page_shows_venue_cost_registration_and_published_projects(client):
    project = ProjectFactory(title="Modellkommune Weißenfels")
    hidden = ProjectFactory(title="Geheimprojekt", is_published=False)
    event = EventFactory(
        title="Tagung in Weißenfels",
        slug="tagung",
        start=datetime.datetime(2099, 3, 2, 9, 0, tzinfo=BERLIN),
        end=datetime.datetime(2099, 3, 3, 15, 0, tzinfo=BERLIN),
        is_online=False,
        venue="Kulturhaus",
        address="Marktplatz 1, 06667 Weißenfels",
        is_free=False,
        cost="25 Euro, ermäßigt 10 Euro",
        registration_info="Bitte bis 20.02. anmelden.",
        registration_url="https://anmeldung.example.org/tagung",
        organiser="Kompetenzzentrum",
    )
    event.projects.set([project, hidden])
    SpeakerFactory(event=event, name="Erika Muster", role="Moderation", organisation="")
    response = client.get("/veranstaltungen/tagung/")
    text = visible_text(response.content)
    assert "Datum und Uhrzeit 2. März 2099, 09:00 Uhr – 3. März 2099, 15:00 Uhr (MEZ)" in text
    assert "Ort Kulturhaus, Marktplatz 1, 06667 Weißenfels" in text
    assert "Kosten 25 Euro, ermäßigt 10 Euro" in text
    assert "Anmeldung Bitte bis 20.02. anmelden. Zur Anmeldung" in text
    assert "Projekte Modellkommune Weißenfels" in text
    assert "Geheimprojekt" not in text
    assert texts(response, "ul.speaker-list") == ["Erika Muster, Moderation"]
    assert "bereits stattgefunden" not in text


def test_unpublished_and_unknown_events_and_news_are_404(client):
    EventFactory(slug="geheim", is_published=False)
    NewsPostFactory(slug="entwurf", is_published=False)
    for url in [
        "/veranstaltungen/geheim/",
        "/veranstaltungen/geheim/kalender.ics",
        "/veranstaltungen/gibt-es-nicht/",
        "/veranstaltungen/gibt-es-nicht/kalender.ics",
        "/aktuelles/entwurf/",
        "/aktuelles/gibt-es-nicht/",
    ]:
        assert client.get(url).status_code == 404, url


def test_archive_lists_past_events_newest_first(client, centre_content):
    now = timezone.now()
    EventFactory(title="Künftig", start=now + datetime.timedelta(days=1))
    EventFactory(title="Letzte Woche", start=now - datetime.timedelta(days=7))
    EventFactory(title="Versteckt", start=now - datetime.timedelta(days=5), is_published=False)
    response = client.get("/veranstaltungen/archiv/")
    assert response.status_code == 200
    assert texts(response, "h2.h5.mb-1 > a[href]") == [
        "Letzte Woche",
        "Online-Seminar: Kommunales Konfliktmanagement",
    ]
    text = visible_text(response.content)
    assert "2 vergangene Veranstaltungen" in text
    assert "16. November 2022, 10:30–12:00 Uhr (MEZ) · online" in text


def test_archive_is_paginated(client):
    now = timezone.now()
    for n in range(21):
        EventFactory(title=f"Termin {n:02d}", start=now - datetime.timedelta(days=n + 1))
    second = client.get("/veranstaltungen/archiv/?page=2")
    assert texts(second, "h2.h5.mb-1 > a[href]") == ["Termin 20"]
    assert client.get("/veranstaltungen/archiv/?page=99999").status_code == 404


def test_news_detail_shows_title_date_text_and_relations(client):
    project = ProjectFactory(title="Altmark-Projekt")
    post = NewsPostFactory(
        title="Neue Broschüre erschienen",
        slug="neue-broschuere",
        published_at=datetime.datetime(2024, 1, 15, 9, 0, tzinfo=BERLIN),
        teaser="Kurz gesagt.",
        body="Erster Absatz.\n\nZweiter Absatz.",
    )
    post.projects.set([project])
    response = client.get("/aktuelles/neue-broschuere/")
    assert response.status_code == 200
    assert texts(response, "h1") == ["Neue Broschüre erschienen"]
    text = visible_text(response.content)
    assert "Veröffentlicht am 15. Januar 2024" in text
    assert "<p>Erster Absatz.</p><p>Zweiter Absatz.</p>" in response.content.decode()
    assert "Projekte Altmark-Projekt" in text


def test_english_event_page_uses_english_title(client):
    EventFactory(slug="en-test", title="Deutscher Titel", title_en="English title")
    response = client.get("/en/veranstaltungen/en-test/")
    assert texts(response, "h1") == ["English title"]


@pytest.mark.parametrize("amount", [3, 200])
def test_news_events_query_count_is_constant(client, django_assert_max_num_queries, amount):
    now = timezone.now()
    for n in range(amount):
        EventFactory(start=now + datetime.timedelta(days=n + 1))
        NewsPostFactory(published_at=now - datetime.timedelta(hours=n))
    # The first request after a change also works out when the next scheduled change
    # is due (one query per content type), then keeps the page's body.
    with django_assert_max_num_queries(4 + len(page_cache._scheduled_models())):  # +1: the menus
        response = client.get("/aktuelles/")
    with django_assert_max_num_queries(4):
        assert client.get("/aktuelles/").content == response.content
    # The next 20 events (all of them in the calendar feed), 10 posts a page.
    assert len(h3_links(response)) == min(amount, 20) + min(amount, 10)
    if amount > 20:
        assert "Die nächsten 20 von 200 kommenden Veranstaltungen" in response.content.decode()


@pytest.mark.parametrize("amount", [3, 200])
def test_archive_query_count_is_constant(client, django_assert_max_num_queries, amount):
    now = timezone.now()
    for n in range(amount):
        EventFactory(start=now - datetime.timedelta(days=n + 1))
    # The first request after a change also works out when the next scheduled change
    # is due (one query per content type), then keeps the page's body.
    with django_assert_max_num_queries(3 + len(page_cache._scheduled_models())):  # +1: the menus
        response = client.get("/veranstaltungen/archiv/")
    assert response.status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get("/veranstaltungen/archiv/").content == response.content


def test_news_page_shows_recent_past_events_when_nothing_is_coming_up(client, centre_content):
    response = client.get("/aktuelles/")
    assert list(response.context["upcoming_events"]) == []
    assert [e.slug for e in response.context["recent_events"]] == [
        "online-seminar-kommunales-konfliktmanagement-2022"
    ]
    # The seed's news item is a post that links to its event.
    assert [p.event.slug for p in response.context["news"]] == [
        "online-seminar-kommunales-konfliktmanagement-2022"
    ]
    upcoming = EventFactory(title="Kommt noch", start=timezone.now() + datetime.timedelta(days=3))
    response = client.get("/aktuelles/")
    assert list(response.context["upcoming_events"]) == [upcoming]
    assert response.context["recent_events"] == []
