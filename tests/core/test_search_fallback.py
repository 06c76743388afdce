"""The SQLite search (`icontains`, the development and single-machine fallback), compiled
once per section and number of words: each search binds its own words and time."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from kkk_portal import search
from tests.factories import EventFactory, ProjectFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="PostgreSQL searches its stored vectors"
    ),
]


def _hit_titles(query: str, key: str) -> list[str]:
    (group,) = search.search(query, sections=[key])
    return [hit.title for hit in group.hits]


def test_a_search_binds_its_own_words_and_time_into_the_compiled_sql():
    ProjectFactory(title="Runder Tisch in Genthin")
    assert _hit_titles("Genthin", "projekte") == ["Runder Tisch in Genthin"]
    # The section's SQL is compiled now; later rows, words and times still count.
    ProjectFactory(title="Runder Tisch in Burg", publish_at=timezone.now())
    ProjectFactory(
        title="Runder Tisch in Havelberg", unpublish_at=timezone.now() + datetime.timedelta(hours=1)
    )
    ProjectFactory(
        title="Runder Tisch in Tangerhütte",
        publish_at=timezone.now() - datetime.timedelta(days=2),
        unpublish_at=timezone.now() - datetime.timedelta(days=1),
    )
    ProjectFactory(
        title="Runder Tisch in Stendal", publish_at=timezone.now() + datetime.timedelta(hours=1)
    )
    assert _hit_titles("Burg", "projekte") == ["Runder Tisch in Burg"]
    assert _hit_titles("Havelberg", "projekte") == ["Runder Tisch in Havelberg"]
    assert _hit_titles("Tangerhütte", "projekte") == []
    assert _hit_titles("Stendal", "projekte") == []
    assert _hit_titles("Genthin", "projekte") == ["Runder Tisch in Genthin"]
    # Two words: both must occur; a title hit ranks first; the count covers all hits.
    ProjectFactory(title="Genthin", summary="Ein runder Tisch für alle.")
    ProjectFactory(title="Genthin", slug="genthin-2", summary="Ohne Gesprächsrunde.")
    assert sorted(_hit_titles("runder Genthin", "projekte")) == [
        "Genthin",
        "Runder Tisch in Genthin",
    ]
    (group,) = search.search("Tisch", sections=["projekte"])
    assert group.total == 4


def test_like_wildcards_in_the_words_are_taken_literally():
    ProjectFactory(title="Quote 100% erreicht")
    ProjectFactory(title="Quote 1000 erreicht")
    ProjectFactory(title="Stadt_teil")
    ProjectFactory(title="Stadtteil")
    assert _hit_titles("100%", "projekte") == ["Quote 100% erreicht"]
    assert _hit_titles("Stadt_teil", "projekte") == ["Stadt_teil"]
    # Another section and the same number of words: its own statement.
    EventFactory(title="Forum 100% Beteiligung")
    assert _hit_titles("100%", "veranstaltungen") == ["Forum 100% Beteiligung"]


def test_compiled_sql_keeps_the_words_out_of_the_statement_text():
    ProjectFactory(title="Bürgerdialog")
    search.search("Bürgerdialog'; DROP TABLE projects_project; --", sections=["projekte"])
    assert search._FALLBACK_STATEMENTS
    for statement in search._FALLBACK_STATEMENTS.values():
        assert "DROP" not in statement.sql
        assert f"%{search.TERM_MARK.format(0)}%" in statement.params
    assert _hit_titles("Bürgerdialog", "projekte") == ["Bürgerdialog"]


def test_the_stand_ins_cannot_be_searched_for():
    ProjectFactory(title="Altmark")
    assert search.clean_query(search.TERM_MARK.format(0)) == "term0"
    assert _hit_titles(search.TERM_MARK.format(0), "projekte") == []
