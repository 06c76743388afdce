"""Production settings fail closed; deploy checks never block `migrate`.

Every test starts `manage.py` in a fresh process with the production settings and
an environment built from scratch, the way an operator's shell or systemd would.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
PROD = "kkk_portal.settings.prod"

# Everything the settings read that could leak in from the shell running the tests.
_SETTINGS_ENV = re.compile(
    r"^(DJANGO_SETTINGS_MODULE|SECRET_KEY.*|DEBUG|ALLOWED_HOSTS|CSRF_TRUSTED_ORIGINS|SITE_URL|"
    r"DATABASE_URL|CONN_.*|EMAIL_.*|DEFAULT_FROM_EMAIL|CENTRE_NOTIFICATION_EMAIL|REDIS_URL|"
    r"CACHE_URL|SECURE_.*|ALLOW_.*|MEDIA_ROOT|PRIVATE_MEDIA_ROOT|STATIC_ROOT|S3_.*|"
    r"STAFF_2FA|FILE_UPLOAD_MAX_SIZE|IMAGE_MAX_PIXELS|SENTRY_.*|LOG_.*|"
    r"DJANGO_ALLOW_ASYNC_UNSAFE)$"
)

# A complete production environment except for the database.
COMPLETE = {
    "SECRET_KEY": "prod-test-" + "k3y-Vq8xZr2Lm9Np4Tb7Wc1Yd6Hs5Jf0" * 2,
    "ALLOWED_HOSTS": "portal.konfliktberatung-test.de",
    "SITE_URL": "https://portal.konfliktberatung-test.de",
    "REDIS_URL": "redis://127.0.0.1:6379/7",
    "EMAIL_URL": "smtp+tls://portal:secret@mail.konfliktberatung-test.de:587",
    "DEFAULT_FROM_EMAIL": "portal@konfliktberatung-test.de",
    "CENTRE_NOTIFICATION_EMAIL": "beratung@konfliktberatung-test.de",
}


def run_manage(*args: str, timeout: int = 180, **env: str) -> subprocess.CompletedProcess:
    """`manage.py <args>` under the production settings with exactly `env` configured."""
    clean = {k: v for k, v in os.environ.items() if not _SETTINGS_ENV.match(k)}
    clean.update({"DJANGO_SETTINGS_MODULE": PROD, **env})
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def prod_settings(**env: str) -> dict:
    """Selected production settings as the started process sees them."""
    code = (
        "import json; from django.conf import settings as s; from PIL import Image; "
        "print(json.dumps({"
        "'hsts': s.SECURE_HSTS_SECONDS, 'subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "'preload': s.SECURE_HSTS_PRELOAD, 'redirect': s.SECURE_SSL_REDIRECT, "
        "'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE, "
        "'conn_max_age': s.DATABASES['default']['CONN_MAX_AGE'], "
        "'health_checks': s.DATABASES['default']['CONN_HEALTH_CHECKS'], "
        "'silenced': s.SILENCED_SYSTEM_CHECKS, 'use_ssl': s.EMAIL_USE_SSL, "
        "'use_tls': s.EMAIL_USE_TLS, 'pil_max': Image.MAX_IMAGE_PIXELS, "
        "'caches': {alias: c['BACKEND'] for alias, c in s.CACHES.items()}}))"
    )
    result = run_manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def sqlite_env(tmp_path: Path) -> dict:
    return {
        **COMPLETE,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "ALLOW_SQLITE_IN_PRODUCTION": "true",
    }


@pytest.mark.parametrize(
    "env",
    [{}, {"REDIS_URL": "", "CACHE_URL": "redis://127.0.0.1:6379/7"}],
    ids=["REDIS_URL", "CACHE_URL"],
)
def test_redis_is_used_through_one_client_per_pool(tmp_path, env):
    """kkk_portal.redis_cache, not Django's backend that builds a client per call."""
    caches = prod_settings(**{**sqlite_env(tmp_path), **env})["caches"]
    assert caches == {
        "default": "kkk_portal.redis_cache.RedisCache",
        "pages": "kkk_portal.redis_cache.RedisCache",
    }


def test_start_without_configuration_names_every_missing_piece_in_one_message():
    result = run_manage("check")

    assert result.returncode != 0
    assert result.stderr.count("ImproperlyConfigured:") == 1
    message = result.stderr[result.stderr.index("ImproperlyConfigured:") :]
    for piece in [
        "SECRET_KEY is not set",
        "ALLOWED_HOSTS is not set",
        "DATABASE_URL is not set or points to SQLite",
        "No shared cache: set REDIS_URL",
        "EMAIL_URL is not set or names a backend that delivers nothing",
    ]:
        assert piece in message, piece


def test_wsgi_application_refuses_to_start_with_sqlite_and_no_cache():
    """What gunicorn loads: kkk_portal.wsgi defaults to the production settings."""
    env = {k: v for k, v in os.environ.items() if not _SETTINGS_ENV.match(k)}
    env.update(COMPLETE, REDIS_URL="", DATABASE_URL="sqlite:////tmp/kkk-never-used.sqlite3")

    result = subprocess.run(
        [sys.executable, "-c", "import kkk_portal.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    message = result.stderr[result.stderr.index("ImproperlyConfigured:") :]
    assert "points to SQLite" in message
    assert "No shared cache" in message


@pytest.mark.parametrize(
    ("env", "piece"),
    [
        ({"DATABASE_URL": "sqlite:////srv/kkk/db.sqlite3"}, "points to SQLite"),
        ({"CACHE_URL": "locmemcache://"}, "No shared cache"),
        ({"REDIS_URL": "", "CACHE_URL": "filecache:///tmp/kkk-cache"}, "No shared cache"),
        ({"CACHE_URL": "dummycache://"}, "No shared cache"),
        ({"EMAIL_URL": "consolemail://"}, "delivers nothing"),
        ({"EMAIL_URL": "memorymail://"}, "delivers nothing"),
        ({"EMAIL_URL": "dummymail://"}, "delivers nothing"),
        ({"EMAIL_URL": "filemail:///tmp/mails"}, "delivers nothing"),
        ({"EMAIL_URL": "smtp://portal:pw@mail.konfliktberatung-test.de:25"}, "without TLS"),
        ({"DEBUG": "true"}, "DEBUG is on"),
    ],
)
def test_each_unsafe_piece_alone_stops_the_start(env, piece):
    result = run_manage(
        "check", **{**COMPLETE, "DATABASE_URL": "postgres://kkk@127.0.0.1:5432/kkk", **env}
    )

    assert result.returncode != 0
    message = result.stderr[result.stderr.index("ImproperlyConfigured:") :]
    assert piece in message
    assert message.count("\n- ") == 1  # only this piece is named


def test_sqlite_is_accepted_when_allowed_on_purpose(tmp_path):
    result = run_manage("check", **sqlite_env(tmp_path))

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "email_url",
    [
        "smtp://127.0.0.1:25",
        "smtp://localhost:25",
        "smtp://[::1]:25",
        "smtp+tls://portal:pw@mail.konfliktberatung-test.de:587",
        "smtps://portal:pw@mail.konfliktberatung-test.de:465",
    ],
)
def test_mail_over_tls_or_to_a_loopback_relay_is_accepted(tmp_path, email_url):
    result = run_manage("check", **{**sqlite_env(tmp_path), "EMAIL_URL": email_url})

    assert result.returncode == 0, result.stderr


def test_plain_smtp_to_another_machine_is_accepted_only_when_allowed(tmp_path):
    env = {**sqlite_env(tmp_path), "EMAIL_URL": "smtp://relay.konfliktberatung-test.de:25"}

    refused = run_manage("check", **env)
    allowed = run_manage("check", ALLOW_PLAIN_SMTP="true", **env)

    assert refused.returncode != 0
    assert "relay.konfliktberatung-test.de without TLS" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr


def test_smtps_means_implicit_tls():
    settings = prod_settings(
        **{
            **COMPLETE,
            "DATABASE_URL": "postgres://kkk@127.0.0.1:5432/kkk",
            "EMAIL_URL": "smtps://portal:pw@mail.konfliktberatung-test.de:465",
        }
    )

    assert (settings["use_ssl"], settings["use_tls"]) == (True, False)


def test_transport_security_and_connections_default_to_production_values():
    settings = prod_settings(**COMPLETE, DATABASE_URL="postgres://kkk@127.0.0.1:5432/kkk")
    settings.pop("caches")  # test_redis_is_used_through_one_client_per_pool

    assert settings == {
        "hsts": 31_536_000,
        "subdomains": True,
        "preload": True,
        "redirect": True,
        "session_secure": True,
        "csrf_secure": True,
        "conn_max_age": 60,
        "health_checks": True,
        "silenced": [],
        "use_ssl": False,
        "use_tls": True,
        "pil_max": 40_000_000,
    }


def test_turning_off_hsts_subdomains_and_preload_silences_exactly_their_warnings():
    settings = prod_settings(
        **COMPLETE,
        DATABASE_URL="postgres://kkk@127.0.0.1:5432/kkk",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="false",
    )

    assert (settings["subdomains"], settings["preload"]) == (False, False)
    assert settings["silenced"] == ["security.W005", "security.W021"]


def test_migrate_runs_although_deploy_checks_fail(tmp_path):
    env = {
        **sqlite_env(tmp_path),
        # Content that is wrong for the public site, not for running commands.
        "CENTRE_NOTIFICATION_EMAIL": "beratung@kkk.example.org",
        "SITE_URL": "http://127.0.0.1:8000",
    }

    migrated = run_manage("migrate", "--no-input", **env)
    deploy = run_manage("check", "--deploy", **env)

    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "prod.sqlite3").exists()
    assert deploy.returncode != 0
    assert "(kkk_portal.E001) CENTRE_NOTIFICATION_EMAIL is 'beratung@kkk.example.org'" in (
        deploy.stderr
    )
    assert "(kkk_portal.E002) SITE_URL is 'http://127.0.0.1:8000'" in deploy.stderr


# --- The README's production example passes `check --deploy --fail-level WARNING` ---

README_EXAMPLE = re.compile(
    r"<!-- production-env -->\s*```sh\n(?P<body>.*?)```", re.DOTALL | re.MULTILINE
)
# What an operator fills in for each placeholder of the README example.
FILLED_IN = {
    "<random 50+ characters>": COMPLETE["SECRET_KEY"],
    "<portal.your-domain.de>": "portal.konfliktberatung-test.de",
    "<your-domain.de>": "konfliktberatung-test.de",
    "<mail.your-domain.de>": "mail.konfliktberatung-test.de",
    "<db-password>": "db-secret",
    "<mail-user>": "portal",
    "<mail-password>": "mail-secret",
}


def readme_production_env() -> dict:
    """The env block of README.md's production section, placeholders filled in."""
    match = README_EXAMPLE.search((ROOT / "README.md").read_text())
    assert match, "README.md lost its production env example (<!-- production-env -->)"
    env = {}
    for line in match.group("body").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        for placeholder, filled in FILLED_IN.items():
            value = value.replace(placeholder, filled)
        assert "<" not in value, f"unknown placeholder in README example: {line}"
        env[name] = value
    return env


@pytest.fixture
def scratch_database_url():
    """The test server's PostgreSQL, with a database of our own (dropped afterwards)."""
    if connection.vendor != "postgresql":
        pytest.skip("the production example uses PostgreSQL; runs in the PostgreSQL pass")
    import psycopg2

    name = "kkk_a_deploy"
    settings = connection.settings_dict
    server = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"] or "postgres",
        "password": settings["PASSWORD"] or None,
        "dbname": "postgres",
    }

    def execute(*statements: str) -> None:
        admin = psycopg2.connect(**server)
        admin.autocommit = True  # CREATE/DROP DATABASE refuse to run in a transaction
        try:
            with admin.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        finally:
            admin.close()

    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    execute(drop, f'CREATE DATABASE "{name}"')
    password = f":{server['password']}" if server["password"] else ""
    netloc = f"{server['user']}{password}@{server['host']}:{server['port']}"
    yield urlunsplit(("postgres", netloc, f"/{name}", "", ""))
    execute(drop)


LEGAL_DETAILS = """
from team.models import ContactDetails
details = ContactDetails.objects.first() or ContactDetails()
values = {
    "carrier": "Trägerverein Konfliktberatung e. V.", "street": "Musterstraße 1",
    "postcode": "10115", "city": "Berlin", "phone": "+49 30 1234567",
    "email": "kontakt@konfliktberatung-test.de", "represented_by": "Der Vorstand",
    "register_court": "Amtsgericht Charlottenburg", "register_number": "VR 12345 B",
    "responsible_person": "Erika Beispiel", "vat_id": "DE123456789",
}
names = {field.name for field in ContactDetails._meta.get_fields()}
for name, value in values.items():
    if name in names:
        setattr(details, name, value)
details.save()
"""


@pytest.mark.postgres
def test_readme_production_example_passes_the_deploy_check(tmp_path, scratch_database_url):
    env = readme_production_env()
    assert env["DJANGO_SETTINGS_MODULE"] == PROD
    assert urlsplit(env["DATABASE_URL"]).hostname == "127.0.0.1"
    assert env["EMAIL_URL"].startswith("smtp+tls://")
    env.update(
        DATABASE_URL=scratch_database_url,
        REDIS_URL="redis://127.0.0.1:6379/7",
        MEDIA_ROOT=str(tmp_path / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
        STATIC_ROOT=str(tmp_path / "static"),
    )

    migrated = run_manage("migrate", "--no-input", **env)
    assert migrated.returncode == 0, migrated.stderr
    loaded = run_manage("load_content", **env)
    assert loaded.returncode == 0, loaded.stderr
    entered = run_manage("shell", "-c", LEGAL_DETAILS, **env)
    assert entered.returncode == 0, entered.stderr
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


# --- Cross-Origin-Resource-Policy on every response ---


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/beratung-anfragen/", "/admin/login/", "/static/css/site.css", "/gibt-es-nicht/"]
)
def test_every_response_carries_cross_origin_resource_policy(client, url):
    response = client.get(url)

    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_https_redirect_carries_cross_origin_resource_policy_too(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/beratung-anfragen/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/beratung-anfragen/"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
