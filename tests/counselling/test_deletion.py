"""Deleting and anonymising requests and cases leave no copies (history, mails, admin log)."""

import os

import pytest
from django.contrib.admin.models import LogEntry

from counselling import services
from counselling.models import (
    Activity,
    Case,
    CaseAccessLog,
    CaseStatusChange,
    CounsellingRequest,
    OutboxMessage,
)
from tests.counselling.case_helpers import case_post, login, make_case, make_document
from tests.factories import CounsellingRequestFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_request_in_the_admin_leaves_no_copies(leitung):
    request = services.request_submit(
        data={
            "institution": "Gemeinde Geheimdorf",
            "body_kind": "gemeinde",
            "state": "ST",
            "contact_name": "Erika Geheim",
            "email": "erika@geheim.example",
            "contact_preference": "email",
            "situation": "GEHEIMER SACHVERHALT",
            "conflict_type": "akut",
            "urgency": "mittel",
        }
    )
    client = login(leitung)
    client.get(f"/admin/counselling/counsellingrequest/{request.pk}/change/")
    client.post(f"/admin/counselling/counsellingrequest/{request.pk}/change/", {"status": "neu"})

    response = client.post(
        f"/admin/counselling/counsellingrequest/{request.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert CounsellingRequest.objects.count() == 0
    assert CounsellingRequest.history.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert sorted(LogEntry.objects.values_list("action_flag", "object_repr", "change_message")) == [
        (2, request.reference, ""),
        (3, request.reference, ""),
    ]


def test_deleting_requests_with_the_list_action_leaves_no_copies(leitung):
    requests = CounsellingRequestFactory.create_batch(2, situation="GEHEIM")

    response = login(leitung).post(
        "/admin/counselling/counsellingrequest/",
        {"action": "delete_selected", "_selected_action": [r.pk for r in requests], "post": "yes"},
    )

    assert response.status_code == 302
    assert CounsellingRequest.objects.count() == 0
    assert CounsellingRequest.history.count() == 0


def test_deleting_a_case_in_the_admin_leaves_no_copies(
    beratung, leitung, django_capture_on_commit_callbacks
):
    case = make_case(beratung, title="Vertraulich: Drohbriefe")
    Activity.objects.create(case=case, kind="gespraech", note="NOTIZ-GEHEIM")
    document = make_document(case)
    path = document.file.path
    services.case_access_log(case=case, user=beratung, via="dokument", detail="Protokoll")
    reference = case.reference

    with django_capture_on_commit_callbacks(execute=True):
        response = login(leitung).post(
            f"/admin/counselling/case/{case.pk}/delete/", {"post": "yes"}
        )

    assert response.status_code == 302
    assert Case.objects.count() == 0
    assert Case.history.count() == 0
    assert Activity.history.count() == 0
    assert CaseStatusChange.objects.count() == 0
    assert not os.path.exists(path)
    assert list(CaseAccessLog.objects.values_list("case", "case_reference", "detail")) == [
        (None, reference, "")
    ]
    assert list(LogEntry.objects.values_list("action_flag", "object_repr")) == [(3, reference)]


def test_counsellors_still_cannot_delete_cases(beratung):
    case = make_case(beratung)

    response = login(beratung).post(f"/admin/counselling/case/{case.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Case.objects.count() == 1


# --- 4. Anonymising also scrubs the admin's log ---------------------------------------------


def test_anonymising_a_case_scrubs_its_log_entries(beratung):
    request = CounsellingRequestFactory(institution="Gemeinde Geheimdorf")
    case = services.case_create_from_request(request=request, by=beratung)
    client = login(beratung)
    client.post(
        f"/admin/counselling/case/{case.pk}/change/",
        case_post(
            case,
            title="Vertraulich: Drohbriefe an BM Meier",
            **{
                "activities-TOTAL_FORMS": "1",
                "activities-0-date": "03.11.2026",
                "activities-0-kind": "workshop",
                "activities-0-participants": "3",
            },
        ),
    )
    client.post(f"/admin/counselling/counsellingrequest/{request.pk}/change/", {"status": "fall"})
    LogEntry.objects.update(object_repr="Vertraulich: Drohbriefe an BM Meier")

    services.case_anonymise(case=case)

    assert sorted(LogEntry.objects.values_list("object_repr", "change_message")) == sorted(
        [(case.reference, ""), (request.reference, "")]
    )
    assert "Drohbriefe" not in client.get("/admin/").content.decode()


def test_anonymising_a_request_scrubs_its_log_entries(leitung):
    request = CounsellingRequestFactory(institution="Gemeinde Geheimdorf")
    client = login(leitung)
    client.post(f"/admin/counselling/counsellingrequest/{request.pk}/change/", {"status": "neu"})
    LogEntry.objects.update(object_repr="ANF – Gemeinde Geheimdorf")

    services.request_anonymise(request=request)

    assert list(LogEntry.objects.values_list("object_repr", "change_message")) == [
        (request.reference, "")
    ]
