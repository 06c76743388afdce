"""Who may open, change and assign a case: the rules of counselling/permissions.py."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from counselling import services
from counselling.models import Case, CaseDocument
from tests.counselling.case_helpers import case_post, login, make_case
from tests.factories import UserFactory
from tests.html import texts

pytestmark = pytest.mark.django_db


def test_a_counsellor_cannot_reassign_a_case(beratung, beratung2):
    case = make_case(beratung, counsellors=[beratung, beratung2])

    response = login(beratung2).post(
        f"/admin/counselling/case/{case.pk}/change/",
        case_post(case, lead_counsellor=str(beratung2.pk), counsellors=[str(beratung2.pk)]),
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.lead_counsellor == beratung
    assert sorted(u.username for u in case.counsellors.all()) == ["beratung", "beratung2"]


def test_a_counsellor_creating_a_case_leads_it(beratung, beratung2):
    data = {
        **case_post(Case(title="Neu", status="anfrage", conflict_type="unklar", state="ST")),
        "counsellors": [str(beratung2.pk)],
        "lead_counsellor": str(beratung2.pk),
    }

    response = login(beratung).post("/admin/counselling/case/add/", data)

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.lead_counsellor == beratung
    assert [u.username for u in case.counsellors.all()] == ["beratung"]


def test_leitung_assigns_counsellors(beratung, beratung2, leitung):
    case = make_case(beratung)

    response = login(leitung).post(
        f"/admin/counselling/case/{case.pk}/change/",
        case_post(case, lead_counsellor=str(beratung2.pk), counsellors=[str(beratung2.pk)]),
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.lead_counsellor == beratung2
    assert [u.username for u in case.counsellors.all()] == ["beratung2"]


# --- The named rules on a case object ----------------------------------------------------------


def _perms(*codenames):
    return Permission.objects.filter(content_type__app_label="counselling", codename__in=codenames)


@pytest.fixture
def assigned(beratung, beratung2, leitung):
    """A case led by `beratung` with `helper` as counsellor; `beratung2` is not on it."""
    helper = UserFactory(username="helfer")
    helper.groups.add(*beratung.groups.all())
    case = make_case(beratung, counsellors=[beratung, helper])
    return case, helper


RULES = ["view_case", "change_case", "delete_case", "assign_case"]


def test_case_rules_for_each_person(assigned, beratung, beratung2, leitung, redaktion):
    case, helper = assigned
    people = {"lead": beratung, "counsellor": helper, "other": beratung2, "leitung": leitung}
    people["redaktion"] = redaktion

    answers = {
        who: [user.has_perm(f"counselling.{rule}", case) for rule in RULES]
        for who, user in people.items()
    }

    assert answers == {
        "lead": [True, True, False, False],
        "counsellor": [True, True, False, False],
        "other": [False, False, False, False],
        "leitung": [True, True, True, True],
        "redaktion": [False, False, False, False],
    }


def test_an_inactive_or_non_staff_lead_loses_the_case(assigned, beratung):
    case, _helper = assigned
    beratung.is_staff = False
    beratung.save()

    assert beratung.has_perm("counselling.view_case", case) is False

    beratung.is_staff, beratung.is_active = True, False
    beratung.save()
    assert beratung.has_perm("counselling.view_case", case) is False


def test_rules_follow_permissions_not_group_names(beratung):
    """An account with the permissions but in no group works like a Beratung member."""
    solo = UserFactory(username="solo")
    solo.user_permissions.add(*_perms("view_case", "change_case", "view_counsellingrequest"))
    mine = make_case(beratung, title="Gemeinde Solo", counsellors=[beratung, solo])
    theirs = make_case(beratung, title="Gemeinde Fremd")
    client = login(solo)

    assert (
        solo.has_perm("counselling.change_case", mine),
        solo.has_perm("counselling.view_case", theirs),
    ) == (
        True,
        False,
    )
    assert client.get(f"/admin/counselling/case/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/counselling/case/{theirs.pk}/change/").status_code == 404
    listed = client.get("/admin/counselling/case/")
    assert [c.title for c in listed.context["cl"].result_list] == ["Gemeinde Solo"]


def test_a_counsellor_given_view_all_cases_sees_and_assigns_every_case(beratung, beratung2):
    case = make_case(beratung)
    beratung2.user_permissions.add(*_perms("view_all_cases"))

    response = login(beratung2).post(
        f"/admin/counselling/case/{case.pk}/change/",
        case_post(case, lead_counsellor=str(beratung2.pk), counsellors=[str(beratung2.pk)]),
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.lead_counsellor, [u.username for u in case.counsellors.all()]) == (
        beratung2,
        ["beratung2"],
    )


# --- Case writes go through the services, which check the rules --------------------------------


def test_case_assign_refuses_a_counsellor(beratung, beratung2):
    case = make_case(beratung)

    with pytest.raises(PermissionDenied):
        services.case_assign(
            case=case, lead_counsellor=beratung2, counsellors=[beratung2], by=beratung
        )

    case.refresh_from_db()
    assert (case.lead_counsellor, [u.username for u in case.counsellors.all()]) == (
        beratung,
        ["beratung"],
    )


def test_case_assign_refuses_people_who_cannot_work_on_cases(beratung, leitung, redaktion):
    case = make_case(beratung)

    with pytest.raises(ValidationError) as refused:
        services.case_assign(case=case, lead_counsellor=redaktion, counsellors=[], by=leitung)
    with pytest.raises(ValidationError):
        services.case_assign(
            case=case, lead_counsellor=beratung, counsellors=[redaktion], by=leitung
        )

    assert refused.value.message_dict == {
        "lead_counsellor": ["Diese Person kann keine Fälle übernehmen."]
    }
    case.refresh_from_db()
    assert [u.username for u in case.counsellors.all()] == ["beratung"]


def test_document_add_only_for_people_on_the_case(beratung, beratung2):
    case = make_case(beratung)

    with pytest.raises(PermissionDenied):
        services.document_add(
            case=case,
            title="Fremd",
            kind="protokoll",
            file=SimpleUploadedFile("f.txt", b"x"),
            by=beratung2,
        )
    document = services.document_add(
        case=case,
        title="Protokoll",
        kind="protokoll",
        file=SimpleUploadedFile("p.txt", b"Protokoll"),
        by=beratung,
    )

    assert list(CaseDocument.objects.values_list("title", "uploaded_by")) == [
        ("Protokoll", beratung.pk)
    ]
    assert document.file.read() == b"Protokoll"


def test_a_document_uploaded_in_the_admin_goes_through_the_service(beratung):
    case = make_case(beratung)
    upload = SimpleUploadedFile("sitzung.txt", b"Sitzung am Montag", content_type="text/plain")
    data = case_post(
        case,
        **{
            "documents-TOTAL_FORMS": "1",
            "documents-0-title": "Sitzung",
            "documents-0-kind": "protokoll",
            "documents-0-file": upload,
        },
    )

    response = login(beratung).post(f"/admin/counselling/case/{case.pk}/change/", data)

    assert response.status_code == 302
    document = CaseDocument.objects.get()
    assert (document.title, document.kind, document.uploaded_by) == (
        "Sitzung",
        "protokoll",
        beratung,
    )
    assert document.file.read() == b"Sitzung am Montag"


def test_a_refused_status_change_in_the_admin_saves_nothing(beratung):
    case = make_case(beratung)

    response = login(beratung).post(
        f"/admin/counselling/case/{case.pk}/change/",
        case_post(case, title="Neuer Titel", status="abschluss"),
    )

    case.refresh_from_db()
    assert (case.status, case.title) == ("anfrage", "Vertraulich: Streit um Moschee")
    assert response.status_code == 200
    assert texts(response, ".errorlist li") == [
        "Der Status kann nicht von „Anfrage“ zu „Abschluss“ wechseln. "
        "Möglich ist: Erstgespräch, Abgelehnt."
    ]
