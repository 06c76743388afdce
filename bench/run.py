"""Benchmark the portal on large synthetic data.

    make bench                      # SQLite file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kkk_bench make bench

Builds a throwaway database (10,000 projects, 100,000 cases by default), then
requests each page through Django's full request stack (test client, DEBUG
off) and reports median and 95th-percentile time, SQL queries per request and
the process's peak memory. Timings are measured here, never asserted in tests.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def verified_client(user):
    """A test client logged in as `user` with a confirmed second factor (as after the
    TOTP step; the test settings require it for staff)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def workspace_queries(repeat: int) -> None:
    """SQL queries of the counsellors' workspace on the large data, as Beratung and Leitung.

    A counsellor is assigned to one case with 20 activities and 5 documents (rows only:
    the pages list documents, they never open the files).
    """
    import datetime

    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from counselling.models import Activity, Case, CaseDocument

    users = get_user_model().objects
    counsellor = users.create_user(
        "bench-beratung",
        "beratung@example.org",
        "bench-pw",
        is_staff=True,
        first_name="Bench",
        last_name="Beratung",
    )
    counsellor.groups.add(Group.objects.get(name="Beratung"))
    leader = users.create_user(
        "bench-leitung",
        "leitung@example.org",
        "bench-pw",
        is_staff=True,
        first_name="Bench",
        last_name="Leitung",
    )
    leader.groups.add(Group.objects.get(name="Leitung"))
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
    print(f"\nWorkspace queries ({repeat} requests each, the last one counted)")
    print(f"{'page':42} {'Beratung':>9} {'Leitung':>8}")
    clients = {"Beratung": verified_client(counsellor), "Leitung": verified_client(leader)}
    for name, url in pages.items():
        counts = []
        for client in clients.values():
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            counts.append(len(queries))
        print(f"{name:42} {counts[0]:>9} {counts[1]:>8}")


def get_user_model():
    from django.contrib.auth import get_user_model as django_get_user_model

    return django_get_user_model()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/kkk-bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "kkk_portal.settings.test"
    if os.environ["DATABASE_URL"].startswith("sqlite:///"):
        Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///")).unlink(missing_ok=True)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("load_content", verbosity=0)
    call_command(
        "generate_synthetic",
        projects=args.projects,
        cases=args.cases,
        municipalities=2000,
        publications=2000,
        news=2000,
        events=2000,
        requests=10_000,
        activities_per_case=1,
        verbosity=0,
    )
    print(f"data ready in {time.monotonic() - started:.1f} s ({connection.vendor})")

    admin = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-pw")
    client = verified_client(admin)
    urls = [
        "/",
        "/projekte/",
        "/projekte/?page=400",
        "/projekte/?state=ST&year=2019",
        "/projekte/?q=Kommune",
        "/kommunen/",
        "/publikationen/",
        "/aktuelles/",
        "/veranstaltungen/archiv/",
        "/team/",
        "/suche/?q=Konflikt",
        "/sitemap.xml",
        "/sitemap-projects.xml",
        "/sitemap-projects.xml?p=5",
        "/veranstaltungen/kalender.ics",
        "/admin/",
        "/admin/counselling/case/",
        "/admin/counselling/counsellingrequest/",
        "/admin/leitung/",
    ]
    # One case's page (the counsellors' workspace: form, inlines, timeline).
    from counselling.models import Case

    case_pk = Case.objects.order_by("pk").values_list("pk", flat=True).first()
    if case_pk:
        urls.append(f"/admin/counselling/case/{case_pk}/change/")
    print(f"{'URL':45} {'status':>6} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for url in urls:
        timings = []
        status = None
        for _ in range(args.repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                timings.append((time.perf_counter() - t0) * 1000)
            status = response.status_code
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(
            f"{url:45} {status:>6} {statistics.median(timings):>10.1f} {p95:>8.1f} "
            f"{len(queries):>8}"
        )

    workspace_queries(args.repeat)

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    response = client.get("/admin/leitung/export/faelle.csv")
    size = 0
    if response.streaming:
        for chunk in response.streaming_content:
            size += len(chunk)
    else:
        size = len(response.content)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"CSV export of {args.cases} cases: status {response.status_code}, "
        f"{size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s, "
        f"peak RSS grew by {(after - before) / 1024:.0f} MB"
    )
    print(f"peak RSS of the benchmark process: {after / 1024:.0f} MB")


if __name__ == "__main__":
    main()
