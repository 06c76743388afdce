"""The start page per person (admin index): requests, my cases, follow-ups, Leitung's view."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from counselling import services
from counselling.models import Case, CounsellingRequest, OutboxMessage
from tests.factories import CounsellingRequestFactory
from tests.html import attrs, doc, text_of

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save()
    return user


def _days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _rows(html: str, box_id: str) -> list[list[str]]:
    """The table rows of one start-page box as lists of cell texts."""
    return [
        [text_of(cell) for cell in row.select("th, td")]
        for row in doc(html).select(f"#{box_id} tbody tr")
    ]


def _count_link(html: str, box_id: str) -> tuple[str, str]:
    link = doc(html).select_one(f"#{box_id} h2 a.workspace-count")
    return link["href"], link.get_text(strip=True)


def test_counsellor_sees_new_requests_oldest_first_with_their_age(beratung):
    CounsellingRequestFactory(reference="ANF-NEU-1", institution="Stadt A", created_at=_days_ago(2))
    CounsellingRequestFactory(reference="ANF-NEU-2", institution="Stadt B", created_at=_days_ago(9))
    CounsellingRequestFactory(reference="ANF-SPAM", status=CounsellingRequest.Status.SPAM)

    html = _login(beratung).get("/admin/").content.decode()

    assert _rows(html, "workspace-new-requests") == [
        ["ANF-NEU-2", "Stadt B", "9"],
        ["ANF-NEU-1", "Stadt A", "2"],
    ]


def test_counsellor_sees_own_open_cases_and_due_follow_ups(beratung, beratung2):
    today = timezone.localdate()
    mine = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    due = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    later = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    other = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung2)
    Case.objects.filter(pk=due.pk).update(
        follow_up_on=today - datetime.timedelta(days=1), follow_up_note="Rückruf Bürgermeisterin"
    )
    Case.objects.filter(pk=later.pk).update(follow_up_on=today + datetime.timedelta(days=1))
    Case.objects.filter(pk=other.pk).update(follow_up_on=today)

    html = _login(beratung).get("/admin/").content.decode()

    my_rows = _rows(html, "workspace-my-cases")
    assert [row[0].split()[0] for row in my_rows] == [
        due.reference,
        later.reference,
        mine.reference,
    ]
    assert my_rows[0][1:] == ["Anfrage", (today - datetime.timedelta(days=1)).strftime("%d.%m.%Y")]
    assert _rows(html, "workspace-due") == [
        [
            due.reference,
            (today - datetime.timedelta(days=1)).strftime("%d.%m.%Y") + " (überfällig)",
            "Rückruf Bürgermeisterin",
        ]
    ]
    # Someone else's case is neither counted nor shown.
    assert other.reference not in html
    assert "workspace-unassigned" not in html


def test_every_number_links_to_the_filtered_list_with_the_same_count(beratung):
    today = timezone.localdate()
    CounsellingRequestFactory.create_batch(3)
    case = services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    Case.objects.filter(pk=case.pk).update(follow_up_on=today)
    client = _login(beratung)
    html = client.get("/admin/").content.decode()

    for box_id, expected in [
        ("workspace-new-requests", "3"),
        ("workspace-my-cases", "1"),
        ("workspace-due", "1"),
    ]:
        href, number = _count_link(html, box_id)
        assert number == expected
        assert client.get(href).context["cl"].result_count == int(number), box_id


def test_leitung_sees_old_unassigned_requests_cases_per_counsellor_and_failed_mails(
    leitung, beratung
):
    _named(beratung, "Bea", "Berater")
    _named(leitung, "Lea", "Leitung")
    CounsellingRequestFactory(
        reference="ANF-ALT", institution="Kreis Alt", created_at=_days_ago(10)
    )
    CounsellingRequestFactory(reference="ANF-FRISCH", created_at=_days_ago(1))
    services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    services.case_create_from_request(request=CounsellingRequestFactory(), by=beratung)
    OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.CONFIRMATION,
        to="a@example.org",
        subject="x",
        body="x",
        status=OutboxMessage.Status.FAILED,
    )
    client = _login(leitung)

    html = client.get("/admin/").content.decode()

    assert _rows(html, "workspace-unassigned") == [["ANF-ALT", "Kreis Alt", "10"]]
    assert _rows(html, "workspace-per-counsellor") == [["Bea Berater", "2"], ["Lea Leitung", "0"]]
    assert 'href="/admin/counselling/outboxmessage/?status__exact=fehlgeschlagen">1</a>' in html
    href, number = _count_link(html, "workspace-unassigned")
    assert client.get(href).context["cl"].result_count == int(number) == 1
    per_counsellor = next(
        href
        for href in attrs(html, "#workspace-per-counsellor a", "href")
        if "federfuehrung=" in href and "arbeit=open" in href
    )
    response = client.get(per_counsellor)
    assert response.context["cl"].result_count == 2
    # Leitung's box is still there.
    assert "Übersicht und Statistik" in html


def test_editors_see_the_app_list_without_counselling_boxes(redaktion):
    html = _login(redaktion).get("/admin/").content.decode()

    assert "workspace-" not in html
    assert 'class="app-' in html


@pytest.mark.parametrize("count", [2, 20])
def test_start_page_queries_do_not_grow_with_the_data(
    leitung, beratung, count, django_assert_max_num_queries
):
    today = timezone.localdate()
    for index, request in enumerate(CounsellingRequestFactory.create_batch(count * 2)):
        if index % 2:
            case = services.case_create_from_request(request=request, by=beratung)
            Case.objects.filter(pk=case.pk).update(follow_up_on=today)
    for user in (beratung, leitung):
        client = _login(user)
        client.get("/admin/")  # warm caches (content types) as in a running server

        # Leitung (all boxes), measured: 22 at most, with 2 or 20 of everything.
        with django_assert_max_num_queries(22):
            assert client.get("/admin/").status_code == 200
