"""Who may open which request: a request that became a case is as closed as the case."""

import pytest
from django.contrib.auth.models import Permission

from counselling import services
from counselling.models import Case
from tests.counselling.case_helpers import history_url, login
from tests.factories import CounsellingRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_counsellor_sees_open_requests_and_those_of_own_cases_only(beratung, beratung2):
    open_request = CounsellingRequestFactory(institution="Gemeinde Offen")
    own = CounsellingRequestFactory(institution="Gemeinde Eigen")
    others = CounsellingRequestFactory(institution="Gemeinde Fremd", situation="GEHEIM")
    own_case = services.case_create_from_request(request=own, by=beratung2)
    services.case_create_from_request(request=others, by=beratung)
    client = login(beratung2)

    listed = client.get("/admin/counselling/counsellingrequest/")
    foreign = client.get(f"/admin/counselling/counsellingrequest/{others.pk}/change/")
    mine = client.get(f"/admin/counselling/counsellingrequest/{own.pk}/change/")

    assert sorted(r.institution for r in listed.context["cl"].result_list) == [
        "Gemeinde Eigen",
        "Gemeinde Offen",
    ]
    assert foreign.status_code == 404
    assert b"GEHEIM" not in foreign.content
    assert mine.status_code == 200
    case_href = f'<a href="/admin/counselling/case/{own_case.pk}/change/">{own_case.reference}</a>'
    assert case_href in mine.content.decode()
    assert open_request.pk in [r.pk for r in listed.context["cl"].result_list]
    for url in [
        f"/admin/counselling/counsellingrequest/{others.pk}/history/",
        history_url(others, others.history.first()),
        f"/admin/counselling/counsellingrequest/{others.pk}/delete/",
    ]:
        assert client.get(url).status_code == 404, url


def test_the_request_page_does_not_link_a_case_the_user_may_not_see(beratung, beratung2):
    request = CounsellingRequestFactory()
    case = services.case_create_from_request(request=request, by=beratung)
    # Reassigned by Leitung: beratung2 still has the case, beratung no longer.
    case.counsellors.set([beratung2])
    Case.objects.filter(pk=case.pk).update(lead_counsellor=beratung2)

    response = login(beratung).get(f"/admin/counselling/counsellingrequest/{request.pk}/change/")

    assert response.status_code == 404


def test_leitung_sees_the_case_link_with_the_reference_only(leitung):
    request = CounsellingRequestFactory()
    case = services.case_create_from_request(request=request, by=leitung)
    Case.objects.filter(pk=case.pk).update(title="Vertraulich: Bürgermeister bedroht")

    page = login(leitung).get(f"/admin/counselling/counsellingrequest/{request.pk}/change/")

    html = page.content.decode()
    assert f'<a href="/admin/counselling/case/{case.pk}/change/">{case.reference}</a>' in html
    assert "Bürgermeister bedroht" not in html


def test_case_and_request_names_are_their_references_only(beratung):
    request = CounsellingRequestFactory(institution="Gemeinde Geheimdorf")
    case = services.case_create_from_request(request=request, by=beratung)

    assert (str(case), str(request)) == (case.reference, request.reference)


# --- The named rules on a request object -------------------------------------------------------

REQUEST_RULES = ["view_counsellingrequest", "change_counsellingrequest", "make_case"]


def test_request_rules_for_each_person(beratung, beratung2, leitung, redaktion):
    open_request = CounsellingRequestFactory()
    taken = CounsellingRequestFactory()
    services.case_create_from_request(request=taken, by=beratung)
    people = {"beratung": beratung, "beratung2": beratung2, "leitung": leitung}
    people["redaktion"] = redaktion

    answers = {
        who: [
            [user.has_perm(f"counselling.{rule}", request) for rule in REQUEST_RULES]
            for request in (open_request, taken)
        ]
        for who, user in people.items()
    }

    assert answers == {
        "beratung": [[True, True, True], [True, True, True]],
        "beratung2": [[True, True, True], [False, False, False]],
        "leitung": [[True, True, True], [True, True, True]],
        "redaktion": [[False, False, False], [False, False, False]],
    }


def test_making_a_case_needs_the_permissions_not_the_group(beratung):
    request = CounsellingRequestFactory()
    reader = UserFactory(username="leser")
    reader.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_counsellingrequest", "view_case"])
    )
    url = "/admin/counselling/counsellingrequest/"
    data = {"action": "make_case", "_selected_action": [request.pk]}

    refused = login(reader).post(url, data)
    made_by_reader = Case.objects.count()
    made = login(beratung).post(url, data)

    # The action is not offered to the reader: the list again, no case.
    assert (refused.status_code, made_by_reader, made.status_code) == (200, 0, 302)
    assert list(Case.objects.values_list("request", "lead_counsellor")) == [
        (request.pk, beratung.pk)
    ]
