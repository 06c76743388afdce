"""Who may open what: each group × each back-office URL, for own and others' cases."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from counselling import services
from counselling.models import CaseAccessLog, CaseDocument
from counselling.permissions import BERATUNG, LEITUNG, REDAKTION
from tests.factories import CounsellingRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(beratung, beratung2, leitung, redaktion):
    """Case A belongs to `beratung`; `beratung2` works on other cases only."""
    case = services.case_create_from_request(
        request=CounsellingRequestFactory(institution="Gemeinde A"), by=beratung
    )
    document = CaseDocument.objects.create(
        case=case,
        title="Gesprächsprotokoll",
        file=SimpleUploadedFile("protokoll.pdf", b"%PDF-1.4 secret"),
    )
    other = services.case_create_from_request(
        request=CounsellingRequestFactory(institution="Gemeinde B"), by=beratung2
    )
    return {"case": case, "document": document, "other": other, "request": case.request}


def _urls(world):
    case, request = world["case"], world["request"]
    return {
        "request_list": "/admin/counselling/counsellingrequest/",
        "request_change": f"/admin/counselling/counsellingrequest/{request.pk}/change/",
        "case_list": "/admin/counselling/case/",
        "case_change": f"/admin/counselling/case/{case.pk}/change/",
        "case_history": f"/admin/counselling/case/{case.pk}/history/",
        "document": f"/beratung/dokumente/{world['document'].pk}/",
        "access_log": "/admin/counselling/caseaccesslog/",
    }


EXPECTED = {
    #               request_list, request_change, case_list, case_change, history, document, log
    "redaktion": [403, 403, 403, 403, 403, 404, 403],
    "beratung": [200, 200, 200, 200, 200, 200, 403],
    # A request that became someone else's case is as closed to beratung2 as the case.
    "beratung2": [200, 404, 200, 404, 404, 404, 403],
    "leitung": [200, 200, 200, 200, 200, 200, 200],
}


@pytest.mark.parametrize("username", list(EXPECTED))
def test_permission_matrix(world, username):
    client = Client()
    client.force_login(UserFactory(username=username))
    urls = _urls(world)

    codes = [client.get(url).status_code for url in urls.values()]

    assert codes == EXPECTED[username]


def test_anonymous_visitors_are_sent_to_the_login(world):
    client = Client()
    for name, url in _urls(world).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/admin/login/"), name


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("beratung", ["Gemeinde A"]),
        ("beratung2", ["Gemeinde B"]),
        ("leitung", ["Gemeinde A", "Gemeinde B"]),
    ],
)
def test_case_list_shows_only_own_cases_to_counsellors(world, username, expected):
    client = Client()
    client.force_login(UserFactory(username=username))

    response = client.get("/admin/counselling/case/")

    assert sorted(c.title for c in response.context["cl"].result_list) == expected


def test_a_counsellor_cannot_change_someone_elses_case_by_post(world, beratung2):
    client = Client()
    client.force_login(beratung2)
    case = world["case"]

    response = client.post(
        f"/admin/counselling/case/{case.pk}/change/", {"title": "Übernommen", "status": "abgelehnt"}
    )

    assert response.status_code == 404
    case.refresh_from_db()
    assert case.title == "Gemeinde A"


def test_a_counsellor_cannot_open_someone_elses_old_version(world, beratung2):
    client = Client()
    client.force_login(beratung2)
    case = world["case"]
    version = case.history.first()

    response = client.get(f"/admin/counselling/case/{case.pk}/history/{version.history_id}/")

    assert response.status_code == 404


def test_document_download_is_an_attachment_and_logged(world, beratung):
    client = Client()
    client.force_login(beratung)

    response = client.get(_urls(world)["document"])

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="protokoll.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 secret"
    assert list(CaseAccessLog.objects.values_list("user__username", "case_reference", "via")) == [
        ("beratung", world["case"].reference, "dokument")
    ]


def test_documents_have_no_public_url(world, settings):
    document = world["document"]
    assert not document.file.path.startswith(str(settings.MEDIA_ROOT))
    assert document.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018


def test_opening_a_case_writes_the_access_log(world, beratung, leitung):
    client = Client()
    client.force_login(beratung)
    client.get(_urls(world)["case_change"])

    client.force_login(leitung)
    response = client.get("/admin/counselling/caseaccesslog/")

    assert [
        (e.user.username, e.case_reference, e.via) for e in response.context["cl"].result_list
    ] == [("beratung", world["case"].reference, "admin")]
    # Read-only, even for Leitung.
    entry = CaseAccessLog.objects.get()
    assert client.post(f"/admin/counselling/caseaccesslog/{entry.pk}/delete/").status_code == 403


def test_groups_come_from_the_data_migration():
    assert sorted(Group.objects.values_list("name", flat=True)) == [BERATUNG, LEITUNG, REDAKTION]
    redaktion = Group.objects.get(name=REDAKTION)
    assert not redaktion.permissions.filter(content_type__app_label="counselling").exists()
    assert redaktion.permissions.filter(codename="change_project").exists()
    beratung = Group.objects.get(name=BERATUNG)
    assert not beratung.permissions.filter(codename="view_all_cases").exists()
    assert not beratung.permissions.filter(content_type__app_label="projects").exists()
    leitung = Group.objects.get(name=LEITUNG)
    assert leitung.permissions.filter(codename="view_all_cases").exists()
    assert leitung.permissions.filter(codename="view_statistics").exists()
    assert leitung.permissions.filter(codename="view_caseaccesslog").exists()
    assert not leitung.permissions.filter(codename="change_caseaccesslog").exists()
