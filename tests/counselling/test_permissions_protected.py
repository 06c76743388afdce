"""Delete pages of municipalities and projects do not reveal which of them have cases."""

import pytest

from counselling import services
from tests.counselling.case_helpers import login
from tests.factories import MunicipalityFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_redaktion_does_not_learn_which_municipality_has_a_case(beratung, redaktion):
    with_case, without = MunicipalityFactory(), MunicipalityFactory()
    case = services.case_create(
        by=beratung, title="Vertraulich", lead_counsellor=beratung, municipality=with_case
    )
    client = login(redaktion)

    page = client.get(f"/admin/projects/municipality/{with_case.pk}/delete/")
    refused = client.post(f"/admin/projects/municipality/{with_case.pk}/delete/", {"post": "yes"})

    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["protected"] == [
        "Einträge in einem vertraulichen Bereich, die Sie nicht sehen können. "
        "Bitte wenden Sie sich an die Leitung."
    ]
    assert page.context["perms_lacking"] == set()
    assert "Fall" not in html
    assert case.reference not in html
    assert refused.status_code == 200
    assert with_case.__class__.objects.filter(pk=with_case.pk).exists()
    free = client.get(f"/admin/projects/municipality/{without.pk}/delete/")
    assert free.context["protected"] == []


def test_redaktion_does_not_learn_which_project_funds_a_case(beratung, redaktion):
    project = ProjectFactory()
    services.case_create(by=beratung, title="x", lead_counsellor=beratung, project=project)

    page = login(redaktion).get(f"/admin/projects/project/{project.pk}/delete/")

    assert page.context["protected"] == [
        "Einträge in einem vertraulichen Bereich, die Sie nicht sehen können. "
        "Bitte wenden Sie sich an die Leitung."
    ]
    assert "Fall" not in page.content.decode()


def test_leitung_sees_which_case_protects_a_municipality(beratung, leitung):
    municipality = MunicipalityFactory()
    case = services.case_create(
        by=beratung, title="x", lead_counsellor=beratung, municipality=municipality
    )

    page = login(leitung).get(f"/admin/projects/municipality/{municipality.pk}/delete/")

    assert page.context["protected"] == [
        f'Fall: <a href="/admin/counselling/case/{case.pk}/change/">{case.reference}</a>'
    ]
