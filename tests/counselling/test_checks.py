"""System checks of the counselling app."""

import pytest

from counselling.checks import check_private_media_root

pytestmark = pytest.mark.django_db


def test_private_media_inside_public_folders_is_a_system_error(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    assert check_private_media_root() == []

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media" / "private"
    assert [(e.id, e.msg) for e in check_private_media_root()] == [
        (
            "counselling.E001",
            f"PRIVATE_MEDIA_ROOT ({tmp_path}/media/private) lies inside MEDIA_ROOT "
            f"({tmp_path}/media).",
        )
    ]
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "static"
    assert [e.id for e in check_private_media_root()] == ["counselling.E001"]
