"""Who may open the leadership pages and the exports: rules, not group names.

The pages check `counselling.view_statistics`, the case export
`counselling.export_cases`, the personal columns and the Art. 15 export
`counselling.see_requester_data` (counselling/permissions.py).
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from counselling.leadership_views import may_see_requester_data
from counselling.models import CaseAccessLog
from counselling.permissions import LEITUNG
from tests.counselling.case_helpers import login
from tests.counselling.leadership_helpers import (
    _german,  # noqa: F401 - autouse fixture
    csv_rows,
)
from tests.factories import CounsellingRequestFactory, UserFactory
from tests.html import links, texts

pytestmark = pytest.mark.django_db

CONTACT_COLUMNS = ["Institution (Anfrage)", "Ansprechperson (Anfrage)"]


def _perms(*codenames):
    return Permission.objects.filter(content_type__app_label="counselling", codename__in=codenames)


def _leadership_links(client):
    return links(client.get(reverse("admin:index")), "#leadership-module a")


def test_view_statistics_without_the_group_opens_the_leadership_pages():
    analyst = UserFactory(username="analyst")
    analyst.user_permissions.add(*_perms("view_statistics"))
    client = login(analyst)

    codes = [
        client.get(reverse(name)).status_code
        for name in ["leadership:funder_report", "leadership:case_export"]
    ]

    # The pages yes; the export of all cases needs view_all_cases too.
    assert codes == [200, 403]
    assert _leadership_links(client) == [
        (reverse("leadership:dashboard"), "Übersicht und Statistik"),
        (reverse("leadership:funder_report"), "Förderbericht"),
    ]


def test_the_group_without_view_statistics_is_refused(leitung):
    Group.objects.get(name=LEITUNG).permissions.remove(*_perms("view_statistics"))
    client = login(leitung)

    response = client.get(reverse("leadership:funder_report"))

    assert response.status_code == 403
    assert texts(response, "h1") == ["Kein Zugriff"]
    assert client.get(reverse("leadership:case_export")).status_code == 403
    assert _leadership_links(client) == []


def test_the_export_leaves_out_contact_data_without_see_requester_data():
    CounsellingRequestFactory()
    exporter = UserFactory(username="export")
    exporter.user_permissions.add(*_perms("view_statistics", "view_all_cases", "view_case"))
    assert may_see_requester_data(exporter) is False

    header = csv_rows(login(exporter).get(reverse("leadership:case_export")))[0]

    assert [column for column in CONTACT_COLUMNS if column in header] == []
    exporter.user_permissions.add(*_perms("view_counsellingrequest"))
    exporter = type(exporter).objects.get(pk=exporter.pk)  # fresh permission cache
    header = csv_rows(login(exporter).get(reverse("leadership:case_export")))[0]
    assert [column for column in CONTACT_COLUMNS if column in header] == CONTACT_COLUMNS


def test_the_art_15_export_follows_see_requester_data(beratung, leitung):
    request = CounsellingRequestFactory(email="erika@musterhausen.example")
    data = {"action": "export_requester_data", "_selected_action": [request.pk]}
    url = "/admin/counselling/counsellingrequest/"

    refused = login(beratung).post(url, data)
    logged_after_refusal = CaseAccessLog.objects.filter(via=CaseAccessLog.Via.EXPORT).count()
    answered = login(leitung).post(url, data)

    # An action the user may not run is not offered: back to the list, nothing exported.
    assert (refused.status_code, refused["Location"], logged_after_refusal) == (302, url, 0)
    assert answered.status_code == 200
    assert answered["Content-Type"] == "application/json; charset=utf-8"
    assert list(CaseAccessLog.objects.values_list("user__username", "via")) == [
        ("leitung", CaseAccessLog.Via.EXPORT)
    ]
