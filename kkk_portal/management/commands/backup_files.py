"""Write all uploaded files (public media and private case documents) into one tar file.

Goes through Django's storage API, so it works the same for local folders and
for S3-compatible object storage (django-storages). Used by deploy/backup.sh;
`restore_files` reads the archive back.
"""

from __future__ import annotations

import tarfile
import time
from collections.abc import Iterator

from django.core.files.storage import Storage
from django.core.management.base import BaseCommand

from kkk_portal.backup import archive_storages


def walk(storage: Storage, path: str = "") -> Iterator[str]:
    """Every file name in `storage` below `path`, sorted, recursively."""
    directories, files = storage.listdir(path)
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for directory in sorted(directories):
        yield from walk(storage, f"{path}/{directory}" if path else directory)


class Command(BaseCommand):
    help = "Write public media and private case documents into one tar file."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="Path of the tar file to write.")

    def handle(self, *args, output: str, **options) -> None:
        count = 0
        with tarfile.open(output, "w") as archive:
            for prefix, storage in archive_storages().items():
                for name in walk(storage):
                    info = tarfile.TarInfo(f"{prefix}/{name}")
                    info.size = storage.size(name)
                    info.mtime = int(time.time())
                    info.mode = 0o600
                    with storage.open(name, "rb") as handle:
                        archive.addfile(info, handle)
                    count += 1
        self.stdout.write(f"{count} files written to {output}")
