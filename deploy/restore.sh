#!/bin/sh
# Restore a backup made by deploy/backup.sh into the database and storages the
# portal's environment points at (DATABASE_URL, MEDIA_ROOT/PRIVATE_MEDIA_ROOT
# or S3_*):
#
#   deploy/restore.sh --yes /var/backups/kkk/kkk-20261130T023000Z
#
# 1. checks the checksums, 2. restores the database (objects in the dump are
# dropped and recreated, in one transaction), 3. puts the files back,
# 4. applies migrations (a backup from an older release), 5. re-applies
# retention: whatever became due since the backup was taken is deleted or
# anonymised again before anybody works with the restored data.
#
# Stop the web and worker services first (systemctl stop kkk-web kkk-worker).
set -eu
umask 077

usage() {
    echo "usage: $0 --yes BACKUP_FOLDER" >&2
    echo "Overwrites the database and files the environment points at." >&2
    exit 2
}
[ "$#" -eq 2 ] && [ "$1" = "--yes" ] || usage
backup="$(cd "$2" && pwd)"

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"

(cd "$backup" && sha256sum --check --quiet SHA256SUMS)
eval "$("$PYTHON" manage.py backup_env)"
echo "Restoring $backup into database $PGDATABASE"

pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
    --dbname="$PGDATABASE" "$backup/db.dump"
"$PYTHON" manage.py restore_files --input "$backup/files.tar"
"$PYTHON" manage.py migrate --no-input
"$PYTHON" manage.py apply_retention
echo "Restore finished: $backup"
