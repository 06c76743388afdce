"""Site search: full-text on PostgreSQL, icontains on SQLite, one results page."""

import re

import pytest
from django.db import connection

from kkk_portal.search import prefix_tsquery, python_snippet
from tests.factories import (
    EventFactory,
    NewsPostFactory,
    ProjectFactory,
    PublicationFactory,
    TeamMemberFactory,
)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="German full-text search (stemming, ranking, ts_headline) needs PostgreSQL",
)
sqlite_only = pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="checks the icontains fallback, which runs only without PostgreSQL",
)


def titles(html):
    return re.findall(r'<h3 class="h5 mb-1">(?:<a href="[^"]*">)?([^<]+)', html)


def groups(html):
    return re.findall(
        r'<h2 class="h4" id="treffer-[a-z]+-title">([^<]+) '
        r'<span class="badge text-bg-light search-count">(\d+)</span>',
        html,
    )


def summary(html):
    found = re.findall(r'<p class="search-summary" role="status">\s*(.*?)\s*</p>', html, re.S)
    return found[0] if found else None


@pytest.fixture
def corpus(db):
    ProjectFactory(
        title="Konfliktberatung in der Altmark",
        slug="konfliktberatung-altmark",
        summary="Wir beraten Gemeinden im Altmarkkreis.",
    )
    ProjectFactory(
        title="Geheimes Projekt Altmark",
        slug="geheim",
        summary="Nicht öffentlich.",
        is_published=False,
    )
    PublicationFactory(
        title="Handreichung Moderation", abstract="Wie man Workshops in der Altmark moderiert."
    )
    NewsPostFactory(
        title="Neue Beraterin", teaser="Sie verstärkt das Team.", body="Ab Mai in der Altmark."
    )
    EventFactory(title="Fachtag Kommunen", teaser="Ein Tag zum Austausch über die Altmark.")
    TeamMemberFactory(name="Erika Beispiel", role="Beratung Altmark", bio="Moderiert seit 2015.")
    TeamMemberFactory(name="Ehemalig", role="Altmark", is_active=False)


@pytest.mark.django_db
def test_search_finds_published_items_in_every_section(client, corpus):
    html = client.get("/suche/", {"q": "Altmark"}).content.decode()
    assert summary(html) == "5 Treffer für „Altmark“."
    assert groups(html) == [
        ("Projekte", "1"),
        ("Publikationen", "1"),
        ("Neuigkeiten", "1"),
        ("Veranstaltungen", "1"),
        ("Team", "1"),
    ]
    assert titles(html) == [
        "Konfliktberatung in der Altmark",
        "Handreichung Moderation",
        "Neue Beraterin",
        "Fachtag Kommunen",
        "Erika Beispiel",
    ]
    assert '<a href="/projekte/konfliktberatung-altmark/">' in html


@pytest.mark.django_db
def test_search_marks_the_hit_and_escapes_everything_else(client):
    ProjectFactory(title="Sicher", summary="Text mit <b>Tags</b> & Zeichen rund um Spielplatz.")
    html = client.get("/suche/", {"q": "Spielplatz"}).content.decode()
    snippet = re.findall(r'<p class="search-snippet mb-0">(.*?)</p>', html)[0]
    if connection.vendor == "postgresql":
        # ts_headline drops tags and the trailing full stop; the rest is escaped.
        expected = "Text mit Tags &amp; Zeichen rund um <mark>Spielplatz</mark>"
    else:
        expected = "Text mit &lt;b&gt;Tags&lt;/b&gt; &amp; Zeichen rund um <mark>Spielplatz</mark>."
    assert snippet == expected


@pytest.mark.django_db
def test_search_without_hits_says_so_and_suggests_lists(client, corpus):
    html = client.get("/suche/", {"q": "Quantenphysik"}).content.decode()
    assert summary(html) == "0 Treffer für „Quantenphysik“."
    assert "Versuchen Sie es mit einem anderen oder kürzeren Begriff." in html
    assert groups(html) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Bitte geben Sie einen Suchbegriff ein"),
        ("   ", "Bitte geben Sie einen Suchbegriff ein"),
        ("x" * 10_000, "Bitte geben Sie höchstens 200 Zeichen ein."),
        ("Alt\x00mark", "Der Suchbegriff enthält unzulässige Zeichen."),
    ],
)
def test_nonsense_input_gives_a_friendly_message(client, corpus, query, message):
    response = client.get("/suche/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert summary(html) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script>",
        '"Altmark',
        "Altmark -",
        "!!! & | :*",
        "' OR 1=1 --",
        "\u202e\ue000x",
    ],
)
def test_odd_queries_never_fail_and_are_escaped(client, corpus, query):
    response = client.get("/suche/", {"q": query})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert re.fullmatch(r"\d+ Treffer für „.*“\.", summary(html), re.S)


@pytest.mark.django_db
def test_unknown_section_is_a_friendly_message(client, corpus):
    html = client.get("/suche/", {"q": "Altmark", "bereich": "geheim"}).content.decode()
    assert "Diesen Bereich gibt es nicht." in html


@pytest.mark.django_db
def test_section_filter_shows_only_that_section(client, corpus):
    html = client.get("/suche/", {"q": "Altmark", "bereich": "team"}).content.decode()
    assert groups(html) == [("Team", "1")]
    assert titles(html) == ["Erika Beispiel"]


@pytest.mark.django_db
def test_more_hits_than_shown_link_to_the_section(client):
    ProjectFactory.create_batch(12, summary="Beratung im Landkreis Stendal.")
    html = client.get("/suche/", {"q": "Stendal"}).content.decode()
    assert groups(html) == [("Projekte", "12")]
    assert len(titles(html)) == 10
    assert (
        '<a href="?q=Stendal&amp;bereich=projekte">Alle 12 Treffer in Projekte anzeigen</a>' in html
    )
    html = client.get("/suche/", {"q": "Stendal", "bereich": "projekte"}).content.decode()
    assert len(titles(html)) == 12


@pytest.mark.django_db
def test_english_results_use_english_titles(client):
    ProjectFactory(title="Beratung Harz", title_en="Counselling in the Harz", summary="Harz.")
    html = client.get("/en/suche/", {"q": "Harz"}).content.decode()
    assert titles(html) == ["Counselling in the Harz"]
    assert '<a href="/en/projekte/beratung-harz/">' in html


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 200])
def test_search_query_count_is_constant(client, django_assert_max_num_queries, count):
    ProjectFactory.create_batch(count, summary="Ein Projekt im Harz.")
    PublicationFactory.create_batch(count, abstract="Eine Publikation über den Harz.")
    NewsPostFactory.create_batch(count, body="Neues aus dem Harz.")
    EventFactory.create_batch(count, teaser="Treffen im Harz.")
    TeamMemberFactory.create_batch(count, role="Beratung Harz")
    # One query per section (fields of work, places, projects, publications, news,
    # events, pages, team), whatever the number of hits, and one for the menus.
    with django_assert_max_num_queries(9):
        html = client.get("/suche/", {"q": "Harz"}).content.decode()
    assert groups(html) == [
        ("Projekte", str(count)),
        ("Publikationen", str(count)),
        ("Neuigkeiten", str(count)),
        ("Veranstaltungen", str(count)),
        ("Team", str(count)),
    ]


@pytest.mark.django_db
def test_empty_search_searches_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # the editors' pages in the menus, nothing else
        assert client.get("/suche/").status_code == 200


@postgres_only
@pytest.mark.django_db
def test_postgres_finds_german_word_forms_and_ranks_titles_first(client):
    ProjectFactory(title="Workshop", summary="Nebenbei geht es um Konflikte.")
    ProjectFactory(title="Konflikte in Kommunen", summary="Ein Projekt.")
    # The projects section (the text pages mention conflicts too).
    html = client.get("/suche/", {"q": "Konflikt", "bereich": "projekte"}).content.decode()
    assert titles(html) == ["Konflikte in Kommunen", "Workshop"]
    snippet = re.findall(r'<p class="search-snippet mb-0">(.*?)</p>', html)[1]
    assert snippet == "Nebenbei geht es um <mark>Konflikte</mark>"


@postgres_only
@pytest.mark.django_db
def test_postgres_websearch_syntax_excludes_words(client):
    ProjectFactory(title="Spielplatz Nord", summary="Streit um den Spielplatz.")
    ProjectFactory(title="Spielplatz Süd", summary="Streit um Lärm.")
    html = client.get("/suche/", {"q": "Spielplatz -Lärm"}).content.decode()
    assert titles(html) == ["Spielplatz Nord"]


@postgres_only
@pytest.mark.django_db
def test_postgres_finds_german_compounds_by_their_beginning(client):
    ProjectFactory(title="Kreisprojekt", summary="Beratung im Altmarkkreis Salzwedel.")
    html = client.get("/suche/", {"q": "Altmark"}).content.decode()
    assert titles(html) == ["Kreisprojekt"]
    snippet = re.findall(r'<p class="search-snippet mb-0">(.*?)</p>', html)[0]
    assert snippet == "Beratung im <mark>Altmarkkreis</mark> Salzwedel"


def test_prefix_tsquery_passes_only_word_characters():
    assert prefix_tsquery("Altmark -Lärm") == "altmark:* & !lärm"
    assert prefix_tsquery("a:*|b!(c) ' \\") == "a:* & b:* & c:*"
    assert prefix_tsquery('"Altmark Kreis"') == ""
    assert prefix_tsquery("Konflikt or Streit") == ""
    assert prefix_tsquery("-nur -verneint") == ""


@sqlite_only
@pytest.mark.django_db
def test_fallback_needs_every_word_and_ranks_title_hits_first(client):
    ProjectFactory(title="Workshop", summary="Zum Spielplatz im Norden.")
    ProjectFactory(title="Spielplatz", summary="Im Norden der Stadt.")
    ProjectFactory(title="Spielplatz Süd", summary="Im Süden der Stadt.")
    html = client.get("/suche/", {"q": "spielplatz norden"}).content.decode()
    assert titles(html) == ["Spielplatz", "Workshop"]


def test_python_snippet_cuts_around_the_hit_and_marks_it():
    text = "Anfang " + "wort " * 80 + "Treffer <hier> " + "ende " * 80
    snippet = python_snippet(text, ["treffer"])
    assert snippet.startswith("… wort")
    assert "<mark>Treffer</mark> &lt;hier&gt;" in snippet
    assert snippet.endswith(" …")
    assert len(snippet) < 300


@pytest.mark.django_db
def test_english_results_mark_german_fallback_text(client):
    ProjectFactory(title="Konflikte am Marktplatz", summary="Marktplatz und Streit")
    ProjectFactory(
        title="Marktplatz auf Deutsch",
        title_en="Market square in English",
        summary="Marktplatz",
        summary_en="Market square",
    )
    html = client.get("/en/suche/", {"q": "Marktplatz"}).content.decode()
    found = re.findall(r'<h3 class="h5 mb-1"( lang="de")?><a[^>]*>([^<]+)</a>', html)
    # Order depends on the backend's ranking; the marking does not.
    assert sorted(found) == [
        ("", "Market square in English"),
        (' lang="de"', "Konflikte am Marktplatz"),
    ]
