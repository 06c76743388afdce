"""Real browser: Redaktion writes a rich-text news post, previews, schedules and publishes it.

The autouse CSP guard (tests/conftest.py) fails the test on any blocked inline
script or style: the editor's import map and Tiptap's injected style must pass by
their hashes, and nothing else.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from publications.models import NewsPost
from tests.axe import assert_no_axe_violations
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"


def _log_in_as_redaktion(page, live_server):
    editor = UserFactory(username="redaktion-rich")
    editor.groups.add(Group.objects.get(name="Redaktion"))
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.get_by_label("Benutzername").fill(editor.username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(live_server.url + "/admin/")  # Redaktion needs no second factor


def _write_body(page):
    """A heading, a bulleted list and a paragraph with a link, typed into the prose editor."""
    editor = page.locator('.prose-editor:has(#id_body) [contenteditable="true"]')
    editor.click()
    page.keyboard.type("## Was wir gelernt haben")  # Tiptap's input rule: a level-2 heading
    page.keyboard.press("Enter")
    page.keyboard.type("- Erster Punkt")  # input rule: a bulleted list
    page.keyboard.press("Enter")
    page.keyboard.type("Zweiter Punkt")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    page.keyboard.type("Mehr dazu beim Land")
    for _ in range(len("Land")):
        page.keyboard.press("Shift+ArrowLeft")
    page.locator('.prose-editor:has(#id_body) button[data-name="link"]').click()
    dialog = page.locator("dialog.prose-editor-dialog[open]")
    dialog.locator('input[name="href"]').fill("https://www.example.org/land")
    dialog.locator('button[type="submit"]').click()
    dialog.wait_for(state="detached")
    page.wait_for_function("() => document.querySelector('#id_body').value.includes('Land</a>')")


def _assert_rendered(page):
    body = page.locator("main div:has(> h2)").last
    assert body.locator("h2").all_inner_texts() == ["Was wir gelernt haben"]
    link = body.get_by_role("link", name="Land")
    assert link.get_attribute("href") == "https://www.example.org/land"
    assert link.get_attribute("rel") == "noopener"
    items = [" ".join(t.split()) for t in body.locator("ul > li").all_inner_texts()]
    assert items == ["Erster Punkt", "Zweiter Punkt"]


def test_redaktion_writes_previews_schedules_and_publishes_rich_news(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    _log_in_as_redaktion(page, live_server)

    # Write a draft.
    page.goto(f"{live_server.url}/admin/publications/newspost/add/")
    # The toolbar speaks German (static/js/prose-editor-labels.js), headings included.
    toolbar = page.locator(".prose-editor:has(#id_body) .prose-menubar")
    expect(toolbar.locator('button[data-name="bold"]')).to_have_attribute("aria-label", "Fett")
    expect(toolbar.locator('button[data-name="italic"]')).to_have_attribute("title", "Kursiv")
    options = toolbar.locator(".prose-menubar__option")
    expect(options.first).to_have_text("Überschrift 2")
    expect(options.last).to_have_text("Absatz")
    page.locator("#id_title").fill("Rich-Text im Test")
    page.locator("#id_teaser").fill("Ein Beitrag mit Überschrift, Link und Liste.")
    _write_body(page)
    page.locator("#id_is_published").uncheck()
    page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    page.wait_for_url("**/change/")

    post = NewsPost.objects.get(title="Rich-Text im Test")
    assert post.slug == "rich-text-im-test"  # filled in from the title
    assert post.is_published is False
    assert post.body == (
        "<h2>Was wir gelernt haben</h2>"
        "<ul><li><p>Erster Punkt</p></li><li><p>Zweiter Punkt</p></li></ul>"
        '<p>Mehr dazu beim <a href="https://www.example.org/land" rel="noopener">Land</a></p>'
    )

    # The preview shows it exactly as the public page will.
    page.get_by_role("link", name="Vorschau (Deutsch)").click()
    page.wait_for_url(f"**/admin/vorschau/publications.newspost/{post.pk}/")
    _assert_rendered(page)
    assert_no_axe_violations(page)

    # Schedule it for tomorrow: still hidden.
    page.goto(f"{live_server.url}/admin/publications/newspost/{post.pk}/change/")
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    page.locator("#id_is_published").check()
    page.locator("#id_published_at_0").fill(tomorrow.strftime("%d.%m.%Y"))
    page.locator("#id_published_at_1").fill("09:00:00")
    page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    page.wait_for_url("**/change/")
    post.refresh_from_db()
    assert post.is_published is True
    assert post.published_at > timezone.now()
    public_url = live_server.url + post.get_absolute_url()
    assert page.goto(public_url).status == 404

    # Move the clock past the publication time: public, rendered and accessible.
    NewsPost.objects.filter(pk=post.pk).update(
        published_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    cache.clear()
    assert page.goto(public_url).status == 200
    assert page.locator("h1").inner_text() == "Rich-Text im Test"
    _assert_rendered(page)
    assert_no_axe_violations(page)
