# Full-text search on PostgreSQL only (kkk_portal/search.py), second step:
#
# - The text pages and the fields of work store their vector too, filled by a
#   trigger like those of projects/0005 and publications/0006 (title A, other
#   fields B, English twins C, German configuration; the order and weights of
#   search.section_vector(), which tests/core/test_search_vector.py compares).
#   Until now each search built these vectors on the fly, twice per row.
# - Every search GIN index gets `fastupdate = off`. With it on (PostgreSQL's
#   default), new entries wait in a pending list until the next VACUUM, and while
#   that list is long the planner scans the whole table instead of the index
#   (10,000 projects after a bulk import: 9 ms instead of 0.1 ms). Content is
#   written by editors a few times a day, so writing straight into the index costs
#   nothing that matters. The lists already pending are merged at once.
#
# Elsewhere the columns stay empty and search falls back to icontains.

import django.contrib.postgres.search
from django.db import migrations

NEW_VECTORS = {
    "kkk_portal_sitepage": [
        ("title", "A"),
        ("title_en", "A"),
        ("body", "B"),
        ("body_en", "C"),
    ],
    "projects_focusarea": [
        ("title", "A"),
        ("title_en", "A"),
        ("intro", "B"),
        ("intro_en", "C"),
        ("body", "B"),
        ("body_en", "C"),
    ],
}
EXISTING_TABLES = [
    "projects_municipality",
    "projects_project",
    "publications_publication",
    "publications_newspost",
    "publications_event",
]


def _trigger_sql(table: str, columns: list[tuple[str, str]]) -> list[str]:
    vector = " || ".join(
        f"setweight(to_tsvector('german'::regconfig, COALESCE(NEW.{column}, '')), '{weight}')"
        for column, weight in columns
    )
    return [
        f"""
        CREATE OR REPLACE FUNCTION {table}_search_vector() RETURNS trigger AS $$
        BEGIN
            NEW.search_vector := {vector};
            RETURN NEW;
        END
        $$ LANGUAGE plpgsql
        """,
        f"DROP TRIGGER IF EXISTS {table}_search_vector ON {table}",
        f"""
        CREATE TRIGGER {table}_search_vector BEFORE INSERT OR UPDATE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {table}_search_vector()
        """,
        # Fill the existing rows (through the trigger). Table names are our own constants.
        f"UPDATE {table} SET search_vector = NULL",  # noqa: S608
        f"CREATE INDEX IF NOT EXISTS {table}_search_vector_gin "
        f"ON {table} USING gin (search_vector) WITH (fastupdate = off)",
    ]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in NEW_VECTORS.items():
        for sql in _trigger_sql(table, columns):
            schema_editor.execute(sql)
    for table in EXISTING_TABLES:
        index = f"{table}_search_vector_gin"
        schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = off)")
        schema_editor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in EXISTING_TABLES:
        schema_editor.execute(f"ALTER INDEX {table}_search_vector_gin RESET (fastupdate)")
    for table in NEW_VECTORS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_vector_gin")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_search_vector ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_search_vector()")


class Migration(migrations.Migration):
    dependencies = [
        ("kkk_portal", "0008_rich_text_content"),
        ("projects", "0007_focus_area_search_vector"),
        ("publications", "0006_search_vector"),
    ]

    operations = [
        migrations.AddField(
            model_name="sitepage",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
