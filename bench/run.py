"""The benchmark: production settings under gunicorn, measured with wrk, side by side
with a bare "hello" view in the same run.

    make bench                       # SQLite and PostgreSQL × real content and large data
    make bench QUICK=1               # the real content only, on SQLite (under 5 minutes)
    make bench QUICK=1 DB=postgres   # the same on PostgreSQL
    make bench DURATION=10           # seconds per page and round (default 5, QUICK 1)

For each database and data set it builds a throwaway database (`migrate`,
`load_content`, for the large data also `generate_synthetic`: 10,000 projects,
2,000 municipalities, 100,000 cases), collects the static files once, then starts
`gunicorn -c deploy/gunicorn.conf.py` with two sync workers on a free loopback port
and the production settings (bench/settings.py = kkk_portal.settings.prod plus
bench/urls.py, which adds `/bench-hello/`). Against that server, once with the
anonymous page cache switched off (PAGE_CACHE_ENABLED=0) and once on (the cache
flushed before each server start):

- every page once (status, raw bytes, bytes as nginx sends them compressed),
- SQL queries per page (a side process: Django's test client and
  CaptureQueriesContext, second request counted),
- 20 sequential requests per page (median and 95th percentile server time),
- `wrk -t2 -c20 -d<DURATION>s` per page, two rounds (requests/s, p50/p95/p99 and each
  page's requests/s as a share of the bare view's, run again after every seven pages
  of the round: the share is against its runs just before and after the page's group),
- Lighthouse 12 (mobile, Debian's chromium) on six pages, on the real content,
- each gunicorn worker's resident memory (VmRSS) after at least 10,000 requests.

It writes bench/RESULTS.md (and the raw numbers to <workdir>/results.json). Timings
are measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import gzip
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

NGINX_CONF = ROOT / "deploy" / "nginx" / "kkk-portal.conf"
WRK_SCRIPT = BENCH / "wrk_report.lua"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WRK = shutil.which("wrk") or "/usr/bin/wrk"
# What nginx adds to every proxied request (deploy/nginx/kkk-portal.conf): without it
# the production settings answer with a redirect to HTTPS.
FORWARDED = {"X-Forwarded-Proto": "https"}
# What wrk sends besides: the Accept-Encoding of a browser, which nginx passes on. The
# app compresses nothing it renders (nginx does); a page cache hit comes as it was
# compressed once when stored (kkk_portal/page_cache.py).
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}
HELLO = "/bench-hello/"
# Pages between two wrk runs of the bare view within a round (see measure_round).
REFERENCE_EVERY = 7
# Progress lines show up at once, also through a pipe.
print = functools.partial(print, flush=True)
MIN_REQUESTS_FOR_MEMORY = 10_000
SYNTHETIC = {
    "projects": 10_000,
    "municipalities": 2_000,
    "publications": 2_000,
    "news": 2_000,
    "events": 2_000,
    "requests": 10_000,
    "cases": 100_000,
    "activities_per_case": 1,
}
LIGHTHOUSE_PAGES = ("home", "project list", "project page", "request form", "publications")
LIGHTHOUSE_PAGES += ("event page",)
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
    "--disable-background-networking --disable-component-update --disable-sync "
    "--no-first-run --disable-quic"
)
# Issue 11, point 4: uncached server time per request on the large data.
TARGET_PUBLIC_MS = 50
TARGET_ADMIN_MS = 150
TARGET_PG_SEARCH_MS = 30


# --- the pages -------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    path: str
    admin: bool = False  # requested as Leitung (session cookie with a passed second factor)
    kind: str = "public"  # public | admin | feed | hello


def pages_for(discovered: dict[str, str]) -> list[Page]:
    """Every public page type, the request form and the admin lists as Leitung."""
    pages = [
        Page("bare view (hello)", HELLO, kind="hello"),
        Page("home", "/"),
        Page("project list", "/projekte/"),
        Page("project list, ?state=ST", "/projekte/?state=ST"),
        Page("project page", discovered.get("project", "")),
        Page("fields of work", "/arbeitsfelder/"),
        Page("field of work", discovered.get("focus_area", "")),
        Page("municipalities", "/kommunen/"),
        Page("municipality page", discovered.get("municipality", "")),
        Page("publications", "/publikationen/"),
        Page("publication page", discovered.get("publication", "")),
        Page("news and events", "/aktuelles/"),
        Page("news post", discovered.get("news", "")),
        Page("event page", discovered.get("event", "")),
        Page("event archive", "/veranstaltungen/archiv/"),
        Page("team", "/team/"),
        Page("contact", "/kontakt/"),
        Page("text page", discovered.get("page", "")),
        Page("search „Konflikt“", "/suche/?q=Konflikt"),
        Page("English home", "/en/"),
        Page("RSS feed", "/aktuelles/feed/", kind="feed"),
        Page("Atom feed", "/aktuelles/atom/", kind="feed"),
        Page("sitemap index", "/sitemap.xml", kind="feed"),
        Page("sitemap, projects", "/sitemap-projects.xml", kind="feed"),
        Page("iCal feed", "/veranstaltungen/kalender.ics", kind="feed"),
        Page("request form", "/beratung-anfragen/"),
        Page("admin: case list", "/admin/counselling/case/", admin=True, kind="admin"),
        Page(
            "admin: request list",
            "/admin/counselling/counsellingrequest/",
            admin=True,
            kind="admin",
        ),
    ]
    return [page for page in pages if page.path]


# --- options ---------------------------------------------------------------------------


@dataclass
class Options:
    quick: bool
    databases: list[str]
    datasets: list[str]
    duration: int
    rounds: int
    connections: int
    threads: int
    repeat: int
    lighthouse: bool
    reuse: bool
    workdir: Path
    output: Path
    postgres_url: str
    redis_url: str
    command: str


def parse_options(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Real content only, short runs.")
    parser.add_argument(
        "--databases", help="sqlite,postgres (default: both; QUICK: sqlite)", default=""
    )
    parser.add_argument("--datasets", help="real,synthetic (default: both; QUICK: real)")
    parser.add_argument("--duration", type=int, help="wrk seconds per page and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=20, help="sequential requests per page")
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="Keep databases built by an earlier run."
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(os.environ.get("BENCH_WORKDIR", "/tmp/kkk-bench")),  # noqa: S108
    )
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args(argv)
    databases = [d for d in (args.databases or "").split(",") if d]
    if not databases:
        databases = ["sqlite"] if args.quick else ["sqlite", "postgres"]
    datasets = [d for d in (args.datasets or "").split(",") if d]
    if not datasets:
        datasets = ["real"] if args.quick else ["real", "synthetic"]
    for name in databases:
        if name not in ("sqlite", "postgres"):
            parser.error(f"unknown database {name!r}: sqlite or postgres")
    for name in datasets:
        if name not in ("real", "synthetic"):
            parser.error(f"unknown data set {name!r}: real or synthetic")
    # Its own databases (<name>_real, <name>_synthetic, dropped and made anew), never the
    # one in DATABASE_URL.
    postgres_url = os.environ.get(
        "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/kkk_bench"
    )
    command = "make bench" + (" QUICK=1" if args.quick else "")
    if args.databases:
        command += f" DB={args.databases}"
    if args.duration:
        command += f" DURATION={args.duration}"
    return Options(
        quick=args.quick,
        databases=databases,
        datasets=datasets,
        duration=args.duration or (1 if args.quick else 5),
        rounds=args.rounds,
        connections=args.connections,
        threads=args.threads,
        repeat=args.repeat,
        lighthouse=not args.no_lighthouse,
        reuse=args.reuse,
        workdir=args.workdir,
        output=args.output,
        postgres_url=postgres_url,
        redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        command=command,
    )


# --- environment of the server and the side processes ----------------------------------


def database_url(options: Options, database: str, dataset: str) -> str:
    if database == "sqlite":
        return f"sqlite:///{options.workdir / f'{dataset}.sqlite3'}"
    parts = urlsplit(options.postgres_url)
    name = parts.path.lstrip("/") or "kkk_bench"
    return urlunsplit(parts._replace(path=f"/{name}_{dataset}"))


def django_env(options: Options, database: str, dataset: str, *, cached: bool) -> dict[str, str]:
    """What prod needs to start (kkk_portal/settings/prod.py), pointed at throwaway data."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "false",
            "SECRET_KEY": options_secret(options),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DATABASE_URL": database_url(options, database, dataset),
            # prod's own, documented opt-out for a single-process SQLite installation; the
            # issue's figures are "production settings, SQLite".
            "ALLOW_SQLITE_IN_PRODUCTION": "true" if database == "sqlite" else "false",
            "REDIS_URL": options.redis_url,
            "CACHE_URL": "",
            # A relay on this machine (nothing is sent: the pages measured send no mail).
            "EMAIL_URL": "smtp://127.0.0.1:25",
            "SITE_URL": "https://127.0.0.1",
            # nginx redirects plain HTTP and always sends X-Forwarded-Proto: https, as the
            # benchmark's requests do; the app's own redirect would only meet what
            # Lighthouse fetches without that header (robots.txt).
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": str(options.workdir / "static"),
            "MEDIA_ROOT": str(options.workdir / "media"),
            "PRIVATE_MEDIA_ROOT": str(options.workdir / "private_media"),
            "S3_BUCKET": "",
            "SENTRY_DSN": "",
            "LOG_FORMAT": "json",
            # The anonymous page cache (kkk_portal/page_cache.py), on in production.
            "PAGE_CACHE_ENABLED": "1" if cached else "0",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


_SECRET: dict[str, str] = {}


def options_secret(options: Options) -> str:
    # One key per run, kept in the work folder so that --reuse keeps the sessions valid.
    if "key" not in _SECRET:
        path = options.workdir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(50))
        _SECRET["key"] = path.read_text().strip()
    return _SECRET["key"]


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess:
    """Run one of the benchmark's own tools (python, wrk, lighthouse, chromium)."""
    kwargs = {"capture_output": True, "text": True, "check": False, **kwargs}
    return subprocess.run(command, **kwargs)  # noqa: S603


def run_python(args: list[str], env: dict[str, str], *, timeout: float = 3600) -> str:
    """Run `python <args>` in the repository with `env`; its stdout, or stop the bench."""
    result = run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        timeout=timeout,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-8000:])
        raise SystemExit(f"failed: python {' '.join(args)}")
    return result.stdout


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def recreate_postgres(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


# --- building the data (a side process with the bench settings) -------------------------


def prepare(options: Options, database: str, dataset: str) -> dict[str, Any]:
    """A fresh database with the data set; the pages' addresses and a Leitung session."""
    info_path = options.workdir / f"prepared-{database}-{dataset}.json"
    env = django_env(options, database, dataset, cached=False)
    if options.reuse and info_path.exists():
        print(f"[{database}/{dataset}] reusing the database of an earlier run (migrated)")
        run_python(["manage.py", "migrate", "--no-input", "-v", "0"], env)
        return json.loads(info_path.read_text())
    if database == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(options.workdir / f"{dataset}.sqlite3") + suffix).unlink(missing_ok=True)
    else:
        recreate_postgres(env["DATABASE_URL"])
    started = time.monotonic()
    out = run_python([str(BENCH / "run.py"), "_prepare", dataset], env)
    info = json.loads(out.strip().splitlines()[-1])
    info["prepare_seconds"] = round(time.monotonic() - started, 1)
    info_path.write_text(json.dumps(info, indent=1))
    print(f"[{database}/{dataset}] data ready in {info['prepare_seconds']} s")
    return info


def _side_setup() -> None:
    import django

    django.setup()


def verified_client(user):
    """A test client logged in as `user` with a confirmed second factor (as after the
    TOTP step, which the admin requires for staff)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _discover() -> dict[str, str]:
    """One published item of each kind (real content first, synthetic only if none)."""
    from django.conf import settings
    from django.utils import translation

    from kkk_portal.sitemaps import SITEMAPS

    def slug(item: Any) -> str:
        return str(item[0] if isinstance(item, tuple) else getattr(item, "slug", ""))

    def first(section: str) -> str:
        sitemap = SITEMAPS[section]()
        with translation.override(settings.LANGUAGE_CODE):
            items = list(sitemap.items())
            real = [item for item in items if not slug(item).startswith("synth-")]
            if not (real or items):
                return ""
            return urlsplit(sitemap.location((real or items)[0])).path

    found = {
        "project": first("projects"),
        "focus_area": first("focus-areas"),
        "municipality": first("municipalities"),
        "publication": first("publications"),
        "news": first("news"),
        "event": first("events"),
        "page": "",
    }
    from kkk_portal.models import SitePage

    pages = SitePage.objects.published().order_by("pk")
    page = pages.filter(slug="impressum").first() or pages.first()
    if page is not None:
        found["page"] = page.get_absolute_url()
    return found


def side_prepare(dataset: str) -> None:
    _side_setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_content", verbosity=0)
    info: dict[str, Any] = {"dataset": dataset}
    if dataset == "synthetic":
        started = time.monotonic()
        call_command("generate_synthetic", verbosity=0, **SYNTHETIC)
        info["synthetic_seconds"] = round(time.monotonic() - started, 1)
    leader = get_user_model().objects.create_user(
        "bench-leitung",
        "leitung@example.org",
        secrets.token_urlsafe(16),
        is_staff=True,
        first_name="Bench",
        last_name="Leitung",
    )
    leader.groups.add(Group.objects.get(name="Leitung"))
    client = verified_client(leader)
    info["cookie"] = (
        f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    )
    info["pages"] = _discover()
    if dataset == "synthetic":
        info["workspace"] = workspace_queries(leader, repeat=3)
        info["csv_export"] = csv_export(leader)
    print(json.dumps(info))


def workspace_queries(leader, repeat: int) -> list[dict[str, Any]]:
    """SQL queries of the counsellors' workspace on the large data, as Beratung and Leitung.

    A counsellor is assigned to one case with 20 activities and 5 documents (rows only:
    the pages list documents, they never open the files).
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from counselling.models import Activity, Case, CaseDocument

    counsellor = get_user_model().objects.create_user(
        "bench-beratung",
        "beratung@example.org",
        secrets.token_urlsafe(16),
        is_staff=True,
        first_name="Bench",
        last_name="Beratung",
    )
    counsellor.groups.add(Group.objects.get(name="Beratung"))
    case = Case.objects.exclude(status__in=["abschluss", "abgelehnt"]).order_by("pk").first()
    case.counsellors.add(counsellor)
    Activity.objects.bulk_create(
        Activity(
            case=case,
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
            kind="gespraech",
            participants=3,
            author=counsellor,
        )
        for n in range(20)
    )
    CaseDocument.objects.bulk_create(
        CaseDocument(case=case, title=f"Dokument {n}", file=f"cases/{case.pk}/d{n}.pdf")
        for n in range(5)
    )
    pages = {
        "start page": "/admin/",
        "case page (20 activities, 5 documents)": f"/admin/counselling/case/{case.pk}/change/",
        "case list": "/admin/counselling/case/",
        "request list": "/admin/counselling/counsellingrequest/",
    }
    clients = {"Beratung": verified_client(counsellor), "Leitung": verified_client(leader)}
    rows = []
    for name, url in pages.items():
        row: dict[str, Any] = {"page": name, "url": url}
        for role, client in clients.items():
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} as {role}: {response.status_code}")
            row[role] = len(queries)
        rows.append(row)
    return rows


def csv_export(leader) -> dict[str, Any]:
    """The leadership's CSV export of every case: size, time, memory growth."""
    import resource

    client = verified_client(leader)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get("/admin/leitung/export/faelle.csv")
    size = (
        sum(len(chunk) for chunk in response.streaming_content)
        if response.streaming
        else len(response.content)
    )
    return {
        "status": response.status_code,
        "megabytes": round(size / 1e6, 1),
        "seconds": round(time.perf_counter() - started, 1),
        "rss_growth_mb": round(
            (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        ),
    }


def side_queries(pages_json: str) -> None:
    """SQL queries per page (the second of two requests, so a filled cache counts)."""
    _side_setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    spec = json.loads(pages_json)
    anonymous = Client(HTTP_X_FORWARDED_PROTO="https")
    staff = Client(HTTP_X_FORWARDED_PROTO="https")
    name, _, value = spec["cookie"].partition("=")
    assert name == settings.SESSION_COOKIE_NAME
    staff.cookies[name] = value
    counts = {}
    for page in spec["pages"]:
        client = staff if page["admin"] else anonymous
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page["path"])
                if response.streaming:
                    b"".join(response.streaming_content)
        counts[page["path"]] = {"queries": len(queries), "status": response.status_code}
    print(json.dumps(counts))


# --- the server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    ms: float
    page_cache: str  # the page cache's X-Page-Cache header: hit, miss or ""


def fetch(
    port: int, path: str, headers: dict[str, str], host: str = "127.0.0.1", timeout: float = 120
) -> Response:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    started = time.perf_counter()
    connection.request("GET", path, headers={**FORWARDED, **headers})
    response = connection.getresponse()
    body = response.read()
    ms = (time.perf_counter() - started) * 1000
    connection.close()
    return Response(
        response.status,
        response.getheader("Content-Type", ""),
        body,
        ms,
        response.getheader("X-Page-Cache", ""),
    )


class Server:
    """gunicorn with deploy/gunicorn.conf.py: two sync workers on a loopback port.

    Workers are not recycled here (GUNICORN_MAX_REQUESTS=0; production replaces them
    after about 1,000 requests), so their memory after the run shows any growth.
    """

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.requests = 0
        self.pids_at_start: list[int] = []

    def __enter__(self) -> Server:
        self.port = free_port()
        env = {
            **self.env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "1",
            "GUNICORN_MAX_REQUESTS": "0",
        }
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "kkk_portal.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped at start, see {self.log_path}")
            with contextlib.suppress(OSError):
                if fetch(self.port, HELLO, {}).status == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer, see {self.log_path}")
            time.sleep(0.3)
        # Both workers up (the first answer may come before the second one forked).
        while len(self.workers()) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        self.pids_at_start = self.workers()
        return self

    def workers(self) -> list[int]:
        assert self.process is not None
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            return sorted(int(child) for child in children)
        except OSError:
            found = []
            for stat in Path("/proc").glob("[0-9]*/stat"):
                with contextlib.suppress(OSError, IndexError, ValueError):
                    if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(stat.parent.name))
            return sorted(found)

    def memory(self) -> list[dict[str, Any]]:
        rows = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            fields = dict(
                line.split(":", 1) for line in status.splitlines() if line.startswith("Vm")
            )
            rows.append(
                {
                    "pid": pid,
                    "rss_mb": round(int(fields["VmRSS"].split()[0]) / 1024, 1),
                    "peak_rss_mb": round(int(fields["VmHWM"].split()[0]) / 1024, 1),
                    "since_start": pid in self.pids_at_start,
                }
            )
        return rows

    def __exit__(self, *exc_info: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --- measuring -------------------------------------------------------------------------


def nginx_compression() -> dict[str, Any]:
    """How deploy/nginx/kkk-portal.conf compresses answers of the application.

    The site file says nothing about gzip unless it sets it; then Debian's
    /etc/nginx/nginx.conf applies: `gzip on;` with nginx's defaults (level 1, only
    text/html, at least 20 bytes).
    """
    text = "\n".join(line.split("#", 1)[0] for line in NGINX_CONF.read_text().splitlines())
    on = re.search(r"^\s*gzip\s+(on|off)\s*;", text, re.MULTILINE)
    level = re.search(r"^\s*gzip_comp_level\s+(\d+)\s*;", text, re.MULTILINE)
    types = re.search(r"^\s*gzip_types\s+([^;]+);", text, re.MULTILINE)
    brotli = re.search(r"^\s*brotli\s+on\s*;", text, re.MULTILINE)
    return {
        "on": on is None or on.group(1) == "on",
        "level": int(level.group(1)) if level else 1,
        "types": {"text/html", *(types.group(1).split() if types else [])},
        "source": "deploy/nginx/kkk-portal.conf" if on else "Debian's nginx.conf (gzip on)",
        "brotli_ignored": bool(brotli),
    }


def sent_bytes(body: bytes, content_type: str, compression: dict[str, Any]) -> int:
    mime = content_type.split(";", 1)[0].strip().lower()
    if (
        compression["on"]
        and len(body) >= 20
        and ("*" in compression["types"] or mime in compression["types"])
    ):
        return len(gzip.compress(body, compresslevel=compression["level"], mtime=0))
    return len(body)


def run_wrk(options: Options, port: int, page: Page, cookie: str, duration: int) -> dict[str, Any]:
    headers = [f"{name}: {value}" for name, value in {**FORWARDED, **BROWSER}.items()]
    if page.admin:
        headers.append(f"Cookie: {cookie}")
    command = [WRK, f"-t{options.threads}", f"-c{options.connections}", f"-d{duration}s"]
    command += ["--timeout", "30s", "-s", str(WRK_SCRIPT)]
    for header in headers:
        command += ["-H", header]
    command.append(f"http://127.0.0.1:{port}{page.path}")
    result = run(command, timeout=duration + 120)
    line = next(
        (line for line in result.stdout.splitlines() if line.startswith("BENCH-JSON ")), None
    )
    if line is None:
        raise SystemExit(f"wrk failed on {page.path}: {result.stdout}{result.stderr}")
    data = json.loads(line.removeprefix("BENCH-JSON "))
    # wrk leaves up to one request per connection queued at the server; the next page's
    # run must not start behind them. One more request returns when they are done.
    fetch(port, HELLO, {}, timeout=600)
    seconds = data["duration_us"] / 1e6
    return {
        "requests": data["requests"],
        "rps": round(data["requests"] / seconds, 1) if seconds else 0.0,
        "p50": data["p50_us"] / 1000,
        "p95": data["p95_us"] / 1000,
        "p99": data["p99_us"] / 1000,
        "errors": data["status_errors"]
        + data["connect_errors"]
        + data["read_errors"]
        + data["write_errors"]
        + data["timeouts"],
    }


def lighthouse_binary() -> Path | None:
    for folder in (ROOT, BENCH):
        binary = folder / "node_modules" / ".bin" / "lighthouse"
        if binary.exists():
            return binary
    return None


def run_lighthouse(options: Options, port: int, page: Page) -> dict[str, Any]:
    """Lighthouse on one page; again (twice at most) when Chromium failed to record the
    trace (`runtimeError`, e.g. NO_NAVSTART), as Lighthouse itself asks."""
    for _attempt in range(3):
        result = _lighthouse_once(options, port, page)
        if not result.get("runtime_error"):
            break
    return result


def _lighthouse_once(options: Options, port: int, page: Page) -> dict[str, Any]:
    binary = lighthouse_binary()
    if binary is None or not Path(CHROMIUM).exists():
        return {"error": "Lighthouse or chromium missing (make bench installs both)"}
    slug = re.sub(r"[^a-z0-9]+", "-", page.name.lower()).strip("-")
    out = options.workdir / f"lighthouse-{slug}.json"
    out.unlink(missing_ok=True)
    # "localhost": a secure context for the browser, like the HTTPS site (cookies).
    command = [
        str(binary),
        f"http://localhost:{port}{page.path}",
        "--output=json",
        f"--output-path={out}",
        "--form-factor=mobile",
        "--only-categories=performance,accessibility,best-practices,seo",
        "--quiet",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--extra-headers={json.dumps(FORWARDED)}",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    result = run(command, timeout=300, env=env)
    if result.returncode != 0 or not out.exists():
        return {"error": (result.stderr or result.stdout).strip()[-300:]}
    report = json.loads(out.read_text())
    audits = report["audits"]

    def numeric(name: str) -> float | None:
        return audits.get(name, {}).get("numericValue")

    # Audits that cost points (weight > 0) and the performance hints with savings.
    failed = sorted(
        {
            ref["id"]
            for category in report["categories"].values()
            for ref in category["auditRefs"]
            if (audits[ref["id"]].get("score") is not None and audits[ref["id"]]["score"] < 0.9)
            and (ref.get("weight") or audits[ref["id"]].get("scoreDisplayMode") == "metricSavings")
        }
    )
    return {
        "scores": {
            key: round(category["score"] * 100) if category.get("score") is not None else None
            for key, category in report["categories"].items()
        },
        "fcp_ms": numeric("first-contentful-paint"),
        "lcp_ms": numeric("largest-contentful-paint"),
        "cls": numeric("cumulative-layout-shift"),
        "tbt_ms": numeric("total-blocking-time"),
        "bytes": numeric("total-byte-weight"),
        "below_90": failed,
        "runtime_error": (report.get("runtimeError") or {}).get("message"),
    }


def measure_round(
    options: Options,
    server: Server,
    pages: list[Page],
    hello: Page,
    cookie: str,
    rows: dict[str, dict[str, Any]],
) -> None:
    """One wrk run per page, the bare view measured again after every REFERENCE_EVERY
    pages: each page's share is taken against the mean of the bare view's runs just
    before and just after its group, since this machine's speed drifts within a round."""
    reference = run_wrk(options, server.port, hello, cookie, options.duration)
    server.requests += reference["requests"]
    rows[hello.path].setdefault("rounds", []).append(reference | {"bare_rps": reference["rps"]})
    others = [page for page in pages if page is not hello]
    for start in range(0, len(others), REFERENCE_EVERY):
        group = []
        for page in others[start : start + REFERENCE_EVERY]:
            result = run_wrk(options, server.port, page, cookie, options.duration)
            server.requests += result["requests"]
            group.append((page, result))
        after = run_wrk(options, server.port, hello, cookie, options.duration)
        server.requests += after["requests"]
        rows[hello.path].setdefault("references", []).append(after["rps"])
        bare = (reference["rps"] + after["rps"]) / 2
        for page, result in group:
            rows[page.path].setdefault("rounds", []).append(result | {"bare_rps": bare})
        reference = after


def measure_server(
    options: Options,
    database: str,
    dataset: str,
    info: dict[str, Any],
    *,
    cached: bool,
    lighthouse: bool,
) -> dict[str, Any]:
    label = f"[{database}/{dataset}/{'cached' if cached else 'uncached'}]"
    env = django_env(options, database, dataset, cached=cached)
    pages = pages_for(info["pages"])
    cookie = info["cookie"]
    compression = nginx_compression()
    flush_redis(options.redis_url)
    log_path = (
        options.workdir / f"gunicorn-{database}-{dataset}-{'cached' if cached else 'uncached'}.log"
    )
    started = time.monotonic()
    rows: dict[str, dict[str, Any]] = {page.path: {"page": page.name} for page in pages}
    with Server(env, log_path) as server:
        # Once each: status and size (this also fills the page cache in the cached round).
        for page in pages:
            response = fetch(server.port, page.path, {"Cookie": cookie} if page.admin else {})
            server.requests += 1
            rows[page.path].update(
                status=response.status,
                raw_bytes=len(response.body),
                sent_bytes=sent_bytes(response.body, response.content_type, compression),
                content_type=response.content_type.split(";")[0],
            )
        spec = json.dumps(
            {"cookie": cookie, "pages": [{"path": p.path, "admin": p.admin} for p in pages]}
        )
        counts = json.loads(
            run_python([str(BENCH / "run.py"), "_queries", spec], env).strip().splitlines()[-1]
        )
        for path, count in counts.items():
            rows[path]["queries"] = count["queries"]
        print(f"{label} sizes and queries measured; sequential requests")
        for page in pages:
            timings = []
            for _ in range(options.repeat):
                response = fetch(server.port, page.path, {"Cookie": cookie} if page.admin else {})
                timings.append(response.ms)
            server.requests += options.repeat
            timings.sort()
            rows[page.path]["page_cache"] = response.page_cache
            rows[page.path]["seq_median"] = round(statistics.median(timings), 1)
            rows[page.path]["seq_p95"] = round(timings[max(0, int(len(timings) * 0.95) - 1)], 1)
        hello = next(page for page in pages if page.kind == "hello")
        for round_number in range(1, options.rounds + 1):
            print(f"{label} wrk round {round_number} ({len(pages)} pages × {options.duration} s)")
            measure_round(options, server, pages, hello, cookie, rows)
        lighthouse_results = {}
        if lighthouse:
            by_name = {page.name: page for page in pages}
            for name in LIGHTHOUSE_PAGES:
                if name in by_name:
                    print(f"{label} Lighthouse: {name}")
                    lighthouse_results[name] = run_lighthouse(options, server.port, by_name[name])
        # At least 10,000 requests across all pages before reading the workers' memory
        # (QUICK: whatever the rounds made; a server too slow for it gets three minutes).
        top_up_until = time.monotonic() + 180
        while (
            not options.quick
            and server.requests < MIN_REQUESTS_FOR_MEMORY
            and time.monotonic() < top_up_until
        ):
            for page in pages:
                server.requests += run_wrk(options, server.port, page, cookie, 1)["requests"]
        memory = server.memory()
        counted = server.requests
    # wrk counts only the answers it waited for; the app's log line per request (its
    # buffer written when the server stops) has them all.
    served = max(counted, count_requests(log_path))
    errors = scan_log(log_path)
    print(f"{label} done in {time.monotonic() - started:.0f} s, {served} requests")
    return {
        "database": database,
        "dataset": dataset,
        "cached": cached,
        "pages": [rows[page.path] | {"path": page.path, "kind": page.kind} for page in pages],
        "memory": memory,
        "requests": served,
        "lighthouse": lighthouse_results,
        "log_errors": errors,
        "compression": {k: v for k, v in compression.items() if k != "types"}
        | {"types": sorted(compression["types"])},
        "seconds": round(time.monotonic() - started),
    }


def count_requests(path: Path) -> int:
    marker = '"logger": "kkk_portal.requests"'
    with path.open(errors="replace") as log:
        return sum(marker in line for line in log)


def scan_log(path: Path) -> list[str]:
    """Error lines of the server's log (JSON lines from the app and from gunicorn)."""
    found = []
    for line in path.read_text(errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if str(entry.get("level", "")).upper() in ("ERROR", "CRITICAL"):
                found.append(str(entry.get("message", line))[:200])
                continue
        if "Traceback" in line:
            found.append(line[:200])
    return found[:20]


# --- the report ------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError):
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GB RAM"
    load = ", load {:.1f} {:.1f} {:.1f} at the end".format(*os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}{load}"
    )


def versions(options: Options) -> str:
    import django

    parts = [f"Django {django.get_version()}"]
    with contextlib.suppress(Exception):
        import gunicorn

        parts.append(f"gunicorn {gunicorn.__version__}")
    with contextlib.suppress(Exception):
        parts.append(run([WRK, "-v"]).stdout.splitlines()[0].split(" [")[0])
    with contextlib.suppress(Exception):
        parts.append(
            "SQLite "
            + run(
                [sys.executable, "-c", "import sqlite3; print(sqlite3.sqlite_version)"]
            ).stdout.strip()
        )
    if "postgres" in options.databases:
        with contextlib.suppress(Exception):
            import psycopg2

            parts_url = urlsplit(options.postgres_url)
            conn = psycopg2.connect(
                host=parts_url.hostname,
                port=parts_url.port or 5432,
                user=parts_url.username or "postgres",
                dbname="postgres",
            )
            parts.append(f"PostgreSQL {conn.server_version // 10000}.{conn.server_version % 100}")
            conn.close()
    with contextlib.suppress(Exception):
        import redis

        parts.append(f"Redis {redis.Redis.from_url(options.redis_url).info()['redis_version']}")
    binary = lighthouse_binary()
    if binary:
        with contextlib.suppress(Exception):
            parts.append("Lighthouse " + run([str(binary), "--version"]).stdout.strip())
    with contextlib.suppress(Exception):
        parts.append(run([CHROMIUM, "--version"]).stdout.strip())
    return ", ".join(parts)


def span(values: list[float], digits: int = 0) -> str:
    low, high = min(values), max(values)
    fmt = f"{{:,.{digits}f}}"
    if fmt.format(low) == fmt.format(high):
        return fmt.format(low)
    return f"{fmt.format(low)}–{fmt.format(high)}"


def kb(value: int) -> str:
    return f"{value / 1024:.1f}"


def run_table(run: dict[str, Any]) -> list[str]:
    pages = run["pages"]
    lines = [
        "| page | status | requests/s | share of bare view | p50 ms | p95 ms | p99 ms "
        "| queries | KB sent (raw) | sequential median ms (p95) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in pages:
        rounds = page["rounds"]
        rps = [r["rps"] for r in rounds]
        # The bare view's row: every run of it (its first in each round and the
        # references between the groups of pages).
        bare_runs = rps + page.get("references", [])
        shares = [r["rps"] / r["bare_rps"] for r in rounds if r["bare_rps"]]
        errors = sum(r["errors"] for r in rounds)
        status = str(page["status"])
        if run["cached"] and page.get("page_cache"):
            status += f" {page['page_cache']}"
        if errors:
            status += f" ({errors} errors)"
        name = f"{page['page']} `{page['path']}`"
        lines.append(
            f"| {name} | {status} | {span(bare_runs if page['kind'] == 'hello' else rps)} "
            f"| {span(shares, 3)} "
            f"| {span([r['p50'] for r in rounds], 1)} | {span([r['p95'] for r in rounds], 1)} "
            f"| {span([r['p99'] for r in rounds], 1)} | {page.get('queries', '?')} "
            f"| {kb(page['sent_bytes'])} ({kb(page['raw_bytes'])}) "
            f"| {page['seq_median']} ({page['seq_p95']}) |"
        )
    return lines


def target_for(page: dict[str, Any], database: str) -> float:
    if page["kind"] == "admin":
        return TARGET_ADMIN_MS
    if database == "postgres" and page["path"].startswith("/suche/"):
        return TARGET_PG_SEARCH_MS
    return TARGET_PUBLIC_MS


def render(options: Options, results: dict[str, Any]) -> str:
    runs = results["runs"]
    out = [
        "# Benchmark results",
        "",
        f"Written by `{options.command}` (`bench/run.py`) on {results['date']}, in "
        f"{results['minutes']:.0f} minutes.",
        "",
        f"Machine: {results['machine']}.  ",
        f"Software: {results['versions']}.",
        "",
        "The production settings (`bench/settings.py` = `kkk_portal.settings.prod` plus "
        "`bench/urls.py`, which adds the bare view `/bench-hello/` answering “hello” through "
        "the same middleware) run under gunicorn with `deploy/gunicorn.conf.py`, 2 sync "
        "workers, on a loopback port; requests carry `X-Forwarded-Proto: https` as nginx "
        "sends it (the app's own HTTPS redirect is off, `SECURE_SSL_REDIRECT=false`: nginx "
        "redirects), and wrk's also a browser's `Accept-Encoding: gzip, deflate, br`, which "
        "nginx passes on. Redis is the cache. SQLite runs use prod's opt-out "
        "`ALLOW_SQLITE_IN_PRODUCTION=true`. No nginx in front: rendered HTML is not "
        "compressed on the wire here (KB sent below computes what nginx would send); a page "
        "cache hit goes out as the app compressed it once when it stored the page.",
        "",
        f"- **requests/s, p50/p95/p99**: `wrk -t{options.threads} -c{options.connections} "
        f"-d{options.duration}s` per page, {options.rounds} rounds (a range is the two "
        "rounds); **share of bare view** = the page's requests/s ÷ the bare view's in the "
        f"same round, measured just before and just after the page's group of {REFERENCE_EVERY} "
        "pages (their mean): this machine's speed drifts during a run, so the bare view runs "
        "again after every group (its row shows all its runs).",
        "- **queries**: SQL queries of the second of two requests (Django's test client in a "
        "side process, `CaptureQueriesContext`); in the cached tables the cache is warm.",
        f"- **KB sent**: the body as nginx sends it ({results['compression_note']}); raw "
        "size in brackets. Static files are not included (see Lighthouse's page weight).",
        f"- **sequential**: median (and 95th percentile) of {options.repeat} requests one "
        "after another, no concurrency, measured by the client on loopback.",
        "- **cached** = the anonymous page cache on (`PAGE_CACHE_ENABLED=1`, the production "
        "default; `kkk_portal/page_cache.py`), the cache flushed before the server starts, "
        "the status column shows its `X-Page-Cache` answer; **uncached** = "
        "`PAGE_CACHE_ENABLED=0`: every request runs the view and renders the page, with "
        "what a rendering keeps per content version (header, footer, filter choices and "
        "page bodies without a query string, `{% per_content_version %}`; the same cache, "
        "flushed before the server starts, warm after the first request of a page). Admin "
        "pages are requested as Leitung (session cookie after the second factor) and are "
        "never cached; nor are the request and contact forms (no page with a form that "
        "posts is stored: its CSRF token comes with a cookie), so their cached rows are "
        "rendered pages.",
        "",
    ]
    if not results["page_cache_available"]:
        out += [
            "> The anonymous page cache (`kkk_portal/page_cache.py`, issue 11 point 2) is not "
            "in this tree yet: only uncached rounds were run.",
            "",
        ]
    for run in runs:
        mode = "cached" if run["cached"] else "uncached"
        data = "real content" if run["dataset"] == "real" else "large synthetic data"
        database = "SQLite" if run["database"] == "sqlite" else "PostgreSQL"
        out += [
            f"## {database}, {data}, {mode}",
            "",
            f"{run['requests']:,} requests in {run['seconds']} s.",
            "",
            *run_table(run),
            "",
        ]
        if run["log_errors"]:
            out += ["Errors in the server's log:", ""]
            out += [f"- `{line}`" for line in run["log_errors"]]
            out += [""]
    scale_runs = [run for run in runs if run["dataset"] == "synthetic" and not run["cached"]]
    if scale_runs:
        out += [
            "## Scale targets (large synthetic data, uncached, sequential median)",
            "",
            f"Issue 11, point 4: public pages, sitemap files and iCal under {TARGET_PUBLIC_MS} "
            f"ms, admin case and request lists under {TARGET_ADMIN_MS} ms, PostgreSQL search "
            f"under {TARGET_PG_SEARCH_MS} ms.",
            "",
        ]
        header = "| page | " + " | ".join(
            "SQLite ms" if r["database"] == "sqlite" else "PostgreSQL ms" for r in scale_runs
        )
        out += [header + " | target ms |", "| --- |" + " ---: |" * (len(scale_runs) + 1)]
        for page in scale_runs[0]["pages"]:
            if page["kind"] == "hello":
                continue
            cells = []
            for run in scale_runs:
                other = next((p for p in run["pages"] if p["page"] == page["page"]), None)
                if other is None:
                    cells.append("–")
                    continue
                limit = target_for(other, run["database"])
                mark = "" if other["seq_median"] < limit else " ✗"
                cells.append(f"{other['seq_median']}{mark}")
            limits = {target_for(page, r["database"]) for r in scale_runs}
            out.append(
                f"| {page['page']} | "
                + " | ".join(cells)
                + f" | {'/'.join(map(str, sorted(limits)))} |"
            )
        out += ["", "✗ = target missed.", ""]
    out += [
        "## Worker memory (point 6)",
        "",
        "Resident memory (`VmRSS` in `/proc/<pid>/status`) of each gunicorn worker after "
        "the server's last request; workers are not recycled in the benchmark "
        "(`GUNICORN_MAX_REQUESTS=0`; production replaces them after about 1,000 requests), "
        "so the figure is after every request the server answered. The full run tops each "
        f"server up to at least {MIN_REQUESTS_FOR_MEMORY:,} requests across all pages (for "
        "three minutes at most); QUICK reads it after its rounds, whatever their count.",
        "",
        "| database | data | mode | requests served | worker RSS MB | peak RSS MB |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for run in runs:
        rss = " / ".join(f"{m['rss_mb']:.0f}" for m in run["memory"])
        peak = " / ".join(f"{m['peak_rss_mb']:.0f}" for m in run["memory"])
        recycled = "" if all(m["since_start"] for m in run["memory"]) else " (a worker restarted)"
        out.append(
            f"| {run['database']} | {run['dataset']} | {'cached' if run['cached'] else 'uncached'} "
            f"| {run['requests']:,}{recycled} | {rss} | {peak} |"
        )
    out += [""]
    lighthouse = next(((run, run["lighthouse"]) for run in runs if run["lighthouse"]), None)
    out += ["## Lighthouse", ""]
    if lighthouse is None:
        out += ["Not run.", ""]
    else:
        run, scores = lighthouse
        out += [
            f"Lighthouse 12, mobile (default simulated throttling), Debian's chromium, against "
            f"the gunicorn server above ({run['database']}, {run['dataset']} content, "
            f"{'cached' if run['cached'] else 'uncached'}), static files from WhiteNoise. "
            "Without nginx the HTML comes uncompressed: `uses-text-compression` and part of "
            "the page weight (the HTML's raw size instead of the KB sent above) are "
            "artefacts of the benchmark, not of the site.",
            "",
            "| page | performance | accessibility | best practices | SEO | FCP ms | LCP ms "
            "| CLS | TBT ms | page weight KB | audits below 0.9 |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for name, result in scores.items():
            if "error" in result:
                out.append(f"| {name} | {result['error']} |" + " |" * 9)
                continue
            s = result["scores"]

            def num(value: float | None, digits: int = 0) -> str:
                return "–" if value is None else f"{value:,.{digits}f}"

            out.append(
                f"| {name} | {s.get('performance')} | {s.get('accessibility')} "
                f"| {s.get('best-practices')} | {s.get('seo')} | {num(result['fcp_ms'])} "
                f"| {num(result['lcp_ms'])} | {num(result['cls'], 3)} | {num(result['tbt_ms'])} "
                f"| {num((result['bytes'] or 0) / 1024, 1)} "
                f"| {', '.join(result['below_90']) or '–'} |"
            )
        out += [""]
    prepared = results["prepared"]
    workspace = next((p["workspace"] for p in prepared if p.get("workspace")), None)
    out += ["## Data", ""]
    for item in prepared:
        line = f"- {item['database']}, {item['dataset']}: built in {item['prepare_seconds']} s"
        if item.get("synthetic_seconds"):
            line += f" (`generate_synthetic` {item['synthetic_seconds']} s)"
        if item.get("csv_export"):
            csv = item["csv_export"]
            line += (
                f"; CSV export of all cases: {csv['megabytes']} MB in {csv['seconds']} s, "
                f"memory grew by {csv['rss_growth_mb']} MB"
            )
        out.append(line + ".")
    out += [
        "",
        "The large synthetic data: `generate_synthetic` with "
        + ", ".join(f"{key.replace('_', ' ')} {value:,}" for key, value in SYNTHETIC.items())
        + ", beside the real content.",
        "",
    ]
    out += ["## Workspace queries (large synthetic data)", ""]
    if workspace is None:
        out += ["Measured on the large data only (not part of this run).", ""]
    else:
        out += [
            "SQL queries of the counsellors' workspace, as Beratung (assigned to one case "
            "with 20 activities and 5 documents) and as Leitung; constant whatever the data "
            "size (tests: `tests/counselling/test_workspace_*.py`).",
            "",
            "| page | Beratung | Leitung |",
            "| --- | ---: | ---: |",
        ]
        for row in workspace:
            out.append(f"| {row['page']} | {row['Beratung']} | {row['Leitung']} |")
        out += [""]
    return "\n".join(out)


# --- main ------------------------------------------------------------------------------


def page_cache_available() -> bool:
    return (ROOT / "kkk_portal" / "page_cache.py").exists()


def main(argv: list[str]) -> None:
    options = parse_options(argv)
    # A SIGTERM (e.g. from make) stops gunicorn too: context managers run on SystemExit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    options.workdir.mkdir(parents=True, exist_ok=True)
    if not Path(WRK).exists():
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it)")
    started = time.monotonic()
    first = django_env(options, options.databases[0], options.datasets[0], cached=False)
    print("collecting static files")
    run_python(["manage.py", "collectstatic", "--no-input", "-v", "0"], first)
    results: dict[str, Any] = {"runs": [], "prepared": []}
    modes = [False, True] if page_cache_available() else [False]
    lighthouse_done = not options.lighthouse
    for database in options.databases:
        for dataset in options.datasets:
            info = prepare(options, database, dataset)
            results["prepared"].append(
                {"database": database, **{k: v for k, v in info.items() if k != "cookie"}}
            )
            for cached in modes:
                lighthouse = not lighthouse_done and dataset == "real" and cached == modes[-1]
                run = measure_server(
                    options, database, dataset, info, cached=cached, lighthouse=lighthouse
                )
                lighthouse_done = lighthouse_done or lighthouse
                results["runs"].append(run)
                # After every server: what is measured so far survives an interrupted run.
                write_results(options, results, started)
    write_results(options, results, started)
    print(f"wrote {options.output} in {results['minutes']:.1f} minutes")


def write_results(options: Options, results: dict[str, Any], started: float) -> None:
    compression = nginx_compression()
    results.update(
        date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        minutes=(time.monotonic() - started) / 60,
        machine=machine(),
        versions=versions(options),
        page_cache_available=page_cache_available(),
        compression_note=(
            f"gzip level {compression['level']} for {', '.join(sorted(compression['types']))}, "
            f"per {compression['source']}; other types uncompressed"
            if compression["on"]
            else "uncompressed: the nginx site turns gzip off"
        ),
    )
    (options.workdir / "results.json").write_text(json.dumps(results, indent=1))
    options.output.write_text(render(options, results) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_prepare":
        side_prepare(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "_queries":
        side_queries(sys.argv[2])
    else:
        main(sys.argv[1:])
