from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KkkPortalConfig(AppConfig):
    name = "kkk_portal"
    verbose_name = _("Website")

    def ready(self):
        from django.conf import settings
        from PIL import Image

        from . import (
            accounts,  # noqa: F401 – login signal: starts the staff session clocks
            checks,  # noqa: F401 – registers the deploy checks
        )

        # Pillow warns above this many pixels and refuses to open images of twice as
        # many (decompression bombs). Uploads above IMAGE_MAX_PIXELS are already refused
        # by kkk_portal.validators with a German message; this guards every other path
        # (thumbnails, load_content) too.
        Image.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS

        # Saving a model with an image queues its thumbnails for the worker.
        from django.apps import apps

        from .images import connect_rendition_signals

        connect_rendition_signals(apps.get_models())

        # A changed slug keeps its old address answering with a redirect.
        from .slugs import connect_signals

        connect_signals()

        # Saving or deleting public content makes every cached anonymous page stale.
        from . import page_cache

        page_cache.connect_signals()
