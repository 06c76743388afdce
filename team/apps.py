from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamConfig(AppConfig):
    name = "team"
    verbose_name = _("Team und Kontakt")

    def ready(self):
        from . import checks  # noqa: F401 – registers the imprint deploy check
