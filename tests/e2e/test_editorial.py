"""Real browser: Redaktion's start page, the filtered list behind a count, and an old
version compared and restored. Every page: no CSP violation, zero axe-core violations
(WCAG 2.1 A/AA), no sideways scrolling at 1280 px."""

import pytest
from django.contrib.auth.models import Group

from publications.models import NewsPost
from tests.axe import WCAG, _axe_source
from tests.factories import NewsPostFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"  # set by UserFactory
WIDTH = 1280


def _axe_violations(page) -> list[dict]:
    # Preload off as in tests/e2e/test_workspace.py: it re-fetches the admin's CSS
    # and injects a <style> the CSP blocks; only css-orientation-lock needs it.
    page.evaluate(_axe_source())
    result = page.evaluate("opts => axe.run(document, opts)", {**WCAG, "preload": False})
    return [
        {"id": v["id"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def _assert_fits_and_accessible(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways: {width}px"
    assert _axe_violations(page) == [], page.url


def test_redaktion_finds_a_draft_compares_and_restores_a_version(page, live_server):
    editor = UserFactory(username="redaktion-start-browser")
    editor.groups.add(Group.objects.get(name="Redaktion"))
    post = NewsPostFactory(title="Tagung im Rathaus", is_published=False)
    post.title = "Tagung im Rathaus, verschoben"
    post.save()

    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.get_by_label("Benutzername").fill(editor.username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(live_server.url + "/admin/")  # Redaktion needs no second factor

    drafts = page.locator("#editorial-draft")
    assert drafts.get_by_role("link", name="Tagung im Rathaus, verschoben").is_visible()
    _assert_fits_and_accessible(page)

    # The count opens the list with the same filter.
    drafts.get_by_role("link", name="Neuigkeiten: 1").click()
    page.wait_for_url("**/admin/publications/newspost/?sichtbarkeit=draft")
    assert page.locator("#result_list tbody tr").count() == 1

    # History: compare the first version with the current one.
    page.goto(f"{live_server.url}/admin/publications/newspost/{post.pk}/history/")
    _assert_fits_and_accessible(page)
    page.get_by_role("link", name="Mit aktueller Version vergleichen").click()
    page.wait_for_url("**/compare/")
    diff = page.locator("table.history-diff tbody tr")
    assert diff.count() == 1
    assert diff.locator("th").inner_text() == "Titel"
    _assert_fits_and_accessible(page)

    # Restore it: a confirmation page, then the change page says so.
    page.get_by_role("link", name="Diese Version wiederherstellen").click()
    page.wait_for_url("**/restore/")
    _assert_fits_and_accessible(page)
    page.get_by_role("button", name="Diese Version wiederherstellen").click()
    page.wait_for_url(f"**/admin/publications/newspost/{post.pk}/change/")
    assert "wiederhergestellt" in page.locator("ul.messagelist").inner_text()
    post = NewsPost.objects.get(pk=post.pk)
    assert post.title == "Tagung im Rathaus"
    assert post.is_published is False  # restoring never publishes a draft
