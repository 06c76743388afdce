"""Put the files of a `backup_files` archive back into the configured storages.

A file that exists under the same name is replaced; files not in the archive
are left alone. Names are checked by the storage (no `..`, no absolute paths).
"""

from __future__ import annotations

import tarfile

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from kkk_portal.backup import archive_storages


class Command(BaseCommand):
    help = "Restore public media and private case documents from a backup_files tar file."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="Path of the tar file to read.")

    def handle(self, *args, **options) -> None:
        path = options["input"]
        storages = archive_storages()
        count = 0
        with tarfile.open(path, "r") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                prefix, _, name = member.name.partition("/")
                if prefix not in storages or not name:
                    raise CommandError(f"Unexpected entry in the archive: {member.name!r}")
                storage = storages[prefix]
                if storage.exists(name):
                    storage.delete(name)
                saved = storage.save(name, File(archive.extractfile(member), name=name))
                if saved != name:
                    raise CommandError(f"{member.name!r} was stored as {saved!r}.")
                count += 1
        self.stdout.write(f"{count} files restored from {path}")
