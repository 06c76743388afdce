from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_groups(sender, using, apps=None, **kwargs):
    from django.apps import apps as global_apps

    from .permissions import ensure_groups

    ensure_groups(apps or global_apps, using=using)


class CounsellingConfig(AppConfig):
    name = "counselling"
    verbose_name = _("Beratung")

    def ready(self):
        # Registers the system checks and the authorization rules.
        from . import checks, permissions  # noqa: F401

        # Groups also get permissions for content models added after the data migration.
        post_migrate.connect(_ensure_groups, sender=self, dispatch_uid="counselling_groups")
