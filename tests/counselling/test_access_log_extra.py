"""Opening a request, the CSV export and the Art. 15 export land in the access log,
the Leitung start page shows the worker, and the thank-you page ends the session."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from counselling import services
from counselling.models import CaseAccessLog, OutboxMessage, WorkerHeartbeat
from tests.factories import CounsellingRequestFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/counselling/counsellingrequest/"


def _log():
    return list(
        CaseAccessLog.objects.order_by("pk").values_list(
            "user__username", "case_reference", "case", "via", "detail"
        )
    )


def test_opening_a_request_writes_the_access_log(client, beratung):
    request = CounsellingRequestFactory(reference="ANF-2026-OPEN01")
    client.force_login(beratung)

    response = client.get(f"{CHANGELIST}{request.pk}/change/")

    assert response.status_code == 200
    assert _log() == [("beratung", "ANF-2026-OPEN01", None, "anfrage", "Anfrage geöffnet")]


def test_a_request_of_a_case_is_logged_on_the_case_too(client, leitung):
    request = CounsellingRequestFactory(reference="ANF-2026-CASE01")
    case = services.case_create_from_request(request=request, by=leitung)
    client.force_login(leitung)

    client.get(f"{CHANGELIST}{request.pk}/change/")

    assert _log() == [("leitung", "ANF-2026-CASE01", case.pk, "anfrage", "Anfrage geöffnet")]


def test_a_request_nobody_may_see_is_not_logged(client, beratung2, leitung):
    request = CounsellingRequestFactory()
    services.case_create_from_request(request=request, by=leitung)  # not beratung2's case
    client.force_login(beratung2)

    response = client.get(f"{CHANGELIST}{request.pk}/change/")

    assert response.status_code == 404
    assert _log() == []


def test_an_old_version_of_a_request_is_logged(client, leitung):
    request = CounsellingRequestFactory(reference="ANF-2026-HIST01")
    version = request.history.first()
    client.force_login(leitung)

    response = client.get(f"{CHANGELIST}{request.pk}/history/{version.pk}/")

    assert response.status_code == 200
    assert (
        "leitung",
        "ANF-2026-HIST01",
        None,
        "verlauf",
        f"Anfrage, Fassung Nr. {version.pk}",
    ) in _log()


def test_the_csv_export_writes_the_access_log(client, leitung):
    client.force_login(leitung)

    response = client.get(reverse("leadership:case_export"))
    b"".join(response.streaming_content)

    assert _log() == [("leitung", "–", None, "export", "CSV-Export aller Fälle (mit Kontaktdaten)")]


def test_the_art_15_export_writes_the_access_log(client, leitung):
    first = CounsellingRequestFactory(reference="ANF-2026-ART001", email="p@example.org")
    CounsellingRequestFactory(reference="ANF-2026-ART002", email="P@example.org")
    client.force_login(leitung)

    response = client.post(
        CHANGELIST, {"action": "export_requester_data", "_selected_action": [first.pk]}
    )

    assert response.status_code == 200
    assert _log() == [
        (
            "leitung",
            "ANF-2026-ART001",
            None,
            "export",
            "Auskunft nach Art. 15 DSGVO: ANF-2026-ART001, ANF-2026-ART002",
        )
    ]
    # The email address the export was made for is not copied into the log.
    assert "p@example.org" not in str(_log())


def test_the_access_log_shows_request_entries_to_leitung(client, beratung, leitung):
    request = CounsellingRequestFactory(reference="ANF-2026-LIST01")
    client.force_login(beratung)
    client.get(f"{CHANGELIST}{request.pk}/change/")
    client.force_login(leitung)

    response = client.get("/admin/counselling/caseaccesslog/")

    assert [
        (e.user.username, e.case_reference, e.detail) for e in response.context["cl"].result_list
    ] == [("beratung", "ANF-2026-LIST01", "Anfrage geöffnet")]


# --- Leitung start page: worker status ---------------------------------------------


def test_dashboard_shows_the_workers_heartbeat_and_waiting_mail(client, leitung):
    seen = timezone.now() - datetime.timedelta(minutes=3)
    WorkerHeartbeat.objects.create(name="worker-1", last_seen=seen)
    request = CounsellingRequestFactory()
    OutboxMessage.objects.create(
        kind="bestaetigung",
        request=request,
        to="x@example.org",
        subject="s",
        body="b",
        created_at=timezone.now() - datetime.timedelta(minutes=20),
    )
    client.force_login(leitung)

    response = client.get(reverse("leadership:dashboard"))

    worker = response.context["worker"]
    assert worker["worker_stale"] is False
    assert 170 <= worker["heartbeat_age_seconds"] <= 200
    assert worker["mail_overdue"] is True
    page = response.content.decode()
    assert timezone.localtime(seen).strftime("%d.%m.%Y %H:%M:%S") in page
    assert "wartet seit 20" in page
    assert "Überfällig." in page
    assert "Der Hintergrunddienst läuft nicht" not in page


def test_dashboard_warns_when_the_worker_never_ran(client, leitung):
    client.force_login(leitung)

    page = client.get(reverse("leadership:dashboard")).content.decode()

    assert "noch keines" in page
    assert "Der Hintergrunddienst läuft nicht: E-Mails werden nicht versendet." in page
    assert "keine – alle E-Mails sind zugestellt" in page


# --- Thank-you page ends the visitor's session ---------------------------------------


def test_thank_you_page_ends_the_visitors_session(client, valid_request_data):
    response = client.post("/beratung-anfragen/", valid_request_data)
    assert response.status_code == 302
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    from django.contrib.sessions.models import Session

    assert Session.objects.filter(session_key=session_key).exists()

    done = client.get(response["Location"])

    assert done.context["reference"].startswith("ANF-")
    cookie = done.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value == ""
    assert cookie["max-age"] == 0
    assert not Session.objects.filter(session_key=session_key).exists()
    # Reloading the page shows no reference any more.
    assert client.get(response["Location"]).context["reference"] is None


def test_thank_you_page_keeps_a_staff_members_session(client, leitung, valid_request_data):
    client.force_login(leitung)
    response = client.post("/beratung-anfragen/", valid_request_data)

    done = client.get(response["Location"])

    assert done.context["reference"].startswith("ANF-")
    assert done.wsgi_request.user == leitung
    assert client.get(reverse("leadership:dashboard")).status_code == 200
