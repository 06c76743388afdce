"""Staff preview of drafts, scheduled and expired items, in German and English."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from kkk_portal.models import SitePage
from kkk_portal.preview import schedule_fields
from tests.factories import (
    EventFactory,
    FocusAreaFactory,
    NewsPostFactory,
    ProjectFactory,
    PublicationFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.html import doc, text

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(days=3)


@pytest.fixture
def editor(client):
    user = UserFactory(username="redaktion-vorschau")
    user.groups.add(Group.objects.get(name="Redaktion"))
    client.force_login(user)
    return user


def preview(item) -> str:
    return f"/admin/vorschau/{item._meta.label_lower}/{item.pk}/"


@pytest.mark.parametrize(
    ("factory", "public_url"),
    [
        (lambda **kw: NewsPostFactory(title="Neuer Beitrag", **kw), "/aktuelles/{slug}/"),
        (lambda **kw: EventFactory(title="Neuer Beitrag", **kw), "/veranstaltungen/{slug}/"),
        (lambda **kw: ProjectFactory(title="Neuer Beitrag", **kw), "/projekte/{slug}/"),
        (
            lambda **kw: PublicationFactory(title="Neuer Beitrag", **kw),
            "/publikationen/{slug}/",
        ),
        (lambda **kw: FocusAreaFactory(title="Neuer Beitrag", **kw), "/arbeitsfelder/{slug}/"),
    ],
)
@pytest.mark.parametrize("state", ["draft", "scheduled", "expired"])
def test_staff_preview_shows_what_the_public_cannot_see(client, editor, factory, public_url, state):
    item = factory()
    published, publish_at, unpublish_at = schedule_fields(type(item))
    now = timezone.now()
    values = {
        "draft": {published: False},
        "scheduled": {publish_at: now + LATER},
        "expired": {publish_at: now - 2 * LATER, unpublish_at: now - LATER},
    }[state]
    type(item).objects.filter(pk=item.pk).update(**values)
    client.logout()
    assert client.get(public_url.format(slug=item.slug)).status_code == 404
    assert client.get(preview(item)).status_code == 404  # anonymous: as if it did not exist

    client.force_login(editor)
    response = client.get(preview(item))
    assert response.status_code == 200
    assert text(response, "h1") == "Neuer Beitrag"
    assert "Vorschau" in text(response, ".preview-banner")
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    # Still hidden from everybody else.
    client.logout()
    assert client.get(public_url.format(slug=item.slug)).status_code == 404


def test_preview_in_english_uses_the_english_fields(client, editor):
    post = NewsPostFactory(title="Beitrag", title_en="Post", is_published=False)
    response = client.get(f"/en{preview(post)}")
    assert response.status_code == 200
    assert text(response, "h1") == "Post"
    assert doc(response).html["lang"] == "en"


def test_scheduled_preview_names_the_publication_time(client, editor):
    when = timezone.make_aware(datetime.datetime(2031, 5, 4, 9, 30))
    post = NewsPostFactory(published_at=when)
    banner = text(client.get(preview(post)), ".preview-banner")
    assert "4. Mai 2031, 09:30 Uhr" in banner


def test_preview_of_text_pages_and_team_members(client, editor):
    page = SitePage.objects.create(
        slug="entwurf", title="Seitenentwurf", body="x", is_published=False
    )
    assert text(client.get(preview(page)), "h1") == "Seitenentwurf"
    member = TeamMemberFactory(name="Neue Kollegin", is_active=False)
    assert "Neue Kollegin" in doc(client.get(preview(member))).get_text()
    assert "Neue Kollegin" not in client.get("/team/").content.decode()


def test_people_without_the_content_permission_get_not_found(client):
    counsellor = UserFactory(username="beratung-vorschau")
    counsellor.groups.add(Group.objects.get(name="Beratung"))
    client.force_login(counsellor)
    post = NewsPostFactory(is_published=False)
    assert client.get(preview(post)).status_code == 404
    assert client.get("/admin/vorschau/auth.user/1/").status_code == 404
    assert client.get("/admin/vorschau/counselling.case/1/").status_code == 404


def test_change_page_links_both_previews_and_view_on_site_opens_it(client, editor):
    draft = NewsPostFactory(is_published=False)
    page = doc(client.get(f"/admin/publications/newspost/{draft.pk}/change/"))
    hrefs = [a["href"] for a in page.select(".object-tools a")]
    assert preview(draft) in hrefs
    assert f"/en{preview(draft)}" in hrefs
    # "View on site" of an item the public cannot see leads to its preview.
    view_on_site = [a["href"] for a in page.select(".object-tools a.viewsitelink")]
    assert all("/admin/r/" not in href for href in view_on_site)

    public = NewsPostFactory()
    page = doc(client.get(f"/admin/publications/newspost/{public.pk}/change/"))
    assert any("/admin/r/" in a["href"] for a in page.select(".object-tools a"))
