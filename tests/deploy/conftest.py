"""Real servers for the deployment tests, each on a free loopback port, stopped by its pid.

- ``moto_s3``: moto's standalone S3 server (``moto[server]``).
- ``tls_files``: a throwaway CA and a ``localhost`` certificate signed by it.
- ``smtp_sink``: an aiosmtpd server that keeps every message it receives.
- ``prod_stack``: the production settings for real – two gunicorn instances
  behind Debian's nginx running deploy/nginx/kkk-portal.conf, sharing a scratch
  PostgreSQL database, Redis (db 11), the S3 server and the SMTP sink.

Tests marked ``postgres`` are skipped on SQLite: CI runs them once, in its
PostgreSQL pass.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SITE_CONF = ROOT / "deploy" / "nginx" / "kkk-portal.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS_DB = 11
SCRATCH_DB = "kkk_e_scale"
S3_REGION = "eu-central-1"
STAFF_USER = "scale-leitung"
STAFF_PASSWORD = "scale-test-Passwort-2026"
TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238 test key (hex)


def pytest_runtest_setup(item):
    # Before any fixture starts a server.
    if item.get_closest_marker("postgres") and "postgresql" not in str(
        settings.DATABASES["default"]["ENGINE"]
    ):
        pytest.skip(
            "deployment test: runs once in CI, in the PostgreSQL pass (DATABASE_URL=postgres://...)"
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"port {port} did not open in {timeout}s:\n{log.read_text()[-3000:]}")


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path
    # gunicorn: SIGINT is its quick shutdown (SIGTERM waits for idle keep-alive clients).
    stop_signal: int = signal.SIGTERM

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_server(
    name: str, args: list[str], *, port: int, log: Path, env: dict | None = None, cwd=ROOT
) -> Server:
    handle = log.open("ab")
    process = subprocess.Popen(  # noqa: S603 - fixed programs, arguments from the test
        args, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT
    )
    handle.close()
    server = Server(name, port, process, log)
    try:
        wait_for_port(port, process=process, log=log)
    except Exception:
        server.stop()
        raise
    return server


# --- S3 -------------------------------------------------------------------------


@dataclass
class S3:
    endpoint_url: str
    port: int

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name=S3_REGION,
        )

    def create_bucket(self, prefix: str = "kkk") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": S3_REGION}
        )
        return name

    def allow_anonymous_read(self, bucket: str, prefix: str) -> None:
        """The bucket policy the README asks for: anyone may GET objects under prefix/."""
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicMediaForTheProxy",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/{prefix}/*",
                }
            ],
        }
        self.client().put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, bucket: str, key: str) -> bytes:
        return self.client().get_object(Bucket=bucket, Key=key)["Body"].read()


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory):
    moto = BIN / "moto_server"
    if not moto.exists():
        pytest.fail("moto_server missing: pip install -c requirements/constraints.txt -e '.[dev]'")
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    server = start_server(
        "moto", [str(moto), "-H", "127.0.0.1", "-p", str(port)], port=port, log=log
    )
    yield S3(endpoint_url=f"http://127.0.0.1:{port}", port=port)
    server.stop()


# --- TLS ------------------------------------------------------------------------


@dataclass
class TlsFiles:
    ca: Path
    cert: Path
    key: Path


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory) -> TlsFiles:
    """A throwaway CA and a certificate for localhost/127.0.0.1 signed by it."""
    folder = tmp_path_factory.mktemp("tls")

    def openssl(*args: str) -> None:
        subprocess.run(  # noqa: S603 - fixed program
            ["openssl", *args],  # noqa: S607 - Debian's openssl on PATH
            cwd=folder,
            check=True,
            capture_output=True,
        )

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.pem", "-days", "2", "-subj", "/CN=KKK test CA")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "req.csr",
            "-subj", "/CN=localhost")  # fmt: skip
    (folder / "ext.cnf").write_text(
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
    )
    openssl("x509", "-req", "-in", "req.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "cert.pem", "-days", "2", "-extfile", "ext.cnf")  # fmt: skip
    return TlsFiles(ca=folder / "ca.pem", cert=folder / "cert.pem", key=folder / "key.pem")


# --- SMTP -----------------------------------------------------------------------


@dataclass
class SmtpSink:
    port: int
    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def received(self) -> list:
        with self.lock:
            return list(self.messages)


@pytest.fixture(scope="session")
def smtp_sink():
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # one INFO line per SMTP verb

    sink = SmtpSink(port=free_port())

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
            with sink.lock:
                sink.messages.append(envelope)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


# --- nginx ----------------------------------------------------------------------


def render_site_conf(
    *,
    http_port: int,
    https_port: int,
    upstreams: list[int],
    tls: TlsFiles,
    static_root: Path,
    media_upstream: str,
) -> str:
    """deploy/nginx/kkk-portal.conf with its example values replaced for loopback.

    Every replacement must hit: if the file changes shape, the test says so
    instead of silently testing something else.
    """
    conf = SITE_CONF.read_text()
    replacements = [
        ("    listen [::]:80;\n", ""),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("return 301 https://$host$request_uri;", f"return 301 https://$host:{https_port}$request_uri;"),
        ("server_name portal.example.org;", "server_name localhost;"),
        ("/etc/letsencrypt/live/portal.example.org/fullchain.pem", str(tls.cert)),
        ("/etc/letsencrypt/live/portal.example.org/privkey.pem", str(tls.key)),
        ("alias /srv/kkk/static/;", f"alias {static_root}/;"),
        ("proxy_pass https://s3.eu-central-1.example.com/kkk-media/media/;",
         f"proxy_pass {media_upstream};"),
        ("    server 127.0.0.1:8000;\n",
         "".join(f"    server 127.0.0.1:{port};\n" for port in upstreams)),
    ]  # fmt: skip
    for old, new in replacements:
        assert old in conf, f"{SITE_CONF.name} no longer contains {old!r}"
        conf = conf.replace(old, new)
    return conf


def start_nginx(folder: Path, site_conf: str, *, https_port: int) -> Server:
    """Debian's nginx as an unprivileged-style foreground process with everything in folder."""
    if not Path(NGINX).exists():
        pytest.fail("nginx missing: `make test` installs Debian's nginx (apt-get install nginx)")
    for sub in ("client", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "site.conf").write_text(site_conf)
    (folder / "nginx.conf").write_text(
        f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
"""
    )
    check = subprocess.run(  # noqa: S603 - fixed program
        [NGINX, "-t", "-q", "-c", str(folder / "nginx.conf")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    return start_server(
        "nginx", [NGINX, "-c", str(folder / "nginx.conf")], port=https_port, log=folder / "out.log"
    )


# --- the production stack --------------------------------------------------------


def _postgres_url(database: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{database}"


def _psql_admin(sql: str) -> None:
    import psycopg2

    db = settings.DATABASES["default"]
    connection = psycopg2.connect(
        dbname="postgres",
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def _redis_ready(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@dataclass
class ProdStack:
    env: dict
    folder: Path
    instances: list[Server]
    nginx: Server
    http_port: int
    s3: S3
    media_bucket: str
    private_bucket: str
    smtp: SmtpSink
    database_url: str
    workers: list[Server] = field(default_factory=list)

    @property
    def https_url(self) -> str:
        return f"https://localhost:{self.nginx.port}"

    def manage(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def served_by(self) -> list[int]:
        """Requests each instance has answered so far (from their access logs)."""
        return [
            len((self.folder / f"access-{s.name}.log").read_text().splitlines())
            if (self.folder / f"access-{s.name}.log").exists()
            else 0
            for s in self.instances
        ]


CREATE_STAFF = f"""
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
user = get_user_model().objects.create_user(
    {STAFF_USER!r}, email="leitung@konfliktberatung.example.org", password={STAFF_PASSWORD!r},
    is_staff=True, is_superuser=True, first_name="Lea", last_name="Leitung")
TOTPDevice.objects.create(user=user, name="Telefon", key={TOTP_KEY!r}, confirmed=True)
from counselling.models import Topic
Topic.objects.get_or_create(name="Migration und Zusammenleben")
"""


@pytest.fixture(scope="session")
def prod_stack(tmp_path_factory, moto_s3, smtp_sink, tls_files):
    """Two gunicorn instances of kkk_portal.settings.prod behind nginx, sharing everything."""
    if "postgresql" not in str(settings.DATABASES["default"]["ENGINE"]):
        pytest.skip("the production stack needs PostgreSQL (DATABASE_URL=postgres://...)")
    import redis

    folder = tmp_path_factory.mktemp("stack")
    own_redis = None
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    if not _redis_ready(redis_url):
        # No shared Redis on this machine: a private one for this run.
        if not shutil.which("redis-server"):
            pytest.fail("Redis is not running and redis-server is missing (make deploy-tools)")
        port = free_port()
        own_redis = start_server(
            "redis",
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
            port=port,
            log=folder / "redis.log",
        )
        redis_url = f"redis://127.0.0.1:{port}/{REDIS_DB}"
    redis.Redis.from_url(redis_url).flushdb()
    _psql_admin(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
    _psql_admin(f"CREATE DATABASE {SCRATCH_DB}")
    media_bucket = moto_s3.create_bucket("kkk-media")
    private_bucket = moto_s3.create_bucket("kkk-private")
    moto_s3.allow_anonymous_read(media_bucket, "media")
    ports = [free_port(), free_port()]
    http_port, https_port = free_port(), free_port()
    database_url = _postgres_url(SCRATCH_DB)
    # The README's production example, filled in for loopback.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CACHE_", "EMAIL_", "S3_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kkk_portal.settings.prod",
            "SECRET_KEY": "scale-out-test-" + uuid.uuid4().hex * 2,
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": f"https://localhost:{https_port}",
            "SITE_URL": f"https://localhost:{https_port}",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            # Plain SMTP to a relay on this machine (loopback) is allowed by prod.py.
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.port}",
            "DEFAULT_FROM_EMAIL": "portal@konfliktberatung.example.org",
            "CENTRE_NOTIFICATION_EMAIL": "beratung@konfliktberatung.example.org",
            "STATIC_ROOT": str(folder / "static"),
            "MEDIA_ROOT": str(folder / "media-unused"),
            "PRIVATE_MEDIA_ROOT": str(folder / "private-unused"),
            "TRUSTED_PROXY_COUNT": "1",
            "S3_BUCKET": media_bucket,
            "S3_PRIVATE_BUCKET": private_bucket,
            "S3_ENDPOINT_URL": moto_s3.endpoint_url,
            "S3_ACCESS_KEY_ID": "test",
            "S3_SECRET_ACCESS_KEY": "test",
            "S3_REGION": S3_REGION,
            "COUNSELLING_RATE_LIMIT": "3",
            "WORKER_POLL_SECONDS": "0.2",
            "LOG_FORMAT": "plain",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_WORKERS": "2",
            "PYTHONPATH": str(ROOT),
        }
    )
    stack = ProdStack(
        env=env,
        folder=folder,
        instances=[],
        nginx=None,  # type: ignore[arg-type]
        http_port=http_port,
        s3=moto_s3,
        media_bucket=media_bucket,
        private_bucket=private_bucket,
        smtp=smtp_sink,
        database_url=database_url,
    )
    try:
        stack.manage("migrate", "--no-input", "-v", "0")
        stack.manage("collectstatic", "--no-input", "-v", "0")
        stack.manage("shell", stdin=CREATE_STAFF)
        for name, port in zip(("a", "b"), ports, strict=True):
            instance_env = {
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_ACCESS_LOG": str(folder / f"access-{name}.log"),
            }
            stack.instances.append(
                start_server(
                    name,
                    [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "kkk_portal.wsgi"],
                    port=port,
                    log=folder / f"gunicorn-{name}.log",
                    env=instance_env,
                )
            )
            stack.instances[-1].stop_signal = signal.SIGINT
        site = render_site_conf(
            http_port=http_port,
            https_port=https_port,
            upstreams=ports,
            tls=tls_files,
            static_root=folder / "static",
            media_upstream=f"{moto_s3.endpoint_url}/{media_bucket}/media/",
        )
        stack.nginx = start_nginx(folder / "nginx", site, https_port=https_port)
        yield stack
    finally:
        for server in [*([stack.nginx] if stack.nginx else []), *stack.workers, *stack.instances]:
            server.stop()
        if own_redis:
            own_redis.stop()
        _psql_admin(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
