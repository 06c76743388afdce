"""The SQLite search (`icontains`, the development and single-machine fallback), compiled
once per section and number of words: each search binds its own words and time."""

import pytest
from django.db import connection

from kkk_portal import search
from tests.core.search_helpers import check_a_search_binds_its_own_words_and_time, hit_titles
from tests.factories import EventFactory, ProjectFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="PostgreSQL searches its stored vectors"
    ),
]


def test_a_search_binds_its_own_words_and_time_into_the_compiled_sql():
    check_a_search_binds_its_own_words_and_time()
    # Two words: both must occur; a title hit ranks first; the count covers all hits.
    ProjectFactory(title="Genthin", summary="Ein runder Tisch für alle.")
    ProjectFactory(title="Genthin", slug="genthin-2", summary="Ohne Gesprächsrunde.")
    assert sorted(hit_titles("runder Genthin", "projekte")) == [
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
    assert hit_titles("100%", "projekte") == ["Quote 100% erreicht"]
    assert hit_titles("Stadt_teil", "projekte") == ["Stadt_teil"]
    # Another section and the same number of words: its own statement.
    EventFactory(title="Forum 100% Beteiligung")
    assert hit_titles("100%", "veranstaltungen") == ["Forum 100% Beteiligung"]


def test_compiled_sql_keeps_the_words_out_of_the_statement_text():
    ProjectFactory(title="Bürgerdialog")
    search.search("Bürgerdialog'; DROP TABLE projects_project; --", sections=["projekte"])
    assert search._FALLBACK_STATEMENTS
    for statement in search._FALLBACK_STATEMENTS.values():
        assert "DROP" not in statement.sql
        assert f"%{search.TERM_MARK.format(0)}%" in statement.params
    assert hit_titles("Bürgerdialog", "projekte") == ["Bürgerdialog"]


def test_the_stand_ins_cannot_be_searched_for():
    ProjectFactory(title="Altmark")
    assert search.clean_query(search.TERM_MARK.format(0)) == "term0"
    assert hit_titles(search.TERM_MARK.format(0), "projekte") == []
