"""The back office as counsellors use it: inbox, turning requests into cases, the timeline."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from counselling import services
from counselling.models import Activity, Case, CaseDocument, CounsellingRequest
from tests.factories import BERLIN, CounsellingRequestFactory
from tests.html import links

pytestmark = pytest.mark.django_db


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def test_inbox_title_counts_new_requests(beratung):
    CounsellingRequestFactory.create_batch(2)
    CounsellingRequestFactory(status=CounsellingRequest.Status.DECLINED)

    response = _login(beratung).get("/admin/counselling/counsellingrequest/")

    assert response.context["title"] == "Beratungsanfragen (2 neu)"
    assert response.context["cl"].result_count == 3


def test_inbox_filters_by_status(beratung):
    CounsellingRequestFactory(institution="Neu")
    CounsellingRequestFactory(institution="Spam", status=CounsellingRequest.Status.SPAM)

    response = _login(beratung).get("/admin/counselling/counsellingrequest/?status__exact=spam")

    assert [r.institution for r in response.context["cl"].result_list] == ["Spam"]


@pytest.mark.parametrize("count", [3, 200])
def test_back_office_lists_have_a_constant_number_of_queries(
    leitung, count, django_assert_max_num_queries
):
    for request in CounsellingRequestFactory.create_batch(count):
        if request.pk % 2:
            services.case_create_from_request(request=request, by=leitung)
    client = _login(leitung)

    # Filters list only values that occur: one DISTINCT query each, whatever the rows.
    with django_assert_max_num_queries(22):
        assert client.get("/admin/counselling/counsellingrequest/").status_code == 200
    with django_assert_max_num_queries(22):
        assert client.get("/admin/counselling/case/").status_code == 200


def test_admin_action_turns_a_request_into_a_case(beratung):
    request = CounsellingRequestFactory(institution="Gemeinde Musterdorf")
    client = _login(beratung)

    response = client.post(
        "/admin/counselling/counsellingrequest/",
        {"action": "make_case", "_selected_action": [request.pk]},
        follow=True,
    )

    case = Case.objects.get()
    assert [str(m) for m in response.context["messages"]] == [
        f'Fall <a href="/admin/counselling/case/{case.pk}/change/">{case.reference}</a> angelegt.'
    ]
    assert case.lead_counsellor == beratung
    request.refresh_from_db()
    assert request.status == CounsellingRequest.Status.CASE
    # A second time: a clear message, no second case.
    response = client.post(
        "/admin/counselling/counsellingrequest/",
        {"action": "make_case", "_selected_action": [request.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        f"Zur Anfrage {request.reference} gibt es bereits einen Fall."
    ]
    assert Case.objects.count() == 1


def test_submitted_request_data_cannot_be_edited(beratung):
    request = CounsellingRequestFactory(institution="Original")

    _login(beratung).post(
        f"/admin/counselling/counsellingrequest/{request.pk}/change/",
        {"status": "neu", "institution": "Verändert"},
    )

    request.refresh_from_db()
    assert (request.status, request.institution) == ("neu", "Original")


def _case_post(case, **overrides):
    data = {
        "title": case.title,
        "municipality": "",
        "state": case.state,
        "body_kind": case.body_kind,
        "conflict_type": case.conflict_type,
        "status": case.status,
        "lead_counsellor": case.lead_counsellor_id or "",
        "counsellors": [u.pk for u in case.counsellors.all()],
        "project": "",
        "start_date": "",
        "end_date": "",
        "outcome": "",
        "activities-TOTAL_FORMS": "0",
        "activities-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_counsellor_logs_an_activity_with_herself_as_author(beratung):
    case = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    client = _login(beratung)

    response = client.post(
        f"/admin/counselling/case/{case.pk}/change/",
        _case_post(
            case,
            **{
                "activities-TOTAL_FORMS": "1",
                "activities-0-date": "03.11.2026",
                "activities-0-kind": "workshop",
                "activities-0-participants": "14",
                "activities-0-note": "Workshop mit dem Gemeinderat",
            },
        ),
    )

    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.date, activity.kind, activity.participants, activity.author) == (
        datetime.date(2026, 11, 3),
        "workshop",
        14,
        beratung,
    )


def test_status_moves_only_along_the_workflow_in_the_admin(beratung):
    case = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    client = _login(beratung)
    url = f"/admin/counselling/case/{case.pk}/change/"

    refused = client.post(url, _case_post(case, status="beratung"))

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors == {
        "status": [
            "Der Status kann nicht von „Anfrage“ zu „Beratung“ wechseln. "
            "Möglich ist: Erstgespräch, Abgelehnt."
        ]
    }
    assert client.post(url, _case_post(case, status="erstgespraech")).status_code == 302
    case.refresh_from_db()
    assert case.status == "erstgespraech"
    assert [c.to_status for c in case.status_changes.all()] == ["anfrage", "erstgespraech"]


def test_document_upload_checks_type_and_records_the_uploader(beratung):
    case = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    client = _login(beratung)
    url = f"/admin/counselling/case/{case.pk}/change/"

    def upload(name, content):
        return client.post(
            url,
            _case_post(
                case,
                **{
                    "documents-TOTAL_FORMS": "1",
                    "documents-0-title": "Protokoll",
                    "documents-0-kind": "protokoll",
                    "documents-0-file": SimpleUploadedFile(name, content),
                },
            ),
        )

    refused = upload("virus.exe", b"MZ")
    assert refused.status_code == 200
    assert CaseDocument.objects.count() == 0

    assert upload("protokoll.pdf", b"%PDF-1.4").status_code == 302
    document = CaseDocument.objects.get()
    assert (document.title, document.uploaded_by, document.filename) == (
        "Protokoll",
        beratung,
        "protokoll.pdf",
    )
    # The change page links to the guarded download, never to a media URL.
    page = client.get(url).content.decode()
    assert f'href="/beratung/dokumente/{document.pk}/"' in page
    assert "/media/" not in page


def _request_on(day: datetime.datetime) -> CounsellingRequest:
    request = CounsellingRequestFactory()
    CounsellingRequest.objects.filter(pk=request.pk).update(created_at=day)
    return request


@pytest.mark.parametrize(
    ("days", "query"),
    [
        # Years with a gap; the turn of the year in Berlin time, not UTC.
        (
            [
                datetime.datetime(2023, 5, 2, 9, 0, tzinfo=BERLIN),
                datetime.datetime(2024, 12, 31, 23, 30, tzinfo=BERLIN),
                datetime.datetime(2026, 1, 1, 0, 30, tzinfo=BERLIN),
            ],
            "",
        ),
        # One year only: Django opens it at its months.
        (
            [
                datetime.datetime(2025, 3, 1, tzinfo=BERLIN),
                datetime.datetime(2025, 9, 1, tzinfo=BERLIN),
            ],
            "",
        ),
        # A year chosen: its months; nothing at all: no hierarchy.
        (
            [
                datetime.datetime(2023, 5, 2, tzinfo=BERLIN),
                datetime.datetime(2025, 9, 1, tzinfo=BERLIN),
            ],
            "?created_at__year=2023",
        ),
        ([], ""),
    ],
)
def test_request_list_date_hierarchy_is_djangos_with_years_found_by_index(leitung, days, query):
    from django.contrib.admin.templatetags.admin_list import date_hierarchy

    from counselling.templatetags.workspace import indexed_date_hierarchy

    for day in days:
        _request_on(day)
    response = _login(leitung).get(f"/admin/counselling/counsellingrequest/{query}")
    assert response.status_code == 200
    cl = response.context["cl"]

    assert indexed_date_hierarchy(cl) == date_hierarchy(cl)
    shown = links(response, "nav.toplinks a")
    expected = date_hierarchy(cl) or {}
    back = expected.get("back")
    assert shown == [
        *([(back["link"], f"‹ {back['title']}")] if back else []),
        *[(c["link"], str(c["title"])) for c in expected.get("choices", []) if c.get("link")],
    ]


def test_request_list_years_are_those_of_berlin(leitung):
    _request_on(datetime.datetime(2024, 12, 31, 23, 30, tzinfo=BERLIN))  # 22:30 UTC
    _request_on(datetime.datetime(2026, 1, 1, 0, 30, tzinfo=BERLIN))  # 2025 in UTC
    response = _login(leitung).get("/admin/counselling/counsellingrequest/")
    assert links(response, "nav.toplinks a") == [
        ("?created_at__year=2024", "2024"),
        ("?created_at__year=2026", "2026"),
    ]
