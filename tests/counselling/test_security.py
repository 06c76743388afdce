"""Regression tests for the security review of the back office (findings 1–8).

Each test shows the safe behaviour that replaced a hole the review demonstrated.
"""

import datetime
import os

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from counselling import reports, services
from counselling.checks import check_private_media_root
from counselling.leadership_views import csv_safe
from counselling.models import (
    Activity,
    Case,
    CaseAccessLog,
    CaseDocument,
    CaseStatusChange,
    CounsellingRequest,
    OutboxMessage,
)
from kkk_portal.enums import Bundesland
from tests.factories import (
    CounsellingRequestFactory,
    MunicipalityFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FORM_URL = "/beratung-anfragen/"


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def _case(lead, *, title="Vertraulich: Streit um Moschee", counsellors=None):
    return services.case_create(
        by=lead, title=title, lead_counsellor=lead, counsellors=counsellors or [lead]
    )


def _case_post(case, **overrides):
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


def _history_url(case_or_request, version):
    name = case_or_request._meta.model_name
    return reverse(
        f"admin:counselling_{name}_simple_history", args=[case_or_request.pk, version.history_id]
    )


# --- 1. Old versions are read-only and their viewing is logged ---------------------------


def test_an_old_case_version_cannot_be_saved_back(beratung):
    case = _case(beratung)
    first = case.history.earliest("history_date")
    for status in ["erstgespraech", "auftragsklaerung", "beratung", "abschluss"]:
        services.case_change_status(case=case, status=status, by=beratung)
    old = first.instance

    response = _login(beratung).post(_history_url(case, first), _case_post(old))

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
    case = _case(beratung)
    client = _login(viewer)

    response = client.post(
        _history_url(case, case.history.first()), _case_post(case, title="vom Leser geändert")
    )

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.title == "Vertraulich: Streit um Moschee"


def test_an_old_request_version_cannot_be_saved_back(leitung):
    request = CounsellingRequestFactory(status="neu")
    first = request.history.first()
    request.status = "abgelehnt"
    request.save()

    client = _login(leitung)

    response = client.post(_history_url(request, first), {"status": "neu"})

    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == "abgelehnt"
    assert client.get(_history_url(request, first)).status_code == 200
    history = client.get(f"/admin/counselling/counsellingrequest/{request.pk}/history/")
    assert history.status_code == 200
    # Looking at the old version (not the refused POST) is in the access log.
    assert list(CaseAccessLog.objects.values_list("case_reference", "detail")) == [
        (request.reference, f"Anfrage, Fassung Nr. {first.pk}")
    ]


def test_looking_at_an_old_case_version_is_logged(beratung):
    case = _case(beratung)
    version = case.history.first()

    response = _login(beratung).get(_history_url(case, version))

    assert response.status_code == 200
    assert list(CaseAccessLog.objects.values_list("user", "case", "via", "detail")) == [
        (beratung.pk, case.pk, "verlauf", f"Fassung Nr. {version.history_id}")
    ]


def test_looking_at_the_list_of_versions_is_logged(beratung):
    case = _case(beratung)

    response = _login(beratung).get(f"/admin/counselling/case/{case.pk}/history/")

    assert response.status_code == 200
    assert list(CaseAccessLog.objects.values_list("user", "via", "detail")) == [
        (beratung.pk, "verlauf", "Liste der Fassungen")
    ]


def test_an_unknown_version_is_a_404_and_not_logged(beratung):
    case = _case(beratung)
    client = _login(beratung)
    base = reverse("admin:counselling_case_history", args=[case.pk])

    assert client.get(f"{base}999999/").status_code == 404
    assert client.get(f"{base}abc/").status_code == 404
    assert CaseAccessLog.objects.count() == 0


# --- 2. Requests of other people's cases are as closed as the cases ---------------------------


def test_a_counsellor_sees_open_requests_and_those_of_own_cases_only(beratung, beratung2):
    open_request = CounsellingRequestFactory(institution="Gemeinde Offen")
    own = CounsellingRequestFactory(institution="Gemeinde Eigen")
    others = CounsellingRequestFactory(institution="Gemeinde Fremd", situation="GEHEIM")
    own_case = services.case_create_from_request(request=own, by=beratung2)
    services.case_create_from_request(request=others, by=beratung)
    client = _login(beratung2)

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
        _history_url(others, others.history.first()),
        f"/admin/counselling/counsellingrequest/{others.pk}/delete/",
    ]:
        assert client.get(url).status_code == 404, url


def test_the_request_page_does_not_link_a_case_the_user_may_not_see(beratung, beratung2):
    request = CounsellingRequestFactory()
    case = services.case_create_from_request(request=request, by=beratung)
    # Reassigned by Leitung: beratung2 still has the case, beratung no longer.
    case.counsellors.set([beratung2])
    Case.objects.filter(pk=case.pk).update(lead_counsellor=beratung2)

    response = _login(beratung).get(f"/admin/counselling/counsellingrequest/{request.pk}/change/")

    assert response.status_code == 404


def test_leitung_sees_the_case_link_with_the_reference_only(leitung):
    request = CounsellingRequestFactory()
    case = services.case_create_from_request(request=request, by=leitung)
    Case.objects.filter(pk=case.pk).update(title="Vertraulich: Bürgermeister bedroht")

    page = _login(leitung).get(f"/admin/counselling/counsellingrequest/{request.pk}/change/")

    html = page.content.decode()
    assert f'<a href="/admin/counselling/case/{case.pk}/change/">{case.reference}</a>' in html
    assert "Bürgermeister bedroht" not in html


def test_case_and_request_names_are_their_references_only(beratung):
    request = CounsellingRequestFactory(institution="Gemeinde Geheimdorf")
    case = services.case_create_from_request(request=request, by=beratung)

    assert (str(case), str(request)) == (case.reference, request.reference)


# --- 3. Deleting leaves no files and no copies ------------------------------------------------


def _document(case, name="p.txt"):
    return CaseDocument.objects.create(
        case=case, title="Protokoll", file=SimpleUploadedFile(name, b"secret")
    )


def test_a_document_deleted_in_the_admin_loses_its_file(
    beratung, django_capture_on_commit_callbacks
):
    case = _case(beratung)
    document = _document(case)
    path = document.file.path
    data = _case_post(
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
        response = _login(beratung).post(f"/admin/counselling/case/{case.pk}/change/", data)

    assert response.status_code == 302
    assert CaseDocument.objects.count() == 0
    assert not os.path.exists(path)


def test_a_replaced_document_file_is_removed(beratung, django_capture_on_commit_callbacks):
    case = _case(beratung)
    document = _document(case, "alt.txt")
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
    document = _document(_case(beratung))

    with django_capture_on_commit_callbacks(execute=True):
        document.title = "Neuer Titel"
        document.save()

    assert os.path.exists(document.file.path)


def test_deleting_a_request_in_the_admin_leaves_no_copies(leitung):
    request = services.request_submit(
        data={
            "institution": "Gemeinde Geheimdorf",
            "body_kind": "gemeinde",
            "state": "ST",
            "contact_name": "Erika Geheim",
            "email": "erika@geheim.example",
            "contact_preference": "email",
            "situation": "GEHEIMER SACHVERHALT",
            "conflict_type": "akut",
            "urgency": "mittel",
        }
    )
    client = _login(leitung)
    client.get(f"/admin/counselling/counsellingrequest/{request.pk}/change/")
    client.post(
        f"/admin/counselling/counsellingrequest/{request.pk}/change/", {"status": "neu"}
    )

    response = client.post(
        f"/admin/counselling/counsellingrequest/{request.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert CounsellingRequest.objects.count() == 0
    assert CounsellingRequest.history.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert sorted(LogEntry.objects.values_list("action_flag", "object_repr", "change_message")) == [
        (2, request.reference, ""),
        (3, request.reference, ""),
    ]


def test_deleting_requests_with_the_list_action_leaves_no_copies(leitung):
    requests = CounsellingRequestFactory.create_batch(2, situation="GEHEIM")

    response = _login(leitung).post(
        "/admin/counselling/counsellingrequest/",
        {"action": "delete_selected", "_selected_action": [r.pk for r in requests], "post": "yes"},
    )

    assert response.status_code == 302
    assert CounsellingRequest.objects.count() == 0
    assert CounsellingRequest.history.count() == 0


def test_deleting_a_case_in_the_admin_leaves_no_copies(
    beratung, leitung, django_capture_on_commit_callbacks
):
    case = _case(beratung, title="Vertraulich: Drohbriefe")
    Activity.objects.create(case=case, kind="gespraech", note="NOTIZ-GEHEIM")
    document = _document(case)
    path = document.file.path
    services.case_access_log(case=case, user=beratung, via="dokument", detail="Protokoll")
    reference = case.reference

    with django_capture_on_commit_callbacks(execute=True):
        response = _login(leitung).post(
            f"/admin/counselling/case/{case.pk}/delete/", {"post": "yes"}
        )

    assert response.status_code == 302
    assert Case.objects.count() == 0
    assert Case.history.count() == 0
    assert Activity.history.count() == 0
    assert CaseStatusChange.objects.count() == 0
    assert not os.path.exists(path)
    assert list(CaseAccessLog.objects.values_list("case", "case_reference", "detail")) == [
        (None, reference, "")
    ]
    assert list(LogEntry.objects.values_list("action_flag", "object_repr")) == [(3, reference)]


def test_counsellors_still_cannot_delete_cases(beratung):
    case = _case(beratung)

    response = _login(beratung).post(f"/admin/counselling/case/{case.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Case.objects.count() == 1


# --- 4. Anonymising also scrubs the admin's log ---------------------------------------------


def test_anonymising_a_case_scrubs_its_log_entries(beratung):
    request = CounsellingRequestFactory(institution="Gemeinde Geheimdorf")
    case = services.case_create_from_request(request=request, by=beratung)
    client = _login(beratung)
    client.post(
        f"/admin/counselling/case/{case.pk}/change/",
        _case_post(
            case,
            title="Vertraulich: Drohbriefe an BM Meier",
            **{
                "activities-TOTAL_FORMS": "1",
                "activities-0-date": "03.11.2026",
                "activities-0-kind": "workshop",
                "activities-0-participants": "3",
            },
        ),
    )
    client.post(
        f"/admin/counselling/counsellingrequest/{request.pk}/change/", {"status": "fall"}
    )
    LogEntry.objects.update(object_repr="Vertraulich: Drohbriefe an BM Meier")

    services.case_anonymise(case)

    assert sorted(LogEntry.objects.values_list("object_repr", "change_message")) == sorted(
        [(case.reference, ""), (request.reference, "")]
    )
    assert "Drohbriefe" not in client.get("/admin/").content.decode()


def test_anonymising_a_request_scrubs_its_log_entries(leitung):
    request = CounsellingRequestFactory(institution="Gemeinde Geheimdorf")
    client = _login(leitung)
    client.post(
        f"/admin/counselling/counsellingrequest/{request.pk}/change/", {"status": "neu"}
    )
    LogEntry.objects.update(object_repr="ANF – Gemeinde Geheimdorf")

    services.request_anonymise(request)

    assert list(LogEntry.objects.values_list("object_repr", "change_message")) == [
        (request.reference, "")
    ]


# --- 5. Delete pages of municipalities and projects do not reveal cases ------------------------


def test_redaktion_does_not_learn_which_municipality_has_a_case(beratung, redaktion):
    with_case, without = MunicipalityFactory(), MunicipalityFactory()
    case = services.case_create(
        by=beratung, title="Vertraulich", lead_counsellor=beratung, municipality=with_case
    )
    client = _login(redaktion)

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

    page = _login(redaktion).get(f"/admin/projects/project/{project.pk}/delete/")

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

    page = _login(leitung).get(f"/admin/projects/municipality/{municipality.pk}/delete/")

    assert page.context["protected"] == [
        f'Fall: <a href="/admin/counselling/case/{case.pk}/change/">{case.reference}</a>'
    ]


# --- 6. Only Leitung assigns counsellors -----------------------------------------------------


def test_a_counsellor_cannot_reassign_a_case(beratung, beratung2):
    case = _case(beratung, counsellors=[beratung, beratung2])

    response = _login(beratung2).post(
        f"/admin/counselling/case/{case.pk}/change/",
        _case_post(case, lead_counsellor=str(beratung2.pk), counsellors=[str(beratung2.pk)]),
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.lead_counsellor == beratung
    assert sorted(u.username for u in case.counsellors.all()) == ["beratung", "beratung2"]


def test_a_counsellor_creating_a_case_leads_it(beratung, beratung2):
    data = {
        **_case_post(Case(title="Neu", status="anfrage", conflict_type="unklar", state="ST")),
        "counsellors": [str(beratung2.pk)],
        "lead_counsellor": str(beratung2.pk),
    }

    response = _login(beratung).post("/admin/counselling/case/add/", data)

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.lead_counsellor == beratung
    assert [u.username for u in case.counsellors.all()] == ["beratung"]


def test_leitung_assigns_counsellors(beratung, beratung2, leitung):
    case = _case(beratung)

    response = _login(leitung).post(
        f"/admin/counselling/case/{case.pk}/change/",
        _case_post(case, lead_counsellor=str(beratung2.pk), counsellors=[str(beratung2.pk)]),
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.lead_counsellor == beratung2
    assert [u.username for u in case.counsellors.all()] == ["beratung2"]


# --- 7. Rate limit: the right address, counted before saving ---------------------------------


def _submit(client, data, **extra):
    return client.post(FORM_URL, data, **extra).status_code


def test_forwarded_for_is_ignored_without_trusted_proxies(client, valid_request_data, settings):
    settings.COUNSELLING_RATE_LIMIT = 2
    codes = [
        _submit(client, valid_request_data, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(3)
    ]

    assert codes == [302, 302, 429]
    assert CounsellingRequest.objects.count() == 2


def test_forwarded_for_counts_behind_a_trusted_proxy(client, valid_request_data, settings):
    settings.COUNSELLING_RATE_LIMIT = 1
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appends the address it saw; what the client sent before it is ignored.
    codes = [
        _submit(client, valid_request_data, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1"),
        _submit(client, valid_request_data, HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.1"),
        _submit(client, valid_request_data, HTTP_X_FORWARDED_FOR="198.51.100.2"),
    ]

    assert codes == [302, 429, 302]
    assert CounsellingRequest.objects.count() == 2


def test_the_sixth_submission_in_the_window_is_refused_before_saving(
    client, valid_request_data, settings
):
    settings.COUNSELLING_RATE_LIMIT = 5
    codes = [_submit(client, valid_request_data) for _ in range(6)]

    assert codes == [302, 302, 302, 302, 302, 429]
    assert CounsellingRequest.objects.count() == 5


# --- 8. Outbox messages are read-only -------------------------------------------------------


def test_an_outbox_status_cannot_be_changed_in_the_admin(leitung, mailoutbox):
    request = CounsellingRequestFactory()
    pending = OutboxMessage.objects.create(request=request, kind="bestaetigung", to="a@b.c")
    sent = OutboxMessage.objects.create(
        request=request,
        kind="bestaetigung",
        to="a@b.c",
        status="gesendet",
        sent_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
    )
    client = _login(leitung)

    codes = [
        client.post(f"/admin/counselling/outboxmessage/{pending.pk}/change/", {"status": s})
        for s in ["gesendet"]
    ] + [client.post(f"/admin/counselling/outboxmessage/{sent.pk}/change/", {"status": "wartend"})]

    assert [r.status_code for r in codes] == [403, 403]
    assert list(OutboxMessage.objects.order_by("pk").values_list("status", flat=True)) == [
        "wartend",
        "gesendet",
    ]
    page = client.get(f"/admin/counselling/outboxmessage/{sent.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()


def test_failed_outbox_messages_are_retried_with_the_action(leitung):
    failed = OutboxMessage.objects.create(kind="bestaetigung", to="a@b.c", status="fehlgeschlagen")

    response = _login(leitung).post(
        "/admin/counselling/outboxmessage/", {"action": "retry", "_selected_action": [failed.pk]}
    )

    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.tries) == ("wartend", 0)


# --- Lesser findings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" =HYPERLINK(1)", "' =HYPERLINK(1)"),
        ("\n+1", "'\n+1"),
        ("Gemeinde = Rat", "Gemeinde = Rat"),
    ],
)
def test_csv_cells_with_a_formula_after_spaces_are_defused(value, expected):
    assert csv_safe(value) == expected


def test_a_row_with_activities_but_no_case_is_suppressed():
    table = reports._funder_table(
        {"ST": 5}, {"ST": (4, 40), "SN": (2, 9)}, Bundesland.choices, unknown_label="?", total=None
    )

    assert [(r.label, r.small, r.hidden) for r in table.rows] == [
        ("Sachsen", True, False),
        ("Sachsen-Anhalt", False, True),
    ]


def test_two_small_rows_need_no_further_suppression():
    table = reports._funder_table(
        {"BY": 1, "SN": 2, "ST": 9}, {}, Bundesland.choices, unknown_label="?", total=None
    )

    assert [(r.label, r.small, r.hidden) for r in table.rows] == [
        ("Bayern", True, False),
        ("Sachsen", True, False),
        ("Sachsen-Anhalt", False, False),
    ]


def test_private_media_inside_public_folders_is_a_system_error(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    assert check_private_media_root() == []

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media" / "private"
    assert [(e.id, e.msg) for e in check_private_media_root()] == [
        (
            "counselling.E001",
            f"PRIVATE_MEDIA_ROOT ({tmp_path}/media/private) lies inside MEDIA_ROOT "
            f"({tmp_path}/media).",
        )
    ]
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "static"
    assert [e.id for e in check_private_media_root()] == ["counselling.E001"]
