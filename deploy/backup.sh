#!/bin/sh
# Back up the portal: the PostgreSQL database (pg_dump custom format) and every
# uploaded file (public media and private case documents, from local folders or
# S3 alike, through Django's storage API) into one new folder in BACKUP_DIR:
#
#   $BACKUP_DIR/kkk-YYYYMMDDTHHMMSSZ/{db.dump,files.tar,SHA256SUMS}
#
# Then deletes backups older than the longest retention period (see
# kkk_portal/backup.py): data removed by `apply_retention` must not live on in
# old backups. Restore with deploy/restore.sh.
#
# Run from the checkout with the portal's environment (DATABASE_URL, ...), e.g.
# by deploy/systemd/kkk-backup.timer. Backups hold confidential data: the
# folder is created readable by the current user only; copy it off the machine
# encrypted (restic, borg, gpg) – that part belongs to the operator.
#
# Environment: BACKUP_DIR (default /var/backups/kkk), PYTHON (default
# .venv/bin/python), BACKUP_KEEP_DAYS (optional, shorter than the retention).
set -eu
umask 077

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/kkk}"

# PG* connection variables and KKK_BACKUP_KEEP_DAYS, from the portal's own settings.
eval "$("$PYTHON" manage.py backup_env)"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$BACKUP_DIR/kkk-$stamp"
partial="$target.partial"
mkdir -p "$BACKUP_DIR"
rm -rf "$partial"
mkdir "$partial"

pg_dump --format=custom --no-owner --no-privileges --file="$partial/db.dump"
# A dump that cannot be listed cannot be restored: fail now, not on the day it is needed.
pg_restore --list "$partial/db.dump" >/dev/null
"$PYTHON" manage.py backup_files --output "$partial/files.tar"
(cd "$partial" && sha256sum db.dump files.tar >SHA256SUMS)
# Only a complete backup gets its final name.
mv "$partial" "$target"
echo "Backup written: $target"

# Delete complete backups older than KKK_BACKUP_KEEP_DAYS, and leftovers of failed runs.
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name 'kkk-*' \
    -mtime "+$KKK_BACKUP_KEEP_DAYS" -print -exec rm -rf {} +
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name 'kkk-*.partial' \
    ! -path "$partial" -mmin +1440 -exec rm -rf {} +
