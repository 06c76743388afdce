"""`manage.py apply_retention`: what is deleted, what is anonymised, and --dry-run."""

import datetime
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from counselling.models import (
    Activity,
    Case,
    CaseDocument,
    CounsellingRequest,
    Job,
    OutboxMessage,
)
from counselling.retention import apply_retention
from tests.factories import ActivityFactory, CaseFactory, CounsellingRequestFactory

pytestmark = pytest.mark.django_db

HistoricalRequest = CounsellingRequest.history.model
HistoricalCase = Case.history.model
HistoricalActivity = Activity.history.model
Status = CounsellingRequest.Status


def _days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def _request(status, *, days, **kwargs):
    """A request last changed `days` days ago, with one history row and a queued mail."""
    request = CounsellingRequestFactory(status=status, **kwargs)
    OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.CONFIRMATION,
        request=request,
        to=request.email,
        subject="Ihre Anfrage",
        body=f"Guten Tag {request.contact_name}",
    )
    CounsellingRequest.objects.filter(pk=request.pk).update(updated_at=_days_ago(days))
    return request


def _closed_case(*, status=Case.Status.CLOSED, end=None, changed=None, request=None):
    case = CaseFactory(
        status=status,
        start_date=end - datetime.timedelta(days=30) if end else None,
        end_date=end,
        outcome="Bürgermeister Hinz und Frau Kunz haben sich geeinigt.",
        request=request,
    )
    ActivityFactory(case=case, note="Gespräch mit Herrn Hinz", participants=4)
    Case.objects.filter(pk=case.pk).update(
        updated_at=changed or timezone.make_aware(datetime.datetime.combine(end, datetime.time()))
    )
    return case


def _years_ago(years, days=0):
    today = timezone.localdate()
    return today.replace(year=today.year - years) + datetime.timedelta(days=days)


def _run(*args):
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def requests_at_boundary(db):
    return {
        "spam_89": _request(Status.SPAM, days=89),
        "spam_91": _request(Status.SPAM, days=91),
        "declined_89": _request(Status.DECLINED, days=89),
        "declined_91": _request(Status.DECLINED, days=91),
        "new_91": _request(Status.NEW, days=91),
        "accepted_91": _request(Status.CASE, days=91),
    }


def test_deletes_spam_and_declined_requests_older_than_90_days(requests_at_boundary):
    reqs = requests_at_boundary

    assert _run() == (
        "2 Anfragen gelöscht, 0 Fälle anonymisiert, "
        "0 offene Anfragen älter als 12 Monate anonymisiert."
    )

    kept = ["spam_89", "declined_89", "new_91", "accepted_91"]
    assert sorted(CounsellingRequest.objects.values_list("pk", flat=True)) == sorted(
        reqs[name].pk for name in kept
    )
    gone = [reqs["spam_91"].pk, reqs["declined_91"].pk]
    assert HistoricalRequest.objects.filter(id__in=gone).count() == 0
    assert OutboxMessage.objects.filter(request_id__in=gone).count() == 0
    assert OutboxMessage.objects.filter(request__isnull=True).count() == 0
    assert HistoricalRequest.objects.filter(id=reqs["spam_89"].pk).count() == 1


def test_declined_request_with_a_case_is_left_to_the_case_rule(db):
    request = _request(Status.DECLINED, days=400)
    CaseFactory(request=request)
    assert _run() == (
        "0 Anfragen gelöscht, 0 Fälle anonymisiert, "
        "0 offene Anfragen älter als 12 Monate anonymisiert."
    )
    assert CounsellingRequest.objects.filter(pk=request.pk).exists()


def test_retention_days_come_from_the_settings(settings, requests_at_boundary):
    settings.RETENTION_SPAM_DECLINED_DAYS = 30
    assert _run() == (
        "4 Anfragen gelöscht, 0 Fälle anonymisiert, "
        "0 offene Anfragen älter als 12 Monate anonymisiert."
    )


@pytest.fixture
def cases_at_boundary(db):
    request = CounsellingRequestFactory(
        contact_name="Erika Mustermann",
        email="erika@musterdorf.example",
        phone="0345 123",
        situation="Herr Hinz streitet mit Frau Kunz.",
        involved="Hinz, Kunz",
        status=Status.CASE,
    )
    return {
        "closed_old": _closed_case(end=_years_ago(3, days=-1), request=request),
        "declined_old": _closed_case(status=Case.Status.DECLINED, end=_years_ago(3, days=-1)),
        "closed_recent": _closed_case(end=_years_ago(3, days=1)),
        # Ended long ago but changed lately: the later date counts.
        "closed_changed_lately": _closed_case(
            end=_years_ago(5), changed=timezone.now() - datetime.timedelta(days=10)
        ),
        "open_old": _closed_case(status=Case.Status.COUNSELLING, end=_years_ago(5)),
    }


def test_anonymises_cases_closed_more_than_three_years_ago(
    cases_at_boundary, django_capture_on_commit_callbacks
):
    cases = cases_at_boundary
    old = cases["closed_old"]
    document = CaseDocument.objects.create(
        case=old, title="Protokoll", file=ContentFile(b"Hinz sagte ...", name="protokoll.txt")
    )
    storage, name = document.file.storage, document.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        assert _run() == (
            "0 Anfragen gelöscht, 2 Fälle anonymisiert, "
            "0 offene Anfragen älter als 12 Monate anonymisiert."
        )

    anonymised = {"closed_old", "declined_old"}
    for key, case in cases.items():
        case.refresh_from_db()
        assert (case.anonymised_at is not None) == (key in anonymised), key
        if key in anonymised:
            assert case.outcome == ""
            assert case.title == f"[anonymisiert] {case.reference}"
            assert list(case.activities.values_list("note", "participants")) == [("", 4)]
            assert set(
                HistoricalCase.objects.filter(id=case.pk).values_list("title", "outcome")
            ) == {(f"[anonymisiert] {case.reference}", "")}
            assert set(
                HistoricalActivity.objects.filter(case_id=case.pk).values_list("note", flat=True)
            ) == {""}
        else:
            assert case.outcome == "Bürgermeister Hinz und Frau Kunz haben sich geeinigt."
            assert HistoricalActivity.objects.filter(
                case_id=case.pk, note="Gespräch mit Herrn Hinz"
            ).exists()

    assert not CaseDocument.objects.filter(case=old).exists()
    assert not storage.exists(name)

    request = old.request
    request.refresh_from_db()
    personal = ("contact_name", "email", "phone", "situation", "involved")
    expected = ("[anonymisiert]", "anonymisiert@example.invalid", "", "[anonymisiert]", "")
    assert tuple(getattr(request, field) for field in personal) == expected
    assert set(HistoricalRequest.objects.filter(id=request.pk).values_list(*personal)) == {expected}


def test_second_run_changes_nothing(requests_at_boundary, cases_at_boundary):
    assert _run() == (
        "2 Anfragen gelöscht, 2 Fälle anonymisiert, "
        "0 offene Anfragen älter als 12 Monate anonymisiert."
    )
    before = _snapshot()
    assert _run() == (
        "0 Anfragen gelöscht, 0 Fälle anonymisiert, "
        "0 offene Anfragen älter als 12 Monate anonymisiert."
    )
    assert _snapshot() == before


def _snapshot():
    """Every row of every table the command touches."""
    models = [
        CounsellingRequest,
        HistoricalRequest,
        Case,
        HistoricalCase,
        Activity,
        HistoricalActivity,
        CaseDocument,
        OutboxMessage,
    ]
    return {model.__name__: sorted(model.objects.values_list(), key=repr) for model in models}


def test_dry_run_changes_nothing_and_reports_the_same_counts(
    requests_at_boundary, cases_at_boundary, django_capture_on_commit_callbacks
):
    document = CaseDocument.objects.create(
        case=cases_at_boundary["closed_old"],
        title="Protokoll",
        file=ContentFile(b"Hinz", name="protokoll.txt"),
    )
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        output = _run("--dry-run")

    assert output == (
        "Probelauf, nichts geändert: 2 Anfragen würden gelöscht, 2 Fälle würden anonymisiert, "
        "0 offene Anfragen älter als 12 Monate würden anonymisiert."
    )
    assert _snapshot() == before
    assert document.file.storage.exists(document.file.name)
    assert _run() == (
        "2 Anfragen gelöscht, 2 Fälle anonymisiert, "
        "0 offene Anfragen älter als 12 Monate anonymisiert."
    )


def test_open_requests_older_than_the_promised_period_lose_their_personal_data(db):
    fresh = _request(Status.NEW, days=10)
    stale = CounsellingRequestFactory(status=Status.NEW, contact_name="Erika Stale")
    CounsellingRequest.objects.filter(pk=stale.pk).update(created_at=_days_ago(400))

    assert _run("--dry-run").endswith("1 offene Anfragen älter als 12 Monate würden anonymisiert.")
    assert CounsellingRequest.objects.get(pk=stale.pk).contact_name == "Erika Stale"

    assert _run() == (
        "0 Anfragen gelöscht, 0 Fälle anonymisiert, "
        "1 offene Anfragen älter als 12 Monate anonymisiert."
    )
    stale.refresh_from_db()
    assert stale.anonymised_at is not None
    assert stale.contact_name != "Erika Stale"
    assert not CounsellingRequest.history.filter(id=stale.pk, contact_name="Erika Stale").exists()
    assert CounsellingRequest.objects.get(pk=fresh.pk).anonymised_at is None
    # Nothing is due the second time.
    assert _run().endswith("0 offene Anfragen älter als 12 Monate anonymisiert.")


def test_finished_background_jobs_are_deleted_after_their_period(db, settings):
    settings.JOB_RETENTION_DAYS = 30
    now = timezone.now()
    old = Job.objects.create(
        kind=Job.Kind.RENDITIONS,
        key="old.png",
        status=Job.Status.DONE,
        finished_at=now - datetime.timedelta(days=31),
    )
    recent = Job.objects.create(
        kind=Job.Kind.RENDITIONS,
        key="recent.png",
        status=Job.Status.DONE,
        finished_at=now - datetime.timedelta(days=29),
    )
    waiting = Job.objects.create(kind=Job.Kind.RENDITIONS, key="waiting.png")

    assert apply_retention(dry_run=True).jobs_deleted == 1
    assert Job.objects.filter(pk=old.pk).exists()

    assert apply_retention().jobs_deleted == 1
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
