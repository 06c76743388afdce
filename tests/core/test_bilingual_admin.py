"""German and English side by side on the change pages; a filter for missing English."""

import pytest
from django.contrib.auth.models import Group

from kkk_portal.models import SitePage
from tests.factories import (
    EventFactory,
    FocusAreaFactory,
    NewsPostFactory,
    ProjectFactory,
    PublicationFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.html import doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(username="redaktion-zweisprachig")
    user.groups.add(Group.objects.get(name="Redaktion"))
    client.force_login(user)
    return user


def rows(response) -> list[list[str]]:
    """The field names shown together in one row of a bilingual fieldset."""
    return [
        [
            name.removeprefix("field-")
            for box in row.select(".fieldBox")
            for name in box["class"]
            if name.startswith("field-")
        ]
        for row in doc(response).select("fieldset.bilingual .form-multiline")
    ]


@pytest.mark.parametrize(
    ("factory", "url", "pairs"),
    [
        (NewsPostFactory, "publications/newspost", [["title", "title_en"], ["body", "body_en"]]),
        (EventFactory, "publications/event", [["title", "title_en"], ["teaser", "teaser_en"]]),
        (PublicationFactory, "publications/publication", [["abstract", "abstract_en"]]),
        (ProjectFactory, "projects/project", [["summary", "summary_en"]]),
        (FocusAreaFactory, "projects/focusarea", [["title", "title_en"]]),
        (TeamMemberFactory, "team/teammember", [["role", "role_en"]]),
    ],
)
def test_german_and_english_fields_share_a_row(client, editor, factory, url, pairs):
    item = factory()
    response = client.get(f"/admin/{url}/{item.pk}/change/")
    assert response.status_code == 200
    shown = rows(response)
    for pair in pairs:
        assert pair in shown
    html = doc(response)
    # No English field waits in a collapsed section of its own.
    assert not html.select("fieldset.collapse .field-title_en, fieldset.collapse [name$='_en']")
    assert html.select_one('link[href$="css/admin-bilingual.css"]') is not None


def test_text_page_pairs_title_body_and_menu_title(client, editor):
    page = SitePage.objects.create(slug="angebot", title="Angebot", body="x")
    shown = rows(client.get(f"/admin/kkk_portal/sitepage/{page.pk}/change/"))
    assert ["title", "title_en"] in shown
    assert ["body", "body_en"] in shown
    assert ["menu_title", "menu_title_en"] in shown


def test_add_page_pairs_fields_too(client, editor):
    assert ["title", "title_en"] in rows(client.get("/admin/publications/newspost/add/"))


def test_filter_lists_items_whose_english_is_missing(client, editor):
    NewsPostFactory(title="Ganz übersetzt", title_en="Fully translated", teaser_en="T", body_en="B")
    NewsPostFactory(title="Ohne Englisch", title_en="", teaser_en="", body_en="")
    NewsPostFactory(title="Halb übersetzt", title_en="Half", teaser_en="", body_en="B")

    def titles(query: str) -> set[str]:
        response = client.get(f"/admin/publications/newspost/{query}")
        return {a.get_text(strip=True) for a in doc(response).select("#result_list tbody th a")}

    assert titles("?englisch=fehlt") == {"Ohne Englisch", "Halb übersetzt"}
    assert titles("?englisch=vollstaendig") == {"Ganz übersetzt"}
    filters = doc(client.get("/admin/publications/newspost/")).select("#changelist-filter")
    assert "Englische Fassung" in filters[0].get_text()
