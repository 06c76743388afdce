"""The editors' start page: drafts, scheduled items, recent changes, missing English."""

import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kkk_portal.editorial import editorial_start_for
from tests.factories import (
    EventFactory,
    FocusAreaFactory,
    NewsPostFactory,
    ProjectFactory,
    PublicationFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.html import attrs, doc, links, texts

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
ENGLISH = {"title_en": "In English", "teaser_en": "Teaser", "body_en": "<p>Text</p>"}


def _member(username: str, group: str):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def redaktion(client):
    user = _member("redaktion-start", "Redaktion")
    client.force_login(user)
    return user


def _long_ago(*items, days: int = 30) -> None:
    """Move the items' last change out of the last 14 days (auto_now ignores update())."""
    for item in items:
        type(item).objects.filter(pk=item.pk).update(
            updated_at=timezone.now() - datetime.timedelta(days=days)
        )


def _changelist_rows(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url  # the list accepts the filter (no ?e=1 redirect)
    return texts(response, "#result_list tbody th a")


def test_redaktion_sees_each_box_with_the_item_and_its_time(client, redaktion):
    draft = NewsPostFactory(title="Entwurf zur Tagung", is_published=False, **ENGLISH)
    scheduled = EventFactory(
        title="Geplanter Fachtag",
        title_en="Planned day",
        teaser_en="x",
        publish_at=datetime.datetime(2030, 1, 15, 9, 30, tzinfo=BERLIN),
        unpublish_at=datetime.datetime(2030, 7, 1, 0, 0, tzinfo=BERLIN),
    )
    recent = NewsPostFactory(title="Frisch geändert", **ENGLISH)
    untranslated = NewsPostFactory(title="Nur auf Deutsch")
    _long_ago(draft, scheduled, untranslated)

    page = doc(client.get("/admin/"))

    assert texts(page, "#editorial-draft tbody th") == ["Entwurf zur Tagung"]
    assert texts(page, "#editorial-scheduled tbody tr") == [
        "Geplanter Fachtag Veranstaltung 15. Januar 2030, 09:30 Uhr (MEZ) "
        "1. Juli 2030, 00:00 Uhr (MESZ)"
    ]
    assert texts(page, "#editorial-recent tbody th") == ["Frisch geändert"]
    assert texts(page, "#editorial-english tbody th") == ["Nur auf Deutsch"]
    # Each row opens the item's change page.
    assert links(page, "#editorial-draft tbody th a") == [
        (f"/admin/publications/newspost/{draft.pk}/change/", "Entwurf zur Tagung")
    ]
    assert links(page, "#editorial-english tbody th a")[0][0] == (
        f"/admin/publications/newspost/{untranslated.pk}/change/"
    )
    assert recent.pk  # listed above


def test_every_count_links_to_a_list_showing_the_same_items(client, redaktion):
    NewsPostFactory(title="Entwurf A", is_published=False, **ENGLISH)
    NewsPostFactory(title="Entwurf B", is_published=False)
    ProjectFactory(title="Projektentwurf", is_published=False)
    FocusAreaFactory(title="Feld geplant", publish_at=timezone.now() + datetime.timedelta(days=2))
    PublicationFactory(title="Alte Publikation", title_en="Old", abstract_en="Old")
    TeamMemberFactory(name="Ehemalige", is_active=False)
    _long_ago(*PublicationFactory._meta.model.objects.all())

    page = doc(client.get("/admin/"))
    checked = 0
    for box in ("draft", "scheduled", "recent", "english"):
        box_links = links(page, f"#editorial-{box} .editorial-counts a")
        assert box_links, box
        total = 0
        for url, label in box_links:
            count = int(label.rsplit(":", 1)[1])
            assert len(_changelist_rows(client, url)) == count, url
            total += count
            checked += 1
        heading = texts(page, f"#editorial-{box} h2 .editorial-count")
        assert heading == [str(total)]
    assert checked >= 8
    drafts = dict(links(page, "#editorial-draft .editorial-counts a"))
    assert drafts == {
        "/admin/publications/newspost/?sichtbarkeit=draft": "Neuigkeiten: 2",
        "/admin/projects/project/?sichtbarkeit=draft": "Projekte: 1",
        "/admin/team/teammember/?sichtbarkeit=draft": "Team: 1",
    }
    assert sorted(_changelist_rows(client, "/admin/publications/newspost/?sichtbarkeit=draft")) == [
        "Entwurf A",
        "Entwurf B",
    ]
    recent = dict(links(page, "#editorial-recent .editorial-counts a"))
    assert "/admin/publications/publication/?geaendert=14" not in recent  # changed long ago


def test_recently_changed_filter_lists_only_recent_items(client, redaktion):
    old = NewsPostFactory(title="Vor drei Wochen")
    NewsPostFactory(title="Heute")
    _long_ago(old, days=21)
    assert _changelist_rows(client, "/admin/publications/newspost/?geaendert=14") == ["Heute"]
    assert sorted(_changelist_rows(client, "/admin/publications/newspost/?geaendert=30")) == [
        "Heute",
        "Vor drei Wochen",
    ]
    response = client.get("/admin/publications/newspost/")
    assert "Zuletzt geändert" in attrs(response, "#changelist-filter details", "data-filter-title")


def test_bad_filter_value_shows_the_whole_list(client, redaktion):
    NewsPostFactory(title="Eine")
    assert _changelist_rows(client, "/admin/publications/newspost/?geaendert=nie") == ["Eine"]


def test_counsellor_without_content_rights_sees_no_editorial_boxes(client):
    NewsPostFactory(is_published=False)
    beratung = _member("beratung-start", "Beratung")
    client.force_login(beratung)
    page = doc(client.get("/admin/"))
    assert page.select("#editorial-start") == []
    assert page.select("#workspace-new-requests")  # the counsellor's own boxes are there
    assert editorial_start_for(user=beratung) is None


def test_leitung_sees_the_editorial_boxes_too(client):
    NewsPostFactory(title="Entwurf für Leitung", is_published=False)
    leitung = _member("leitung-start", "Leitung")
    client.force_login(leitung)
    page = doc(client.get("/admin/"))
    assert texts(page, "#editorial-draft tbody th") == ["Entwurf für Leitung"]


def test_at_most_ten_rows_per_box_but_the_full_count(client, redaktion):
    for number in range(12):
        NewsPostFactory(title=f"Entwurf {number:02d}", is_published=False, **ENGLISH)
    page = doc(client.get("/admin/"))
    assert len(page.select("#editorial-draft tbody tr")) == 10
    assert texts(page, "#editorial-draft h2 .editorial-count") == ["12"]
    assert texts(page, "#editorial-draft .editorial-counts a") == ["Neuigkeiten: 12"]


def _make_content(count: int) -> None:
    future = timezone.now() + datetime.timedelta(days=5)
    for number in range(count):
        NewsPostFactory(is_published=number % 2 == 0)
        EventFactory(publish_at=future)
        PublicationFactory(is_published=False)
        ProjectFactory()
        FocusAreaFactory(is_published=False)
        TeamMemberFactory(is_active=False)


def _index_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/")
    assert response.status_code == 200
    return len(captured)


def test_start_page_query_count_does_not_grow_with_content(client, redaktion):
    _make_content(2)
    few = _index_queries(client)
    _make_content(18)
    many = _index_queries(client)
    assert few == many


def test_editorial_boxes_take_one_query(redaktion, django_assert_num_queries):
    _make_content(3)
    redaktion = type(redaktion).objects.get(pk=redaktion.pk)  # permissions not cached yet
    # 2 for the permissions (then cached on the user), 1 UNION for every box and type
    with django_assert_num_queries(3):
        start = editorial_start_for(user=redaktion)
    assert [box.key for box in start.boxes] == ["draft", "scheduled", "recent", "english"]
