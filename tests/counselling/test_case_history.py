"""Old versions of cases and requests: read-only, and looking at them is logged."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from counselling import services
from counselling.models import CaseAccessLog
from tests.counselling.case_helpers import case_post, history_url, login, make_case
from tests.factories import CounsellingRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_old_case_version_cannot_be_saved_back(beratung):
    case = make_case(beratung)
    first = case.history.earliest("history_date")
    for status in ["erstgespraech", "auftragsklaerung", "beratung", "abschluss"]:
        services.case_change_status(case=case, status=status, by=beratung)
    old = first.instance

    response = login(beratung).post(history_url(case, first), case_post(old))

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == "abschluss"
    assert [c.to_status for c in case.status_changes.all()] == [
        "anfrage",
        "erstgespraech",
        "auftragsklaerung",
        "beratung",
        "abschluss",
    ]


def test_a_view_only_user_cannot_write_through_the_history_form(beratung):
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_case", "view_all_cases"])
    )
    case = make_case(beratung)
    client = login(viewer)

    response = client.post(
        history_url(case, case.history.first()), case_post(case, title="vom Leser geändert")
    )

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.title == "Vertraulich: Streit um Moschee"


def test_an_old_request_version_cannot_be_saved_back(leitung):
    request = CounsellingRequestFactory(status="neu")
    first = request.history.first()
    request.status = "abgelehnt"
    request.save()

    client = login(leitung)

    response = client.post(history_url(request, first), {"status": "neu"})

    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == "abgelehnt"
    assert client.get(history_url(request, first)).status_code == 200
    history = client.get(f"/admin/counselling/counsellingrequest/{request.pk}/history/")
    assert history.status_code == 200
    # Looking at the old version (not the refused POST) is in the access log.
    assert list(CaseAccessLog.objects.values_list("case_reference", "detail")) == [
        (request.reference, f"Anfrage, Fassung Nr. {first.pk}")
    ]


def test_looking_at_an_old_case_version_is_logged(beratung):
    case = make_case(beratung)
    version = case.history.first()

    response = login(beratung).get(history_url(case, version))

    assert response.status_code == 200
    assert list(CaseAccessLog.objects.values_list("user", "case", "via", "detail")) == [
        (beratung.pk, case.pk, "verlauf", f"Fassung Nr. {version.history_id}")
    ]


def test_looking_at_the_list_of_versions_is_logged(beratung):
    case = make_case(beratung)

    response = login(beratung).get(f"/admin/counselling/case/{case.pk}/history/")

    assert response.status_code == 200
    assert list(CaseAccessLog.objects.values_list("user", "via", "detail")) == [
        (beratung.pk, "verlauf", "Liste der Fassungen")
    ]


def test_an_unknown_version_is_a_404_and_not_logged(beratung):
    case = make_case(beratung)
    client = login(beratung)
    base = reverse("admin:counselling_case_history", args=[case.pk])

    assert client.get(f"{base}999999/").status_code == 404
    assert client.get(f"{base}abc/").status_code == 404
    assert CaseAccessLog.objects.count() == 0
