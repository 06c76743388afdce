"""Scale-out, proved: two app instances and two workers share PostgreSQL, Redis and S3.

`prod_stack` (tests/deploy/conftest.py) runs two gunicorn instances of
kkk_portal.settings.prod (A and B) on two loopback ports behind nginx with
deploy/nginx/kkk-portal.conf, a scratch PostgreSQL database, Redis db 11, moto's
S3 server and an SMTP sink. Requests "through A" go to A's port with the headers
nginx sets (X-Forwarded-Proto/-For); the production cookies are Secure, so the
test keeps them by hand. 2FA is on (production default): the staff account has
a confirmed TOTP device and logs in through the real login and code forms.

Also `make scale-test`; CI runs it once, in the PostgreSQL pass.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import Counter
from email import message_from_bytes, policy

import psycopg2
import pytest
import requests
from django_otp.oath import totp

from tests.deploy.conftest import ROOT, STAFF_PASSWORD, STAFF_USER, TOTP_KEY, Server
from tests.deploy.html_forms import csrf_token, document_upload_data

pytestmark = pytest.mark.postgres

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 16 + b"\n%%EOF\n"
REQUEST = {
    "body_kind": "gemeinde",
    "state": "ST",
    "contact_name": "Erika Mustermann",
    "contact_role": "Bürgermeisterin",
    "phone": "",
    "contact_preference": "email",
    "situation": "Seit dem Sommer streiten Gemeinderat und Bürgerinitiative über den Marktplatz.",
    "conflict_type": "akut",
    "involved": "Gemeinderat, Bürgerinitiative",
    "urgency": "mittel",
    "heard_from": "Empfehlung",
    "consent": "on",
}
REFERENCE = re.compile(r'<strong class="reference">([^<]+)</strong>')


class Visitor:
    """One browser: its own cookies and address, talking to instance A or B directly."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, instance: Server, method: str, path: str, **kwargs) -> requests.Response:
        origin = f"https://127.0.0.1:{instance.port}"
        headers = {
            # What nginx sets (deploy/nginx/kkk-portal.conf); TRUSTED_PROXY_COUNT=1.
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Origin": origin,
            **kwargs.pop("headers", {}),
        }
        response = requests.request(
            method,
            f"http://127.0.0.1:{instance.port}{path}",
            headers=headers,
            cookies=self.cookies,
            allow_redirects=False,
            timeout=30,
            **kwargs,
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def get(self, instance: Server, path: str) -> requests.Response:
        return self.request(instance, "GET", path)

    def post(self, instance: Server, path: str, data, **kwargs) -> requests.Response:
        return self.request(instance, "POST", path, data=data, **kwargs)


def submit_request(visitor: Visitor, instance: Server, institution: str) -> requests.Response:
    page = visitor.get(instance, "/beratung-anfragen/")
    assert page.status_code == 200
    data = {
        **REQUEST,
        "institution": institution,
        "email": f"{institution.lower().replace(' ', '.')}@example.org",
        "csrfmiddlewaretoken": csrf_token(page.text),
        "topics": re.search(r'name="topics" value="(\d+)"', page.text).group(1),
    }
    return visitor.post(instance, "/beratung-anfragen/", data)


def scratch_query(stack, sql: str, params=()) -> list[tuple]:
    connection = psycopg2.connect(stack.database_url.replace("postgres://", "postgresql://"))
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def staff(prod_stack):
    """Lea Leitung, logged in on instance A through the login form and the TOTP form."""
    a = prod_stack.instances[0]
    visitor = Visitor("198.51.100.20")
    login = visitor.get(a, "/admin/login/?next=/admin/")
    response = visitor.post(
        a,
        "/admin/login/?next=/admin/",
        {
            "username": STAFF_USER,
            "password": STAFF_PASSWORD,
            "next": "/admin/",
            "csrfmiddlewaretoken": csrf_token(login.text),
        },
    )
    assert response.status_code == 302, response.text[:2000]
    second = visitor.get(a, "/admin/")
    assert second.status_code == 302
    assert second.headers["Location"].startswith("/admin/konto/zwei-faktor/")
    code_page = visitor.get(a, second.headers["Location"])
    verified = visitor.post(
        a,
        second.headers["Location"],
        {
            "otp_token": f"{totp(bytes.fromhex(TOTP_KEY)):06d}",
            "csrfmiddlewaretoken": csrf_token(code_page.text),
        },
    )
    assert verified.status_code == 302, verified.text[:2000]
    assert visitor.get(a, "/admin/").status_code == 200
    return visitor


def test_request_submitted_through_a_is_in_the_admin_through_b(prod_stack, staff):
    a, b = prod_stack.instances
    visitor = Visitor("198.51.100.1")

    response = submit_request(visitor, a, "Gemeinde Adorf")
    assert response.status_code == 302
    done = visitor.get(a, response.headers["Location"])
    reference = REFERENCE.search(done.text).group(1)

    changelist = staff.get(b, f"/admin/counselling/counsellingrequest/?q={reference}")
    assert changelist.status_code == 200
    assert re.findall(r"ANF-\d{4}-[A-Z0-9]+", changelist.text).count(reference) >= 1
    assert "Gemeinde Adorf" in changelist.text


def test_staff_session_made_on_a_works_on_b_and_through_nginx(prod_stack, staff, tls_files):
    b = prod_stack.instances[1]
    assert staff.get(b, "/admin/").status_code == 200
    assert "Lea" in staff.get(b, "/admin/").text

    before = prod_stack.served_by()
    # Through nginx (round robin over A and B): the session cookie is Secure, over HTTPS.
    with requests.Session() as browser:
        browser.cookies.update(staff.cookies)
        pages = [
            browser.get(
                f"{prod_stack.https_url}/admin/",
                allow_redirects=False,
                timeout=30,
                verify=str(tls_files.ca),
            )
            for _ in range(6)
        ]
    after = prod_stack.served_by()
    assert [page.status_code for page in pages] == [200] * 6
    assert all("Lea" in page.text for page in pages)
    # Both instances answered some of them.
    assert all(later > earlier for earlier, later in zip(before, after, strict=True)), (
        before,
        after,
    )


def test_rate_limit_counts_across_both_instances(prod_stack):
    a, b = prod_stack.instances
    visitor = Visitor("198.51.100.77")  # COUNSELLING_RATE_LIMIT=3 in the stack

    statuses = [
        submit_request(visitor, instance, f"Gemeinde Limit {n}").status_code
        for n, instance in enumerate([a, b, a, b])
    ]

    assert statuses == [302, 302, 302, 429]
    other = Visitor("198.51.100.78")
    assert submit_request(other, a, "Gemeinde Anderswo").status_code == 302


def test_document_uploaded_through_a_downloads_through_b(prod_stack, staff):
    a, b = prod_stack.instances
    case_id = prod_stack.manage("shell", stdin=CREATE_CASE).strip().splitlines()[-1]
    change = f"/admin/counselling/case/{case_id}/change/"
    page = staff.get(a, change)
    assert page.status_code == 200
    data, file_field = document_upload_data(page.text, title="Protokoll Runde 1")
    saved = staff.post(
        a, change, data, files={file_field: ("protokoll.pdf", PDF, "application/pdf")}
    )
    assert saved.status_code == 302, saved.text[:3000]

    # The S3 server is shared with the other deployment tests: look at this upload only.
    key = f"private/cases/{case_id}/protokoll.pdf"
    assert key in prod_stack.s3.keys(prod_stack.private_bucket)
    # (test_nginx.py puts decoys under other private/ keys of the media bucket.)
    assert key not in prod_stack.s3.keys(prod_stack.media_bucket)
    ((document_id,),) = scratch_query(
        prod_stack, "SELECT id FROM counselling_casedocument WHERE case_id = %s", (case_id,)
    )
    download = staff.get(b, f"/beratung/dokumente/{document_id}/")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["Cache-Control"] == "private, no-store"
    assert Visitor("198.51.100.9").get(b, f"/beratung/dokumente/{document_id}/").status_code == 302
    assert scratch_query(
        prod_stack,
        "SELECT count(*) FROM counselling_caseaccesslog WHERE case_id = %s AND via = 'dokument'",
        (case_id,),
    ) == [(1,)]


def test_two_workers_deliver_every_queued_mail_exactly_once(prod_stack):
    a, b = prod_stack.instances
    for n in range(6):
        visitor = Visitor(f"198.51.100.{120 + n}")
        assert submit_request(visitor, (a, b)[n % 2], f"Gemeinde Post {n}").status_code == 302
    queued = scratch_query(prod_stack, "SELECT count(*) FROM counselling_outboxmessage")[0][0]
    assert queued >= 12

    for name in ("worker-1", "worker-2"):
        prod_stack.workers.append(start_worker(prod_stack, name))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pending = scratch_query(
            prod_stack, "SELECT count(*) FROM counselling_outboxmessage WHERE status <> 'gesendet'"
        )[0][0]
        if pending == 0:
            break
        time.sleep(0.5)
    time.sleep(2 * 0.2 + 1)  # a few more polls of both workers: nothing may come twice
    rows = scratch_query(prod_stack, 'SELECT "to", subject, status FROM counselling_outboxmessage')

    assert {status for _to, _subject, status in rows} == {"gesendet"}
    delivered = Counter()
    for envelope in prod_stack.smtp.received():
        subject = str(
            message_from_bytes(envelope.original_content, policy=policy.default)["Subject"]
        )
        for recipient in envelope.rcpt_tos:
            delivered[(recipient, subject)] += 1
    assert delivered == Counter((to, subject) for to, subject, _status in rows)
    assert max(delivered.values()) == 1
    # Both workers ran against the shared database (their heartbeats) and are still alive.
    heartbeats = scratch_query(prod_stack, "SELECT name FROM counselling_workerheartbeat")
    assert {"worker-1", "worker-2"} <= {name for (name,) in heartbeats}
    assert all(worker.process.poll() is None for worker in prod_stack.workers)


def start_worker(stack, name: str) -> Server:
    """`manage.py run_worker` with the stack's environment; its pid is stopped at the end."""
    log = stack.folder / f"{name}.log"
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "run_worker", "--name", name],
            cwd=ROOT,
            env=stack.env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Server(name, 0, process, log)


CREATE_CASE = """
from django.contrib.auth import get_user_model
from counselling import services
from counselling.models import Topic
request = services.request_submit(
    data={
        "institution": "Gemeinde Dokumentenstadt", "body_kind": "gemeinde", "state": "ST",
        "contact_name": "Erika Mustermann", "contact_role": "Bürgermeisterin",
        "email": "erika@dokumentenstadt.example.org", "phone": "", "contact_preference": "email",
        "situation": "Streit um die Schule.", "conflict_type": "akut", "involved": "Rat",
        "urgency": "mittel", "heard_from": "Empfehlung",
    },
    topics=list(Topic.objects.all()[:1]),
)
case = services.case_create_from_request(
    request=request, by=get_user_model().objects.get(username="scale-leitung")
)
print(case.pk)
"""
