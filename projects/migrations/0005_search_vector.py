# Full-text search on PostgreSQL only (kkk_portal/search.py). A trigger fills the
# stored vector on every INSERT and UPDATE, whatever writes the row (save(),
# bulk_create, update(), SQL); a GIN index serves the @@ match. Each vector is
# what search.section_vector() builds from the section's fields, in the same order
# and weights: title A, other fields B, their English twins C, all with the German
# configuration (tests/core/test_search_vector.py compares the two). Elsewhere the
# column stays empty and search falls back to icontains.

import django.contrib.postgres.search
from django.db import migrations

VECTORS = {
    "projects_municipality": [
        ("name", "A"),
        ("ags", "B"),
    ],
    "projects_project": [
        ("title", "A"),
        ("title_en", "A"),
        ("summary", "B"),
        ("summary_en", "C"),
        ("description", "B"),
        ("description_en", "C"),
    ],
}


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
        f"ON {table} USING gin (search_vector)",
    ]


def _drop_sql(table: str) -> list[str]:
    return [
        f"DROP INDEX IF EXISTS {table}_search_vector_gin",
        f"DROP TRIGGER IF EXISTS {table}_search_vector ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_search_vector()",
    ]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in VECTORS.items():
        for sql in _trigger_sql(table, columns):
            schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in VECTORS:
        for sql in _drop_sql(table):
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_image_alt_focal_point"),
    ]

    operations = [
        migrations.AddField(
            model_name="municipality",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="project",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
