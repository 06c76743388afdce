"""Cases: reference numbers, the status workflow, turning requests into cases, anonymising."""

import os
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from counselling import services
from counselling.models import (
    Activity,
    Case,
    CaseStatusChange,
    CounsellingRequest,
    OutboxMessage,
)
from tests.factories import ActivityFactory, CounsellingRequestFactory, UserFactory

S = Case.Status


@pytest.mark.django_db
def test_case_numbers_are_sequential_per_year():
    year = timezone.localdate().year
    cases = [services.case_create(by=None, title=f"Fall {n}") for n in range(3)]

    assert [c.reference for c in cases] == [
        f"KKB-{year}-0001",
        f"KKB-{year}-0002",
        f"KKB-{year}-0003",
    ]
    with transaction.atomic():
        assert services.case_number_next(year=2031) == 1
        assert services.case_number_next(year=2031) == 2


@pytest.mark.django_db
def test_numbering_continues_after_existing_cases():
    from tests.factories import CaseFactory

    year = timezone.localdate().year
    CaseFactory(year=year, number=41, reference=Case.format_reference(year, 41))

    case = services.case_create(by=None, title="Neuer Fall")

    assert case.reference == f"KKB-{year}-0042"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_case_creation_gives_no_duplicates_and_no_gaps():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent row locking (SELECT … FOR UPDATE) is only tested on PostgreSQL.")
    workers = 8
    barrier = threading.Barrier(workers)
    references, errors = [], []

    def create(n):
        try:
            barrier.wait()
            references.append(services.case_create(by=None, title=f"Gleichzeitig {n}").reference)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    year = timezone.localdate().year
    assert errors == []
    assert sorted(references) == [f"KKB-{year}-{n:04d}" for n in range(1, workers + 1)]


@pytest.mark.django_db
def test_workflow_goes_forward_step_by_step_and_records_each_change():
    lead = UserFactory(username="lead")
    case = services.case_create(by=lead, title="Marktplatz")

    for status in [S.FIRST_TALK, S.CLARIFICATION, S.COUNSELLING, S.CLOSED]:
        services.case_change_status(case=case, status=status, by=lead)

    case.refresh_from_db()
    assert case.status == S.CLOSED
    assert case.start_date == timezone.localdate()
    assert case.end_date == timezone.localdate()
    assert [
        (c.from_status, c.to_status, c.changed_by.username)
        for c in CaseStatusChange.objects.filter(case=case)
    ] == [
        ("", "anfrage", "lead"),
        ("anfrage", "erstgespraech", "lead"),
        ("erstgespraech", "auftragsklaerung", "lead"),
        ("auftragsklaerung", "beratung", "lead"),
        ("beratung", "abschluss", "lead"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("start", [S.REQUEST, S.FIRST_TALK, S.CLARIFICATION, S.COUNSELLING])
def test_any_open_case_can_be_declined(start):
    case = services.case_create(by=None, title="Fall", status=start)
    services.case_change_status(case=case, status=S.DECLINED, by=None)
    case.refresh_from_db()
    assert case.status == S.DECLINED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "target", "message"),
    [
        (
            S.REQUEST,
            S.COUNSELLING,
            "Der Status kann nicht von „Anfrage“ zu „Beratung“ wechseln. "
            "Möglich ist: Erstgespräch, Abgelehnt.",
        ),
        (
            S.COUNSELLING,
            S.FIRST_TALK,
            "Der Status kann nicht von „Beratung“ zu „Erstgespräch“ wechseln. "
            "Möglich ist: Abschluss, Abgelehnt.",
        ),
        (
            S.CLOSED,
            S.COUNSELLING,
            "Der Status kann nicht von „Abschluss“ zu „Beratung“ wechseln. "
            "Möglich ist: kein weiterer Wechsel.",
        ),
        (
            S.DECLINED,
            S.REQUEST,
            "Der Status kann nicht von „Abgelehnt“ zu „Anfrage“ wechseln. "
            "Möglich ist: kein weiterer Wechsel.",
        ),
    ],
)
def test_forbidden_transitions_are_refused_in_german(start, target, message):
    case = services.case_create(by=None, title="Fall", status=start)

    with pytest.raises(ValidationError) as error:
        services.case_change_status(case=case, status=target, by=None)

    assert error.value.message_dict == {"status": [message]}
    case.refresh_from_db()
    assert case.status == start
    assert CaseStatusChange.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_request_becomes_a_case_led_by_the_counsellor(topics):
    counsellor = UserFactory(username="berater")
    request = CounsellingRequestFactory(institution="Stadt Beispielhausen", conflict_type="akut")
    request.topics.set(topics[:2])

    case = services.case_create_from_request(request=request, by=counsellor)

    request.refresh_from_db()
    assert request.status == CounsellingRequest.Status.CASE
    assert case.request == request
    assert case.title == "Stadt Beispielhausen"
    assert case.conflict_type == "akut"
    assert case.lead_counsellor == counsellor
    assert list(case.counsellors.all()) == [counsellor]
    assert sorted(t.name for t in case.topics.all()) == [
        "Migration und Zusammenleben",
        "Rechtsextremismus",
    ]
    with pytest.raises(ValidationError) as error:
        services.case_create_from_request(request=request, by=counsellor)
    assert error.value.messages == [f"Zur Anfrage {request.reference} gibt es bereits einen Fall."]
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_spam_cannot_become_a_case():
    request = CounsellingRequestFactory(status=CounsellingRequest.Status.SPAM)
    with pytest.raises(ValidationError):
        services.case_create_from_request(request=request, by=UserFactory())
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_request_anonymise_reaches_history_and_outbox():
    request = CounsellingRequestFactory(institution="Gemeinde Geheim", email="geheim@example.org")
    request.situation = "Vertrauliche Schilderung"
    request.save()
    OutboxMessage.objects.create(
        kind="bestaetigung", request=request, to=request.email, subject="S", body="Gemeinde Geheim"
    )

    services.request_anonymise(request=request)

    assert request.institution == "[anonymisiert]"
    assert request.anonymised_at is not None
    history = list(CounsellingRequest.history.filter(id=request.pk))
    assert len(history) >= 2
    assert {(h.institution, h.email, h.situation) for h in history} == {
        ("[anonymisiert]", "anonymisiert@example.invalid", "[anonymisiert]")
    }
    assert list(OutboxMessage.objects.values_list("to", "body")) == [
        ("anonymisiert@example.invalid", "[anonymisiert]")
    ]
    assert request.state == "ST"  # kept for statistics


@pytest.mark.django_db
def test_case_anonymise_reaches_activities_documents_and_history(
    django_capture_on_commit_callbacks,
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    request = CounsellingRequestFactory(institution="Gemeinde Geheim")
    case = services.case_create_from_request(request=request, by=UserFactory())
    case.outcome = "Vertrauliches Ergebnis"
    case.save()
    activity = ActivityFactory(case=case, note="Notiz mit Namen")
    activity.note = "Geänderte Notiz mit Namen"
    activity.save()
    document = case.documents.create(
        title="Protokoll", file=SimpleUploadedFile("protokoll.txt", b"geheim")
    )
    path = document.file.path
    reader = UserFactory()
    services.case_access_log(case=case, user=reader, via="dokument", detail="Protokoll")

    with django_capture_on_commit_callbacks(execute=True):
        services.case_anonymise(case=case)

    assert case.title == f"[anonymisiert] {case.reference}"
    assert case.outcome == ""
    assert {(h.title, h.outcome) for h in Case.history.filter(id=case.pk)} == {
        (f"[anonymisiert] {case.reference}", "")
    }
    assert set(Activity.history.filter(id=activity.pk).values_list("note", flat=True)) == {""}
    assert Activity.objects.get().note == ""
    assert case.documents.count() == 0
    assert not os.path.exists(path)
    # Who opened the case stays provable; what they opened is not kept.
    assert list(case.access_logs.values_list("user", "detail")) == [(reader.pk, "")]
    request.refresh_from_db()
    assert request.institution == "[anonymisiert]"
