"""Real browser: an editor sees German and English side by side at 1280 px."""

import pytest
from django.contrib.auth.models import Group

from tests.factories import NewsPostFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"


def test_news_post_fields_side_by_side_without_scrolling(page, live_server):
    editor = UserFactory(username="redaktion-browser")
    editor.groups.add(Group.objects.get(name="Redaktion"))
    post = NewsPostFactory(title="Ein Beitrag", title_en="A post")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.get_by_label("Benutzername").fill(editor.username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    # Redaktion edits public content only and needs no second factor.
    page.wait_for_url(live_server.url + "/admin/")

    page.goto(f"{live_server.url}/admin/publications/newspost/{post.pk}/change/")
    german = page.locator("#id_title").bounding_box()
    english = page.locator("#id_title_en").bounding_box()
    assert german and english
    assert abs(german["y"] - english["y"]) < 5  # one row
    assert english["x"] >= german["x"] + german["width"]  # English to the right
    # not folded away: the English rich-text editor (its textarea is hidden behind it)
    english_body = page.locator('.prose-editor:has(#id_body_en) [contenteditable="true"]')
    english_body.wait_for(state="visible")
    assert english_body.is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280
