# The column only: its trigger and GIN index are created by kkk_portal's
# 0009_stored_search_vectors, with the other search SQL.

import django.contrib.postgres.search
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_history_for_every_content_type"),
    ]

    operations = [
        migrations.AddField(
            model_name="focusarea",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
    ]
