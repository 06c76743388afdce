"""The site search finds everything public – and nothing that is not.

Runs on SQLite (icontains fallback) and on PostgreSQL (German full-text search):
`DATABASE_URL=postgres://… pytest tests/core/test_published_search.py`.
"""

import pytest

from tests.factories import ProjectFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db


def found(client, query, prefix=""):
    """{section key: [hit titles]} of a search through the real search page."""
    response = client.get(f"{prefix}/suche/", {"q": query})
    assert response.status_code == 200
    return {group.key: [hit.title for hit in group.hits] for group in response.context["groups"]}


def test_a_place_is_found_by_its_name(client, centre_content):
    hits = found(client, "Bautzen")
    assert "Bautzen" in hits["orte"]
    assert "Aushandlungsräume in der Stadt Bautzen entwickeln" in hits["projekte"]
    page = client.get("/suche/", {"q": "Bautzen", "bereich": "orte"}).content.decode()
    assert 'href="/kommunen/bautzen/"' in page


@pytest.mark.parametrize(
    ("query", "section", "title"),
    [
        ("Lobbyarbeit", "arbeitsfelder", "Netzwerk und Lobbyarbeit"),
        ("Weißenfels", "orte", "Weißenfels"),
        ("Schlichtungsstelle", "seiten", "Erklärung zur Barrierefreiheit"),
        ("Datenschutz", "seiten", "Datenschutzerklärung"),
        (
            "Sicherheitsgefühl",
            "projekte",
            ("Konflikte im öffentlichen Raum gemeinsam bewältigen – Sicherheitsgefühl stärken"),
        ),
        (
            "Broschüre",
            "publikationen",
            (
                "Nur Dabeisein ist nicht alles: Selbstwirksamkeit im Altmarkkreis Salzwedel "
                "erfahrbar machen"
            ),
        ),
        (
            "KoKoMa",
            "neuigkeiten",
            ("Online-Seminar am 16. November 2022: Kommunales Konfliktmanagement"),
        ),
        ("Konfliktmanagement", "veranstaltungen", "Online-Seminar: Kommunales Konfliktmanagement"),
    ],
)
def test_every_kind_of_public_content_is_found(client, centre_content, query, section, title):
    assert title in found(client, query).get(section, [])


def test_english_pages_find_and_show_english_text(client, centre_content):
    hits = found(client, "advocacy", prefix="/en")
    assert hits["arbeitsfelder"] == ["Network and advocacy"]


def test_real_team_members_are_found_examples_and_unpublished_content_are_not(client, db):
    TeamMemberFactory(name="Anna Berg", role="Moderation")
    TeamMemberFactory(name="Beispiel: Berater*in", role="Moderation", is_example=True)
    TeamMemberFactory(name="Ehemalige", role="Moderation", is_active=False)
    ProjectFactory(title="Moderation intern", is_published=False)
    hits = found(client, "Moderation")
    assert hits.get("team") == ["Anna Berg"]
    assert hits.get("projekte", []) == []
