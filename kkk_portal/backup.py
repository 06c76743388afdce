"""What the backup covers and how long it is kept (deploy/backup.sh, deploy/restore.sh)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, default_storage


def archive_storages() -> dict[str, Storage]:
    """The storages a backup holds, by their folder name in the archive."""
    from counselling.models import CaseDocument

    return {
        "media": default_storage,
        "private": CaseDocument._meta.get_field("file").storage,
    }


def backup_keep_days() -> int:
    """Days a backup is kept: the longest retention period (or BACKUP_KEEP_DAYS if shorter).

    Retention deletes or anonymises data after its period; a backup older than
    the longest period may hold data that should no longer exist anywhere.
    """
    longest = max(
        settings.RETENTION_SPAM_DECLINED_DAYS,
        settings.COUNSELLING_REQUEST_RETENTION_MONTHS * 31,
        settings.RETENTION_CLOSED_CASE_YEARS * 366,
    )
    configured = getattr(settings, "BACKUP_KEEP_DAYS", None)
    return min(longest, configured) if configured else longest
