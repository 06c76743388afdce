"""Queue the renditions of every stored image (after a deploy that changed how they are cut)."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db.models import Q

from kkk_portal.images import _image_fields, rendition_keys, renditions_enqueue


class Command(BaseCommand):
    help = (
        "Queue a renditions job for every image of public content that has none recorded "
        "for its current focal point and aspect ratio; the worker makes them."
    )

    def handle(self, *args, **options):
        keys: list[str] = []
        for model in apps.get_models():
            fields = _image_fields(model)
            if not fields or model.__name__.startswith("Historical"):
                continue
            with_image = Q()
            for name in fields:
                with_image |= ~Q(**{name: ""})
            for item in model._default_manager.filter(with_image).iterator():
                keys.extend(rendition_keys(item))
        renditions_enqueue(names=keys)
        self.stdout.write(f"{len(set(keys))} Bildvarianten geprüft, fehlende in die Warteschlange.")
