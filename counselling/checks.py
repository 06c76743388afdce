"""System checks: confidential case documents must never be reachable as public files."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register


def _inside(path, parent):
    try:
        Path(path).resolve().relative_to(Path(parent).resolve())
    except ValueError:
        return False
    return True


@register(Tags.security, deploy=False)
def check_private_media_root(app_configs=None, **kwargs):
    """PRIVATE_MEDIA_ROOT inside MEDIA_ROOT or STATIC_ROOT would serve case files publicly."""
    private = getattr(settings, "PRIVATE_MEDIA_ROOT", None)
    if not private:
        return []
    errors = []
    for name in ["MEDIA_ROOT", "STATIC_ROOT"]:
        public = getattr(settings, name, None)
        if public and _inside(private, public):
            errors.append(
                Error(
                    f"PRIVATE_MEDIA_ROOT ({private}) lies inside {name} ({public}).",
                    hint=(
                        "Case documents would be served to anyone as public files. "
                        f"Put PRIVATE_MEDIA_ROOT in a folder outside {name}."
                    ),
                    id="counselling.E001",
                )
            )
    return errors
