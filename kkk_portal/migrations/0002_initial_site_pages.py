"""Once wrote a first version of the legal pages; now a no-op.

The seed pages (imprint, privacy notice, accessibility statement, easy-read page)
come from `manage.py load_content` (fixtures/centre.toml), which `make run` and a
deployment run after `migrate`. The migration stays so the graph is unchanged for
databases that applied it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("kkk_portal", "0001_site_pages")]

    operations = []
