"""Right of access (Art. 15 DSGVO): the admin action exports one requester's data."""

import json

import pytest

from counselling import services
from counselling.models import CounsellingRequest, OutboxMessage
from tests.factories import CounsellingRequestFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/counselling/counsellingrequest/"


@pytest.fixture
def requests_of_erika():
    topic = TopicFactory(name="Konflikte im öffentlichen Raum")
    first = CounsellingRequestFactory(
        reference="ANF-2026-AAAAAA", email="Erika@Musterdorf.example", phone="0345 1"
    )
    first.topics.set([topic])
    second = CounsellingRequestFactory(
        reference="ANF-2026-BBBBBB", email="erika@musterdorf.example", situation="Zweiter Anlauf"
    )
    other = CounsellingRequestFactory(
        reference="ANF-2026-CCCCCC", email="otto@anderswo.example", contact_name="Otto Anders"
    )
    OutboxMessage.objects.create(
        kind="bestaetigung",
        request=first,
        to="erika@musterdorf.example",
        subject="Ihre Anfrage ANF-2026-AAAAAA",
        body="Danke.",
    )
    OutboxMessage.objects.create(
        kind="bestaetigung",
        request=other,
        to="otto@anderswo.example",
        subject="Ihre Anfrage ANF-2026-CCCCCC",
        body="Danke.",
    )
    return first, second, other


def _export(client, user, selected):
    client.force_login(user)
    return client.post(
        CHANGELIST,
        {"action": "export_requester_data", "_selected_action": [r.pk for r in selected]},
    )


def test_leitung_exports_everything_about_one_requester(client, leitung, requests_of_erika):
    first, second, _other = requests_of_erika
    case = services.case_create_from_request(request=second, by=leitung)

    response = _export(client, leitung, [first])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="auskunft-ANF-2026-AAAAAA.json"'
    data = json.loads(response.content)
    assert data["subject"] == "erika@musterdorf.example"
    assert [r["reference"] for r in data["requests"]] == ["ANF-2026-AAAAAA", "ANF-2026-BBBBBB"]
    assert data["requests"][0]["phone"] == "0345 1"
    assert data["requests"][0]["topics"] == ["Konflikte im öffentlichen Raum"]
    assert data["requests"][0]["consent_notice_version"] == "2026-01"
    assert data["requests"][0]["case"] is None
    assert data["requests"][1]["situation"] == "Zweiter Anlauf"
    assert data["requests"][1]["case"]["reference"] == case.reference
    assert [h["change"] for h in data["requests"][1]["history"]] == ["angelegt", "geändert"]
    assert [m["subject"] for m in data["emails_sent"]] == ["Ihre Anfrage ANF-2026-AAAAAA"]
    assert "Otto Anders" not in response.content.decode()
    assert "otto@anderswo.example" not in response.content.decode()


def test_export_refuses_a_selection_of_several_people(client, leitung, requests_of_erika):
    first, _second, other = requests_of_erika
    response = _export(client, leitung, [first, other])
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Bitte Anfragen genau einer Person (einer E-Mail-Adresse) auswählen." in page


def test_beratung_has_no_export_action(client, beratung, requests_of_erika):
    client.force_login(beratung)
    page = client.get(CHANGELIST).content.decode()
    assert "export_requester_data" not in page
    response = _export(client, beratung, [requests_of_erika[0]])
    # An action the user may not run is not offered: no JSON, back to the list.
    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    assert CounsellingRequest.objects.count() == 3


def test_superuser_may_export(client, requests_of_erika):
    admin = UserFactory(username="chef", is_superuser=True)
    assert _export(client, admin, [requests_of_erika[1]]).status_code == 200
