"""Workspace request and case pages: "Fall anlegen", request text, timeline, choices, speed."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from counselling import services
from counselling.models import (
    Activity,
    Case,
    CaseDocument,
    CaseStatusChange,
    CounsellingRequest,
    OutboxMessage,
    StaffProfile,
)
from counselling.selectors import full_name
from tests.factories import ActivityFactory, CounsellingRequestFactory, UserFactory
from tests.html import doc, text_of

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save()
    return user


# --- "Fall anlegen" -------------------------------------------------------------------


def test_make_case_button_creates_the_case_and_opens_it(beratung):
    request = CounsellingRequestFactory(
        institution="Gemeinde Musterdorf",
        situation="Streit um den Marktplatz.\nSeit dem Sommer.",
        involved="Gemeinderat, Bürgerinitiative",
        urgency=CounsellingRequest.Urgency.HIGH,
        contact_preference=CounsellingRequest.ContactPreference.PHONE,
    )
    client = _login(beratung)
    page = client.get(f"/admin/counselling/counsellingrequest/{request.pk}/change/")
    action = f"/admin/counselling/counsellingrequest/{request.pk}/fall-anlegen/"
    assert f'<form method="post" action="{action}"' in page.content.decode()

    response = client.post(action, follow=True)

    case = Case.objects.get()
    assert response.redirect_chain == [(f"/admin/counselling/case/{case.pk}/change/", 302)]
    assert [str(m) for m in response.context["messages"]] == [f"Fall {case.reference} angelegt."]
    assert (case.request, case.lead_counsellor) == (request, beratung)
    request.refresh_from_db()
    assert request.status == CounsellingRequest.Status.CASE
    # What the municipality wrote, read-only on the case page.
    html = response.content.decode()
    [fieldset] = [
        f
        for f in doc(html).select("fieldset")
        if f.h2 is not None and "Anfrage der Kommune" in f.h2.get_text()
    ]
    assert [str(div.decode_contents()) for div in fieldset.select("div.readonly")] == [
        "Streit um den Marktplatz.<br/>Seit dem Sommer.",
        "Gemeinderat, Bürgerinitiative",
        "dringend (innerhalb von Tagen)",
        "Telefon",
        "Erika Mustermann, Bürgermeisterin, erika@musterdorf.example",
    ]
    # The button is gone once the request is a case.
    page = client.get(f"/admin/counselling/counsellingrequest/{request.pk}/change/")
    assert "fall-anlegen" not in page.content.decode()


def test_make_case_only_by_post_and_only_once(beratung):
    request = CounsellingRequestFactory()
    client = _login(beratung)
    url = f"/admin/counselling/counsellingrequest/{request.pk}/fall-anlegen/"

    assert client.get(url).status_code == 405
    client.post(url, follow=True)
    again = client.post(url, follow=True)

    assert Case.objects.count() == 1
    assert [str(m) for m in again.context["messages"]] == [
        f"Zur Anfrage {request.reference} gibt es bereits einen Fall."
    ]
    assert again.redirect_chain == [
        (f"/admin/counselling/counsellingrequest/{request.pk}/change/", 302)
    ]


def test_make_case_refused_without_rights_or_sight(redaktion, beratung, beratung2):
    other = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    free = CounsellingRequestFactory()

    assert (
        _login(beratung2)
        .post(f"/admin/counselling/counsellingrequest/{other.request.pk}/fall-anlegen/")
        .status_code
        == 404
    )
    assert (
        _login(redaktion)
        .post(f"/admin/counselling/counsellingrequest/{free.pk}/fall-anlegen/")
        .status_code
        == 403
    )
    assert Case.objects.count() == 1


def test_request_status_offers_only_what_staff_decide(beratung):
    request = CounsellingRequestFactory()
    client = _login(beratung)
    url = f"/admin/counselling/counsellingrequest/{request.pk}/change/"

    form = client.get(url).context["adminform"].form
    assert [value for value, _label in form.fields["status"].choices] == [
        "neu",
        "abgelehnt",
        "spam",
    ]
    refused = client.post(url, {"status": "fall"})
    assert refused.status_code == 200
    request.refresh_from_db()
    assert request.status == "neu"
    assert client.post(url, {"status": "abgelehnt"}).status_code == 302
    request.refresh_from_db()
    assert request.status == "abgelehnt"


# --- Case page ------------------------------------------------------------------------


def test_timeline_shows_everything_newest_first_with_full_names_in_berlin_time(beratung):
    _named(beratung, "Bea", "Berater")
    case = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    berlin = timezone.get_default_timezone()
    CaseStatusChange.objects.filter(case=case).update(
        changed_at=datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)
    )
    ActivityFactory(
        case=case,
        author=beratung,
        date=datetime.date(2026, 3, 2),
        start_time=datetime.time(10, 30),
        duration_minutes=90,
        place="Rathaus",
        kind=Activity.Kind.TALK,
        participants=4,
        note="Erstgespräch mit der Bürgermeisterin",
    )
    CaseDocument.objects.create(
        case=case,
        title="Protokoll",
        kind=CaseDocument.Kind.MINUTES,
        file=ContentFile(b"%PDF-1.4", name="protokoll.pdf"),
        uploaded_by=beratung,
        uploaded_at=datetime.datetime(2026, 3, 3, 15, 5, tzinfo=berlin),
    )
    OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.REPLY,
        case=case,
        to="erika@musterdorf.example",
        subject="Ihre Anfrage",
        body="Persönlicher Text",
        status=OutboxMessage.Status.SENT,
        sent_at=datetime.datetime(2026, 3, 4, 11, 0, tzinfo=datetime.UTC),
    )
    Case.objects.filter(pk=case.pk).update(
        follow_up_on=datetime.date(2026, 3, 10), follow_up_note="Nachfragen"
    )

    html = _login(beratung).get(f"/admin/counselling/case/{case.pk}/change/").content.decode()

    timeline = doc(html).select_one("section.workspace-timeline")
    entries = [text_of(li) for li in timeline.select("li.workspace-timeline-entry")]
    assert entries == [
        "10.03.2026 Wiedervorlage Nachfragen",
        "04.03.2026, 12:00 E-Mail Ihre Anfrage an erika@musterdorf.example – gesendet "
        "Gesendeter Text Persönlicher Text",
        "03.03.2026, 15:05 Dokument Bea Berater Protokoll (Protokoll)",
        "02.03.2026, 10:30 Aktivität Bea Berater Gespräch, 4 Teilnehmende, 90 Minuten, Rathaus "
        "Erstgespräch mit der Bürgermeisterin",
        "01.03.2026, 09:00 Status Bea Berater Fall angelegt (Status: Anfrage)",
    ]
    assert "beratung" not in text_of(timeline)  # never the username
    assert "Persönlicher Text" not in timeline


def test_lead_counsellor_chosen_from_counsellors_by_full_name(leitung, beratung, redaktion):
    _named(leitung, "Lea", "Leitung")
    _named(beratung, "Bea", "Berater")
    _named(redaktion, "Rita", "Redaktion")
    inactive = UserFactory(username="gone", first_name="Alt", last_name="Weg", is_active=False)
    inactive.groups.add(*beratung.groups.all())
    case = services.case_create_from_request(request=CounsellingRequestFactory(), by=leitung)

    form = (
        _login(leitung).get(f"/admin/counselling/case/{case.pk}/change/").context["adminform"].form
    )

    lead = [label for value, label in form.fields["lead_counsellor"].choices if value]
    assert lead == ["Bea Berater", "Lea Leitung"]
    assert [label for _value, label in form.fields["counsellors"].choices] == lead


def test_confidential_pages_have_no_view_on_site_and_no_empty_inline_rows(beratung):
    case = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    client = _login(beratung)

    pages = [
        f"/admin/counselling/case/{case.pk}/change/",
        f"/admin/counselling/case/{case.pk}/history/",
        f"/admin/counselling/counsellingrequest/{case.request.pk}/change/",
        f"/admin/counselling/counsellingrequest/{case.request.pk}/history/",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "viewsitelink" not in html, url
        assert "/admin/r/" not in html, url
    html = client.get(pages[0]).content.decode()
    assert 'name="activities-TOTAL_FORMS" value="0"' in html
    assert 'name="documents-TOTAL_FORMS" value="0"' in html


def test_counsellor_records_an_appointment_and_a_follow_up(beratung):
    case = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    client = _login(beratung)

    response = client.post(
        f"/admin/counselling/case/{case.pk}/change/",
        {
            "title": case.title,
            "state": case.state,
            "body_kind": case.body_kind,
            "conflict_type": case.conflict_type,
            "status": case.status,
            "follow_up_on": "05.01.2027",
            "follow_up_note": "Termin nachbereiten",
            "activities-TOTAL_FORMS": "1",
            "activities-INITIAL_FORMS": "0",
            "activities-0-date": "04.01.2027",
            "activities-0-start_time": "09:30",
            "activities-0-duration_minutes": "60",
            "activities-0-place": "Rathaus Musterdorf",
            "activities-0-kind": "gespraech",
            "activities-0-participants": "3",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.follow_up_on, case.follow_up_note) == (
        datetime.date(2027, 1, 5),
        "Termin nachbereiten",
    )
    activity = Activity.objects.get()
    assert (activity.start_time, activity.duration_minutes, activity.place, activity.author) == (
        datetime.time(9, 30),
        60,
        "Rathaus Musterdorf",
        beratung,
    )


@pytest.mark.parametrize("role", ["lead", "assigned"])
def test_case_page_needs_at_most_15_queries(leitung, beratung, role, django_assert_max_num_queries):
    if role == "lead":
        case = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    else:  # one of the counsellors, not the lead: membership is asked of the database
        case = services.case_create_from_request(request=CounsellingRequestFactory(), by=leitung)
        case.counsellors.add(beratung)
    for _ in range(20):
        ActivityFactory(case=case, author=beratung)
    for number in range(5):
        CaseDocument.objects.create(
            case=case,
            title=f"Dokument {number}",
            file=ContentFile(b"%PDF-1.4", name=f"d{number}.pdf"),
            uploaded_by=beratung,
        )
    OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.REPLY, case=case, to="a@example.org", subject="s", body="b"
    )
    client = _login(beratung)
    url = f"/admin/counselling/case/{case.pk}/change/"
    client.get(url)  # warm caches (content types) as in a running server

    with django_assert_max_num_queries(15):
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["timeline"]) == 20 + 5 + 1 + 1


# --- Lists ----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_lists_have_a_constant_number_of_queries(
    leitung, beratung, count, django_assert_max_num_queries
):
    for index, request in enumerate(CounsellingRequestFactory.create_batch(count * 2)):
        if index % 2:
            services.case_create_from_request(request=request, by=beratung)
    for user in (beratung, leitung):
        client = _login(user)
        client.get("/admin/counselling/case/")  # warm caches
        with django_assert_max_num_queries(22):
            assert client.get("/admin/counselling/counsellingrequest/").status_code == 200
        with django_assert_max_num_queries(22):
            assert client.get("/admin/counselling/case/").status_code == 200


@pytest.mark.parametrize(
    ("url", "model"),
    [("/admin/counselling/case/", Case), ("/admin/counselling/counsellingrequest/", None)],
)
def test_row_checkboxes_are_the_markup_djangos_admin_script_reads(leitung, beratung, url, model):
    from django.contrib import admin
    from django.contrib.admin import ModelAdmin

    for index, request in enumerate(CounsellingRequestFactory.create_batch(4)):
        if index % 2:
            services.case_create_from_request(request=request, by=beratung)
    model = model or CounsellingRequest
    page = doc(_login(leitung).get(url))

    boxes = page.select("#result_list input.action-select")
    objects = model.objects.filter(pk__in=[int(box["value"]) for box in boxes])
    assert len(boxes) == objects.count() == model.objects.count() > 0
    for box in boxes:
        # What Django's own ModelAdmin.action_checkbox renders for the same row.
        obj = objects.get(pk=box["value"])
        django_box = doc(ModelAdmin.action_checkbox(admin.site._registry[model], obj))
        expected = django_box.select_one("input")
        assert box.attrs == expected.attrs
        assert box["name"] == "_selected_action"
        assert box["aria-label"].endswith(f" - {obj}")
    # The head's "select all" box is still there for admin/js/actions.js.
    assert page.select_one("#result_list thead input#action-toggle") is not None


def test_case_list_rows_read_only_what_the_list_shows(leitung, beratung):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for index, request in enumerate(CounsellingRequestFactory.create_batch(4)):
        if index % 2:
            services.case_create_from_request(request=request, by=beratung)
    client = _login(leitung)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/counselling/case/")

    rows = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and '"counselling_case"."title"' in q["sql"]
    ]
    assert len(rows) == 1
    row_query = rows[0]
    # The lead counsellor's name is a column; the request's texts, the place and the
    # project are read on the case page only.
    assert 'JOIN "auth_user"' in row_query
    for table in ("counselling_counsellingrequest", "projects_municipality", "projects_project"):
        assert f'JOIN "{table}"' not in row_query
    names = [
        text_of(cell) for cell in doc(response).select("#result_list td.field-lead_counsellor_name")
    ]
    assert full_name(beratung) in names
    # The case page still shows what the municipality wrote.
    case = Case.objects.first()
    page = client.get(f"/admin/counselling/case/{case.pk}/change/")
    assert case.request.reference in text_of(doc(page).select_one(".field-request_link"))
    assert text_of(doc(page).select_one(".field-request_situation .readonly")) == " ".join(
        case.request.situation.split()
    )


def test_case_list_filters_mine_due_unassigned(leitung, beratung):
    today = timezone.localdate()
    mine = services.case_create_from_request(request=CounsellingRequestFactory(), by=leitung)
    due = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    Case.objects.filter(pk=due.pk).update(follow_up_on=today)
    loose = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    Case.objects.filter(pk=loose.pk).update(lead_counsellor=None)
    client = _login(leitung)

    def references(query):
        response = client.get(f"/admin/counselling/case/?{query}")
        return sorted(c.reference for c in response.context["cl"].result_list)

    assert references("arbeit=mine") == [mine.reference]
    assert references("arbeit=due") == [due.reference]
    assert references("arbeit=unassigned") == [loose.reference]
    assert client.get("/admin/counselling/case/?arbeit=unsinn").status_code == 200


def test_request_list_filters_mine_due_unassigned(beratung):
    old = CounsellingRequestFactory(created_at=timezone.now() - datetime.timedelta(days=30))
    fresh = CounsellingRequestFactory()
    case = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    client = _login(beratung)

    def references(query):
        response = client.get(f"/admin/counselling/counsellingrequest/?{query}")
        return sorted(r.reference for r in response.context["cl"].result_list)

    assert references("arbeit=mine") == [case.request.reference]
    assert references("arbeit=due") == sorted([old.reference, fresh.reference])
    assert references("arbeit=unassigned") == [old.reference]


def test_filter_sidebar_lists_only_values_that_occur(leitung):
    CounsellingRequestFactory(status=CounsellingRequest.Status.SPAM, state="SN")
    CounsellingRequestFactory(state="SN")

    response = _login(leitung).get("/admin/counselling/counsellingrequest/")

    filters = {
        spec.title: [c["display"] for c in spec.choices(response.context["cl"])]
        for spec in response.context["cl"].filter_specs
    }
    assert filters["Status"] == ["Alle", "offen", "Spam"]
    assert filters["Bundesland"] == ["Alle", "Sachsen"]


def test_list_remembers_the_last_ordering_per_person(beratung, beratung2):
    CounsellingRequestFactory(reference="ANF-B", institution="B-Stadt")
    CounsellingRequestFactory(reference="ANF-A", institution="A-Stadt")
    client = _login(beratung)
    url = "/admin/counselling/counsellingrequest/"

    client.get(f"{url}?o=2")
    again = client.get(url)

    assert [r.institution for r in again.context["cl"].result_list] == ["A-Stadt", "B-Stadt"]
    assert StaffProfile.objects.get(user=beratung).list_orderings == {
        "counselling.counsellingrequest": "2"
    }
    # Someone else still gets the default (newest first); a bad value is not remembered.
    other = _login(beratung2).get(f"{url}?o=x';drop")
    assert other.status_code in (200, 302)
    assert not StaffProfile.objects.filter(user=beratung2).exists()
    # Removing the sort forgets it.
    client.get(f"{url}?o=")
    assert StaffProfile.objects.get(user=beratung).list_orderings == {}


def test_admin_js_catalog_has_german_for_the_two_box_selector(beratung):
    client = _login(beratung)

    german = client.get("/admin/jsi18n/").content.decode()
    english_response = client.get("/en/admin/jsi18n/")
    english = english_response.content.decode()

    assert '"Choose all %s": "Alle %s ausw\\u00e4hlen"' in german
    assert '"Remove all %s": "Alle %s entfernen"' in german
    assert '"Edit Link": "Link bearbeiten"' in german  # the rich-text editor's dialogs
    assert english_response.status_code == 200
    assert "django.catalog" in english
    assert "Choose all %s" not in english  # English: Django's own msgid is the text
    # The editor's toolbar titles (static/js/prose-editor-labels.js), in both languages.
    assert '"bold": "Fett"' in german
    assert '"heading %s": "\\u00dcberschrift %s"' in german
    assert '"bold": "Bold"' in english
    assert '"heading %s": "Heading %s"' in english
