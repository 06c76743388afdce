"""Shared by the back-office tests: logged-in clients, cases and the case admin's POST data."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from counselling import services
from counselling.models import CaseDocument


def login(user) -> Client:
    """A client logged in as `user` (with a confirmed second factor, see tests/conftest.py)."""
    client = Client()
    client.force_login(user)
    return client


def make_case(lead, *, title="Vertraulich: Streit um Moschee", counsellors=None):
    return services.case_create(
        by=lead, title=title, lead_counsellor=lead, counsellors=counsellors or [lead]
    )


def case_post(case, **overrides) -> dict:
    """The case change form as the admin sends it, with empty inlines."""
    data = {
        "title": case.title,
        "municipality": "",
        "state": case.state,
        "body_kind": case.body_kind,
        "conflict_type": case.conflict_type,
        "status": case.status,
        "lead_counsellor": case.lead_counsellor_id or "",
        "counsellors": [str(u.pk) for u in case.counsellors.all()] if case.pk else [],
        "project": "",
        "start_date": "",
        "end_date": "",
        "outcome": "",
    }
    for prefix in ["activities", "documents", "status_changes"]:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(overrides)
    return data


def history_url(case_or_request, version) -> str:
    name = case_or_request._meta.model_name
    return reverse(
        f"admin:counselling_{name}_simple_history", args=[case_or_request.pk, version.history_id]
    )


def make_document(case, name="p.txt") -> CaseDocument:
    return CaseDocument.objects.create(
        case=case, title="Protokoll", file=SimpleUploadedFile(name, b"secret")
    )
