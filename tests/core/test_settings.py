"""Settings come from the environment; production refuses to start without a secret."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _run_manage(command, **env):
    """Run a management command in a fresh process with a clean environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean.update(env)
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "manage.py", command],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_refuse_to_start_without_secret_key():
    result = _run_manage(
        "check", DJANGO_SETTINGS_MODULE="kkk_portal.settings.prod", ALLOWED_HOSTS="x"
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_start_with_secret_key():
    result = _run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="kkk_portal.settings.prod",
        SECRET_KEY="a-long-production-secret-for-this-test-only-1234567890",
        ALLOWED_HOSTS="portal.example.org",
        # Production also needs a database, a shared cache and a mail server (see
        # test_prod_settings.py); here: the test run's database, loopback relays.
        ALLOW_SQLITE_IN_PRODUCTION="true",
        REDIS_URL="redis://127.0.0.1:6379/7",
        EMAIL_URL="smtp://127.0.0.1:25",
    )
    assert result.returncode == 0, result.stderr


def test_demo_users_refuse_to_be_created_when_debug_is_off():
    result = _run_manage("create_demo_users", DJANGO_SETTINGS_MODULE="kkk_portal.settings.test")
    assert result.returncode != 0
    assert "DEBUG is off" in result.stderr
