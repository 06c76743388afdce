"""deploy/backup.sh and deploy/restore.sh round-trip a PostgreSQL database with
requests, cases and documents (also `make restore-test`), with the files in
local folders and in S3 (moto's server, from tests/deploy/conftest.py).

Everything runs for real: two scratch databases on the test's PostgreSQL
server, the scripts as subprocesses with the portal's environment, pg_dump and
pg_restore. The restore re-applies retention: a spam request that was due for
deletion when the backup was taken is gone after the restore.
"""

import datetime
import os
import subprocess
import uuid
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
# Unique per run: two test runs at once (CI, a colleague's `make test`) never collide.
RUN = uuid.uuid4().hex[:8]
SOURCE_DB = f"kkk_d_backup_src_{RUN}"
TARGET_DB = f"kkk_d_backup_dst_{RUN}"
DOCUMENT_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PUBLIC_BYTES = b"public media file"

MAKE_DATA = f"""
import datetime
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from counselling import services
from counselling.models import CaseDocument, CounsellingRequest
from tests.factories import CounsellingRequestFactory

leitung = get_user_model().objects.create_user("backup-leitung", is_staff=True)
for n in range(3):
    request = CounsellingRequestFactory(reference=f"ANF-2026-BACK0{{n}}")
    case = services.case_create_from_request(request=request, by=leitung)
CounsellingRequestFactory(reference="ANF-2026-OPEN00")
spam = CounsellingRequestFactory(reference="ANF-2026-SPAM00", status="spam")
CounsellingRequest.objects.filter(pk=spam.pk).update(
    updated_at=timezone.now() - datetime.timedelta(days=400)
)
CaseDocument.objects.create(
    case=case, title="Protokoll", file=ContentFile({DOCUMENT_BYTES!r}, name="protokoll.pdf")
)
default_storage.save("publications/flyer.txt", ContentFile({PUBLIC_BYTES!r}))
"""

COUNT_SQL = (
    "SELECT (SELECT count(*) FROM counselling_counsellingrequest), "
    "(SELECT count(*) FROM counselling_case), "
    "(SELECT count(*) FROM counselling_casedocument), "
    "(SELECT string_agg(file, ',') FROM counselling_casedocument)"
)


@pytest.fixture
def server():
    database = settings.DATABASES["default"]
    if "postgresql" not in database["ENGINE"]:
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    return {
        "host": database.get("HOST") or "127.0.0.1",
        "port": str(database.get("PORT") or 5432),
        "user": database.get("USER") or "postgres",
        "password": database.get("PASSWORD") or "",
    }


def _psql(server, sql, database="postgres"):
    env = {**os.environ, "PGPASSWORD": server["password"]}
    connect = ["-h", server["host"], "-p", server["port"], "-U", server["user"], "-d", database]
    result = subprocess.run(  # noqa: S603 - fixed program, arguments from the test settings
        ["psql", *connect, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],  # noqa: S607 - psql on PATH
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def _recreate(server, name):
    _psql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _psql(server, f"CREATE DATABASE {name}")


@pytest.fixture
def databases(server):
    for name in (SOURCE_DB, TARGET_DB):
        _recreate(server, name)
    yield
    for name in (SOURCE_DB, TARGET_DB):
        _psql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _portal_env(server, database, folder):
    credentials = server["user"] + (f":{server['password']}" if server["password"] else "")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("S3_", "AWS_", "PG", "REDIS_", "CACHE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kkk_portal.settings.test",
        DATABASE_URL=f"postgres://{credentials}@{server['host']}:{server['port']}/{database}",
        MEDIA_ROOT=str(folder / "media"),
        PRIVATE_MEDIA_ROOT=str(folder / "private"),
        PYTHON=str(ROOT / ".venv" / "bin" / "python"),
    )
    return env


def _run(args, env):
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _s3_env(s3):
    """Fresh media and private buckets on the test's S3 server (moto)."""
    from tests.deploy.conftest import S3_REGION

    return {
        "S3_BUCKET": s3.create_bucket("kkk-media"),
        "S3_PRIVATE_BUCKET": s3.create_bucket("kkk-private"),
        "S3_ENDPOINT_URL": s3.endpoint_url,
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
        "S3_REGION": S3_REGION,
    }


def _s3_object(s3, bucket, suffix):
    client = s3.client()
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    (key,) = [k for k in keys if k.endswith(suffix)]
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


@pytest.mark.parametrize("files_in", ["local", "s3"])
def test_backup_and_restore_round_trip(server, databases, tmp_path, request, files_in):
    source = _portal_env(server, SOURCE_DB, tmp_path / "source")
    target = _portal_env(server, TARGET_DB, tmp_path / "target")
    if files_in == "s3":
        s3 = request.getfixturevalue("moto_s3")
        source.update(_s3_env(s3))
        target.update(_s3_env(s3))
    backups = tmp_path / "backups"
    python = source["PYTHON"]
    _run([python, "manage.py", "migrate", "--no-input", "-v", "0"], source)
    _run([python, "manage.py", "shell", "-c", MAKE_DATA], source)
    # A backup from long ago, older than the longest retention period.
    ancient = backups / "kkk-20200101T000000Z"
    ancient.mkdir(parents=True)
    (ancient / "db.dump").write_bytes(b"old")
    old = (datetime.datetime.now() - datetime.timedelta(days=4 * 366)).timestamp()
    os.utime(ancient, (old, old))

    output = _run(["deploy/backup.sh"], {**source, "BACKUP_DIR": str(backups)})

    (made,) = [p for p in backups.iterdir() if p.name.startswith("kkk-")]
    assert f"Backup written: {made}" in output
    assert sorted(p.name for p in made.iterdir()) == ["SHA256SUMS", "db.dump", "files.tar"]
    assert oct(made.stat().st_mode & 0o777) == "0o700"
    assert not ancient.exists()

    _run(["deploy/restore.sh", "--yes", str(made)], target)

    src_requests, src_cases, src_docs, src_files = _psql(server, COUNT_SQL, SOURCE_DB).split("|")
    dst_requests, dst_cases, dst_docs, dst_files = _psql(server, COUNT_SQL, TARGET_DB).split("|")
    assert (src_requests, src_cases, src_docs) == ("5", "3", "1")
    # Retention ran after the restore: the spam request from long ago is gone.
    assert (dst_requests, dst_cases, dst_docs) == ("4", "3", "1")
    assert _psql(
        server, "SELECT count(*) FROM counselling_counsellingrequest WHERE status='spam'", TARGET_DB
    ) == ("0")
    assert dst_files == src_files
    if files_in == "s3":
        assert _s3_object(s3, target["S3_PRIVATE_BUCKET"], dst_files) == DOCUMENT_BYTES
        assert _s3_object(s3, target["S3_BUCKET"], "publications/flyer.txt") == PUBLIC_BYTES
        assert not (tmp_path / "target").exists()  # nothing went to local folders
    else:
        restored = tmp_path / "target" / "private" / dst_files
        assert restored.read_bytes() == DOCUMENT_BYTES
        assert (tmp_path / "target" / "media" / "publications" / "flyer.txt").read_bytes() == (
            PUBLIC_BYTES
        )


def test_restore_refuses_without_confirmation(tmp_path):
    result = subprocess.run(  # noqa: S603 - our own script
        [str(ROOT / "deploy" / "restore.sh"), str(tmp_path)], capture_output=True, text=True
    )

    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_backups_are_kept_as_long_as_the_longest_retention(settings):
    from kkk_portal.backup import backup_keep_days

    settings.RETENTION_SPAM_DECLINED_DAYS = 90
    settings.COUNSELLING_REQUEST_RETENTION_MONTHS = 12
    settings.RETENTION_CLOSED_CASE_YEARS = 3
    settings.BACKUP_KEEP_DAYS = 0
    assert backup_keep_days() == 3 * 366
    settings.BACKUP_KEEP_DAYS = 30
    assert backup_keep_days() == 30
