"""Case documents keep no stray files: deleted, replaced or kept in the admin."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from counselling.models import CaseDocument
from tests.counselling.case_helpers import case_post, login, make_case, make_document

pytestmark = pytest.mark.django_db


def test_a_document_deleted_in_the_admin_loses_its_file(
    beratung, django_capture_on_commit_callbacks
):
    case = make_case(beratung)
    document = make_document(case)
    path = document.file.path
    data = case_post(
        case,
        **{
            "documents-TOTAL_FORMS": "1",
            "documents-INITIAL_FORMS": "1",
            "documents-0-id": str(document.pk),
            "documents-0-case": str(case.pk),
            "documents-0-title": "Protokoll",
            "documents-0-kind": "sonstiges",
            "documents-0-DELETE": "on",
        },
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = login(beratung).post(f"/admin/counselling/case/{case.pk}/change/", data)

    assert response.status_code == 302
    assert CaseDocument.objects.count() == 0
    assert not os.path.exists(path)


def test_a_replaced_document_file_is_removed(beratung, django_capture_on_commit_callbacks):
    case = make_case(beratung)
    document = make_document(case, "alt.txt")
    old_path = document.file.path

    with django_capture_on_commit_callbacks(execute=True):
        document.file = SimpleUploadedFile("neu.txt", b"new")
        document.save()

    assert not os.path.exists(old_path)
    assert os.path.exists(document.file.path)
    assert document.filename == "neu.txt"


def test_saving_a_document_without_a_new_file_keeps_it(
    beratung, django_capture_on_commit_callbacks
):
    document = make_document(make_case(beratung))

    with django_capture_on_commit_callbacks(execute=True):
        document.title = "Neuer Titel"
        document.save()

    assert os.path.exists(document.file.path)
