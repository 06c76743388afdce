"""The MDN HTTP Observatory grades the portal A+ behind deploy/nginx/kkk-portal.conf.

The production stack (tests/deploy/conftest.py: gunicorn with the production
settings behind Debian's nginx with a certificate from a throwaway CA) is scanned
by the Observatory's own code (npm package @mdn/mdn-http-observatory, installed
with --ignore-scripts into .cache/observatory, with an empty HSTS preload list).
Its CLI only scans "/", so tests/deploy/observatory_scan.mjs runs the same scan
with the path and ports passed to its retriever: the home page, the request form
and the admin login are graded, each over http:// (redirect) and https://.
"""

import json
import os
import shutil
import subprocess

import pytest

from tests.deploy.conftest import ROOT

pytestmark = pytest.mark.postgres

OBSERVATORY = "@mdn/mdn-http-observatory@1.4.8"
CACHE = ROOT / ".cache" / "observatory"
PACKAGE = CACHE / "node_modules" / "@mdn" / "mdn-http-observatory"
SCAN = ROOT / "tests" / "deploy" / "observatory_scan.mjs"


@pytest.fixture(scope="session")
def observatory():
    if not (shutil.which("npm") and shutil.which("node")):
        pytest.skip("npm/node not available: the Observatory scanner is a Node.js package")
    if not (PACKAGE / "src" / "scanner" / "index.js").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        # Its own package.json: without one npm walks up to the project's and installs
        # there (and adds the scanner to the project's dependencies).
        manifest = CACHE / "package.json"
        if not manifest.exists():
            manifest.write_text('{"private": true}\n')
        # --ignore-scripts: its install step downloads the HSTS preload and TLD lists.
        subprocess.run(  # noqa: S603 - fixed program and package
            [  # noqa: S607
                "npm",
                "install",
                "--prefix",
                str(CACHE),
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                OBSERVATORY,
            ],
            cwd=CACHE,
            check=True,
            capture_output=True,
            timeout=300,
        )
    preload = PACKAGE / "conf" / "hsts-preload.json"
    if not preload.exists():
        preload.write_text("{}")
    return PACKAGE


@pytest.mark.parametrize(
    "path", ["/", "/beratung-anfragen/", "/admin/login/"], ids=["home", "request-form", "admin"]
)
def test_observatory_grades_page_a_plus_with_no_failed_test(
    prod_stack, observatory, tls_files, path
):
    result = subprocess.run(  # noqa: S603 - node with our script
        [  # noqa: S607 - node on PATH
            "node",
            str(SCAN),
            str(observatory),
            "localhost",
            str(prod_stack.http_port),
            str(prod_stack.nginx.port),
            path,
        ],
        env={**os.environ, "NODE_EXTRA_CA_CERTS": str(tls_files.ca)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    failed = {name: test["result"] for name, test in report["tests"].items() if not test["pass"]}

    assert report["scan"]["statusCode"] == 200
    assert (report["scan"]["grade"], failed) == ("A+", {})
    assert report["tests"]["redirection"]["result"] == "redirection-to-https"
    assert report["tests"]["redirection"]["route"] == [
        f"http://localhost:{prod_stack.http_port}{path}",
        f"https://localhost:{prod_stack.nginx.port}{path}",
    ]
