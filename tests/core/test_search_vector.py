"""The stored, indexed search vectors (PostgreSQL only).

A database trigger fills `search_vector` on every write; these tests check that it
is the vector search.py would compute, that it follows edits and bulk writes, that
the GIN index the migrations create is there and written at once (no pending list),
and that the SQL compiled once per section takes each search's own words and time.
"""

import datetime

import pytest
from django.db import connection
from django.db.models import F, TextField
from django.db.models.functions import Cast

from kkk_portal import search
from kkk_portal.models import SitePage
from projects.models import FocusArea, Municipality, Project
from publications.models import Event, NewsPost, Publication
from tests.core.search_helpers import check_a_search_binds_its_own_words_and_time
from tests.factories import (
    EventFactory,
    FocusAreaFactory,
    MunicipalityFactory,
    NewsPostFactory,
    ProjectFactory,
    PublicationFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="stored search vectors, their trigger and GIN index exist on PostgreSQL only",
    ),
]

STORED = {
    "arbeitsfelder": FocusArea,
    "seiten": SitePage,
    "orte": Municipality,
    "projekte": Project,
    "publikationen": Publication,
    "neuigkeiten": NewsPost,
    "veranstaltungen": Event,
}


def _section(key):
    return next(section for section in search.SECTIONS if section.key == key)


def _hit_titles(query, key):
    (group,) = search.search(query, sections=[key])
    return [hit.title for hit in group.hits]


def test_every_table_but_the_team_stores_its_vector():
    stored = {s.key for s in search.SECTIONS if search.has_stored_vector(s.queryset().model)}
    assert stored == set(STORED)


def test_each_table_has_a_gin_index_on_its_vector():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE indexname LIKE %s",
            ["%search_vector_gin"],
        )
        indexes = dict(cursor.fetchall())
    for model in STORED.values():
        assert "USING gin (search_vector) WITH (fastupdate=off)" in indexes[model._meta.db_table]


def test_new_rows_are_found_through_the_index_without_a_pending_list():
    Project.objects.bulk_create(
        Project(
            title=f"Quartiersrat {n}",
            slug=f"quartiersrat-{n}",
            start_date=datetime.date(2024, 1, 1),
        )
        for n in range(50)
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM projects_project "
            "WHERE search_vector @@ to_tsquery('german', 'quartiersrat')"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "projects_project_search_vector_gin" in plan


@pytest.mark.parametrize("key", sorted(STORED))
def test_stored_vector_is_the_one_search_would_compute(key):
    MunicipalityFactory(name="Salzwedel", ags="15081455")
    ProjectFactory(
        title="Altmark im Gespräch",
        title_en="Altmark in dialogue",
        summary="Bürgerbeteiligung",
        description="<p>Moderierte <strong>Konflikte</strong></p>",
        description_en="<p>Moderated conflicts</p>",
    )
    PublicationFactory(title="Handreichung", authors="Erika Muster", abstract="Kommunen")
    NewsPostFactory(title="Neuigkeit", teaser="Anreißer", body="<p>Text</p>", body_en="<p>En</p>")
    EventFactory(title="Fachtag", teaser="Vorträge", venue="Rathaus", organiser="Landkreis")
    FocusAreaFactory(
        title="Moderation", title_en="Moderation", intro="Gespräche", body="<p>Dialog</p>"
    )
    SitePage.objects.create(
        slug="angebot", title="Angebot", title_en="Offer", body="<h2>Beratung</h2><p>Kommunen</p>"
    )
    model = STORED[key]
    rows = model.objects.annotate(
        stored=Cast(F("search_vector"), TextField()),
        computed=Cast(search.section_vector(_section(key)), TextField()),
    ).values_list("stored", "computed")
    assert rows
    for stored, computed in rows:
        assert stored == computed


def test_vector_follows_an_edit_on_save():
    project = ProjectFactory(title="Gespräch in Gardelegen")
    assert _hit_titles("Gardelegen", "projekte") == ["Gespräch in Gardelegen"]

    project.title = "Gespräch in Tangermünde"
    project.save()

    assert _hit_titles("Gardelegen", "projekte") == []
    assert _hit_titles("Tangermünde", "projekte") == ["Gespräch in Tangermünde"]


def test_vector_follows_a_queryset_update():
    event = EventFactory(title="Fachtag Wittenberge")
    Event.objects.filter(pk=event.pk).update(title="Fachtag Perleberg")
    assert _hit_titles("Perleberg", "veranstaltungen") == ["Fachtag Perleberg"]
    assert _hit_titles("Wittenberge", "veranstaltungen") == []


def test_bulk_created_rows_are_searchable():
    Project.objects.bulk_create(
        Project(
            title=f"Stadtteilgespräch Nummer {n}",
            slug=f"stadtteil-{n}",
            start_date=datetime.date(2024, 1, 1),
        )
        for n in range(3)
    )
    NewsPost.objects.bulk_create([NewsPost(title="Bürgerdialog Havelberg", slug="havelberg")])

    assert sorted(_hit_titles("Stadtteilgespräch", "projekte")) == [
        f"Stadtteilgespräch Nummer {n}" for n in range(3)
    ]
    assert _hit_titles("Havelberg", "neuigkeiten") == ["Bürgerdialog Havelberg"]
    assert not Project.objects.filter(search_vector__isnull=True).exists()


def test_a_search_binds_its_own_words_and_time_into_the_compiled_sql():
    check_a_search_binds_its_own_words_and_time()


def test_compiled_sql_keeps_the_words_out_of_the_statement_text():
    ProjectFactory(title="Bürgerdialog")
    search.search("Bürgerdialog'; DROP TABLE projects_project; --", sections=["projekte"])
    for statement in search._STATEMENTS.values():
        assert "DROP" not in statement.sql
        assert search.QUERY_MARK in statement.params
    assert _hit_titles("Bürgerdialog", "projekte") == ["Bürgerdialog"]


def test_the_stand_ins_cannot_be_searched_for():
    ProjectFactory(title="Altmark")
    assert search.clean_query(search.QUERY_MARK) == "query"
    assert _hit_titles(search.PREFIX_MARK, "projekte") == []
