from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KkkPortalConfig(AppConfig):
    name = "kkk_portal"
    verbose_name = _("Website")
