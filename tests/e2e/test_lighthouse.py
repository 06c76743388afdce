"""Lighthouse 12 (mobile) on six public pages: accessibility, best practices and SEO 100.

Runs the npm package `lighthouse` (installed by `make node-tools`, which `make test`
runs) through tools/lighthouse.mjs with Debian's Chromium, all six pages in one
browser, against the live test server with the real content. Performance is
printed for the record but never asserted (timings depend on the machine);
`make bench` measures it under the production settings.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from projects.models import Project
from publications.models import Event
from tests.conftest import CHROMIUM

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CATEGORIES = ("accessibility", "best-practices", "seo")


@pytest.fixture
def content(transactional_db):
    call_command("load_content", verbosity=0)


def run_lighthouse(urls: list[str]) -> dict:
    node = shutil.which("node")
    if not node or not (ROOT / "node_modules" / "lighthouse").is_dir():
        pytest.fail("Lighthouse missing: run `make node-tools` (`make test` does)")
    result = subprocess.run(  # noqa: S603 - our own script, URLs of the test server
        [node, str(ROOT / "tools" / "lighthouse.mjs"), *urls],
        cwd=ROOT,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_six_pages_score_100_for_accessibility_best_practices_and_seo(live_server, content):
    pages = {
        "home": "/",
        "project list": "/projekte/",
        "project": Project.objects.get(slug="demokratiefoerderung-altmark").get_absolute_url(),
        "request form": "/beratung-anfragen/",
        "publications": "/publikationen/",
        "event": Event.objects.order_by("pk").first().get_absolute_url(),
    }
    # "localhost": a secure context, as the HTTPS site is.
    base = live_server.url.replace("127.0.0.1", "localhost")

    report = run_lighthouse([base + path for path in pages.values()])
    # A trace Chromium failed to record (e.g. NO_NAVSTART on a busy machine) is
    # Lighthouse's own error, and it asks to run again: those pages get two more runs.
    for _attempt in range(2):
        again = [url for url, result in report.items() if result["runtimeError"] is not None]
        if not again:
            break
        report.update(run_lighthouse(again))

    failures = {}
    for name, path in pages.items():
        result = report[base + path]
        assert result["runtimeError"] is None, (name, result["runtimeError"])
        print(
            f"{name}: performance {round(result['scores']['performance'] * 100)} "
            f"(not asserted), CLS {result['metrics']['cumulative-layout-shift']:.3f}"
        )
        scores = {category: result["scores"][category] for category in CATEGORIES}
        if scores != dict.fromkeys(CATEGORIES, 1):
            failures[name] = (scores, result["failed"])
    assert failures == {}
