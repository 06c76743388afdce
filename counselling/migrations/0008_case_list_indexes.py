# Sortable columns and filters of the admin case list on 100,000 cases.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("counselling", "0007_workspace"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["title"], name="case_title_idx"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["start_date"], name="case_start_date_idx"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["conflict_type"], name="case_conflict_type_idx"),
        ),
    ]
