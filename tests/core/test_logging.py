"""Log lines: JSON with a request id, never a form body, query string or cookie."""

import io
import json
import logging
import logging.config
import re

import pytest

from kkk_portal.logging import (
    RequestContextFilter,
    logging_config,
    request_id_from_header,
    sentry_before_send,
)
from tests.counselling.conftest import VALID_REQUEST
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    """The handler the settings configured, writing JSON into a buffer for one test."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestContextFilter) for f in h.filters)
    )
    config = logging_config(fmt="json")
    formatter = logging.config.DictConfigurator(config).configure_formatter(
        config["formatters"]["json"]
    )
    buffer = io.StringIO()
    old_stream, old_formatter = handler.setStream(buffer), handler.formatter
    handler.setFormatter(formatter)
    yield buffer
    handler.setStream(old_stream)
    handler.setFormatter(old_formatter)


def _lines(buffer):
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_a_request_logs_one_json_line_with_its_id(client, json_log):
    response = client.get("/suche/?q=Geheimwort", HTTP_X_REQUEST_ID="proxy-id-12345678")

    assert response["X-Request-ID"] == "proxy-id-12345678"
    request_lines = [line for line in _lines(json_log) if line["logger"] == "kkk_portal.requests"]
    assert len(request_lines) == 1
    line = request_lines[0]
    assert {k: line[k] for k in ("level", "method", "path", "status", "request_id")} == {
        "level": "INFO",
        "method": "GET",
        "path": "/suche/",
        "status": 200,
        "request_id": "proxy-id-12345678",
    }
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00")  # ISO 8601, UTC
    # The query string (what a visitor searched for) is never logged.
    assert "Geheimwort" not in json_log.getvalue()


def test_a_made_up_request_id_is_replaced(client, json_log):
    response = client.get("/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert "<script>" not in json_log.getvalue()


def test_request_ids_from_the_header():
    assert request_id_from_header("0123456789abcdef0123456789abcdef") == (
        "0123456789abcdef0123456789abcdef"
    )
    assert request_id_from_header("short") != "short"
    assert request_id_from_header("x" * 200) != "x" * 200
    assert request_id_from_header("a b c d e f g h") != "a b c d e f g h"
    assert request_id_from_header(None)


def test_a_submitted_request_leaves_no_personal_data_in_the_log(client, json_log):
    topic = TopicFactory()
    data = {
        **VALID_REQUEST,
        "topics": [str(topic.pk)],
        "contact_name": "Hildegard Unverwechselbar",
        "email": "hildegard.unverwechselbar@example.org",
        "situation": "Streit um das Dorfgemeinschaftshaus Quirlingen seit dem Frühjahr.",
        "phone": "0391 5550123",
    }

    response = client.post("/beratung-anfragen/", data, HTTP_X_REQUEST_ID="form-post-0001")

    assert response.status_code == 302
    output = json_log.getvalue()
    for value in ("Unverwechselbar", "hildegard", "Quirlingen", "5550123", "Musterdorf"):
        assert value not in output
    lines = [line for line in _lines(json_log) if line["logger"] == "kkk_portal.requests"]
    assert [
        (line["method"], line["path"], line["status"], line["request_id"]) for line in lines
    ] == [("POST", "/beratung-anfragen/", 302, "form-post-0001")]
    # Every line written during the request carries its id.
    assert {line["request_id"] for line in _lines(json_log)} == {"form-post-0001"}


def test_a_server_error_is_logged_with_the_request_id_but_without_the_query(json_log):
    # django.request logs 5xx after the middleware has finished; the id still comes along.
    logger = logging.getLogger("django.request")

    class FakeRequest:
        request_id = "error-request-0001"

        def __repr__(self):
            return "<WSGIRequest: GET '/x/?email=someone@example.org'>"

    logger.error("Internal Server Error: %s", "/x/", extra={"request": FakeRequest()})

    (line,) = _lines(json_log)
    assert line["request_id"] == "error-request-0001"
    assert "someone@example.org" not in json_log.getvalue()


def test_logging_config_refuses_unknown_formats():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logging_config(fmt="xml")


def test_sentry_events_lose_bodies_cookies_headers_and_query_strings():
    event = {
        "request": {
            "url": "https://portal.example.org/beratung-anfragen/?email=a@example.org",
            "method": "POST",
            "data": {"contact_name": "Erika"},
            "cookies": {"sessionid": "abc"},
            "headers": {"Cookie": "sessionid=abc", "X-Forwarded-For": "203.0.113.9"},
            "query_string": "email=a@example.org",
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        },
        "user": {"ip_address": "203.0.113.9"},
        "exception": {"values": []},
    }

    assert sentry_before_send(event, {}) == {
        "request": {"url": "https://portal.example.org/beratung-anfragen/", "method": "POST"},
        "exception": {"values": []},
    }


SENTRY_SCRIPT = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "kkk_portal.settings.test"
import django
from django.conf import settings
from django.urls import path

def boom(request):
    name = request.POST.get("contact_name")
    raise RuntimeError("boom in the request form")

urlpatterns = [path("boom/", boom)]
django.setup()
settings.ROOT_URLCONF = "__main__"

import sentry_sdk
from django.test import Client
from kkk_portal.logging import sentry_init

assert sentry_init(dsn=sys.argv[1], environment="test")
Client(raise_request_exception=False).post(
    "/boom/?email=query.person@example.org",
    {"contact_name": "Hildegard Unverwechselbar"},
    HTTP_X_SECRET_HEADER="header-value-geheim",
    HTTP_COOKIE="csrftoken=cookie-value-geheim",
)
sentry_sdk.flush(timeout=10)
"""


def test_sentry_receives_the_error_but_no_personal_data(tmp_path):
    """A real Sentry client sends to a stub ingest server on loopback."""
    import gzip
    import subprocess
    import sys
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from pathlib import Path

    received = []

    class Ingest(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            received.append(body.decode("utf-8", "replace"))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Ingest)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_port}/1"
        script = tmp_path / "sentry_probe.py"
        script.write_text(SENTRY_SCRIPT)
        root = Path(__file__).resolve().parents[2]
        env = {k: v for k, v in __import__("os").environ.items() if k != "SENTRY_DSN"}
        env["PYTHONPATH"] = str(root)
        result = subprocess.run(  # noqa: S603 - our interpreter, our script
            [sys.executable, str(script), dsn],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.shutdown()

    assert result.returncode == 0, result.stderr
    sent = "\n".join(received)
    assert "boom in the request form" in sent
    for secret in (
        "Unverwechselbar",
        "query.person@example.org",
        "header-value-geheim",
        "cookie-value-geheim",
    ):
        assert secret not in sent


def test_production_logs_json_to_stdout_and_reads_key_fallbacks(tmp_path):
    from tests.core.test_prod_settings import run_manage, sqlite_env

    code = (
        "import logging; from django.conf import settings; "
        "print('fallbacks', settings.SECRET_KEY_FALLBACKS); "
        "logging.getLogger('kkk_portal.probe').warning('hello from production')"
    )
    result = run_manage(
        "shell", "-c", code, SECRET_KEY_FALLBACKS="old-key-one,old-key-two", **sqlite_env(tmp_path)
    )

    assert result.returncode == 0, result.stderr
    assert "fallbacks ['old-key-one', 'old-key-two']" in result.stdout
    (line,) = [
        json.loads(text) for text in result.stdout.splitlines() if "hello from production" in text
    ]
    assert {k: line[k] for k in ("level", "logger", "message", "request_id")} == {
        "level": "WARNING",
        "logger": "kkk_portal.probe",
        "message": "hello from production",
        "request_id": "-",
    }
