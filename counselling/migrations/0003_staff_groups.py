from django.db import migrations


def create_groups(apps, schema_editor):
    from counselling.permissions import ensure_groups

    ensure_groups(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("counselling", "0002_cases_documents_outbox"),
        ("projects", "0001_initial"),
        ("publications", "0001_initial"),
        ("team", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
