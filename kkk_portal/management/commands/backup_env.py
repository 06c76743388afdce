"""Print shell variable assignments for deploy/backup.sh and deploy/restore.sh.

The database connection (as libpq's PG* variables, from DATABASE_URL via the
settings, so the scripts and the portal can never disagree) and how many days
backups are kept: the longest retention period, so data deleted by retention
is gone from the backups too after at most that time.
"""

from __future__ import annotations

import shlex

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kkk_portal.backup import backup_keep_days


class Command(BaseCommand):
    help = "Print PG* variables and BACKUP_KEEP_DAYS as shell assignments (for eval)."

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "Backups need PostgreSQL (DATABASE_URL=postgres://...); the database is "
                f"{connection.vendor}."
            )
        database = connection.settings_dict
        values = {
            "PGHOST": database.get("HOST") or "",
            "PGPORT": str(database.get("PORT") or ""),
            "PGUSER": database.get("USER") or "",
            "PGPASSWORD": database.get("PASSWORD") or "",
            "PGDATABASE": database["NAME"],
            "KKK_BACKUP_KEEP_DAYS": str(backup_keep_days()),
        }
        for key, value in values.items():
            if value:
                self.stdout.write(f"export {key}={shlex.quote(value)}")
