"""Real browser: the site's look on a phone and a wide screen.

The project list on a 360 px phone, the map's targets, the English "only in German"
note, the request form's confirmation page with its printable summary, and axe-core
on the pages this part changed, at 360 and 1280 px, in German and English.
"""

import pytest
from django.core.management import call_command

from tests.axe import assert_no_axe_violations
from tests.factories import TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 780}
WIDE = {"width": 1280, "height": 900}


@pytest.fixture
def content(transactional_db):
    call_command("load_content", verbosity=0)  # the text pages come from the seeds too


def _in_first_screen(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] + box["height"] <= page.viewport_size["height"]


def test_phone_project_list_shows_count_and_first_result_before_the_filters(
    page, live_server, content
):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/projekte/")

    count = page.locator("#result-count")
    first = page.locator(".project-card").first
    toggle = page.locator("summary.filter-summary")
    assert count.inner_text() == "11 Projekte"
    assert _in_first_screen(page, count)
    assert _in_first_screen(page, first.locator(".card-title"))
    assert toggle.inner_text() == "Projekte filtern"
    state = page.get_by_label("Bundesland", exact=True)
    assert not state.is_visible()

    toggle.click()
    state.wait_for(state="visible")
    state.select_option(label="Brandenburg")
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_url("**/projekte/?*state=BB*")
    assert count.inner_text() == "1 Projekt gefunden"
    assert page.get_by_label("Bundesland", exact=True).is_visible()  # stays open when filtering


def test_phone_filters_open_without_javascript(browser, live_server, content):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/projekte/")
    page.locator("summary.filter-summary").click()
    page.get_by_label("Bundesland", exact=True).select_option(label="Brandenburg")
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_url("**/projekte/?*state=BB*")
    assert page.locator("#result-count").inner_text() == "1 Projekt gefunden"
    context.close()


def test_wide_screen_shows_the_filters_beside_the_results(page, live_server, content):
    page.set_viewport_size(WIDE)
    page.goto(live_server.url + "/projekte/")

    assert not page.locator("summary.filter-summary").is_visible()
    assert page.get_by_role("heading", name="Projekte filtern").is_visible()
    form = page.locator("form.project-filter").bounding_box()
    first = page.locator(".project-card").first.bounding_box()
    assert form["x"] + form["width"] <= first["x"]


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("url", ["/kommunen/", "/projekte/demokratiefoerderung-altmark/"])
def test_map_markers_are_large_enough_labelled_and_apart(page, live_server, content, width, url):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + url)

    markers = page.locator("a.map-place")
    assert markers.count() >= 4
    boxes = []
    for i in range(markers.count()):
        marker = markers.nth(i)
        assert marker.get_attribute("aria-label")
        assert marker.locator("title").text_content() == marker.get_attribute("aria-label")
        box = marker.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, (marker.get_attribute("aria-label"), box)
        boxes.append(box)
    # Targets are circles in their boxes: centres at least one diameter apart.
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            ax, ay = a["x"] + a["width"] / 2, a["y"] + a["height"] / 2
            bx, by = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
            assert ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5 >= min(a["width"], b["width"])


def test_map_marker_opens_the_place_on_a_phone(page, live_server, content):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/kommunen/")
    page.locator("figure.germany-map").get_by_role("link", name="Osterburg").click()
    page.wait_for_url("**/kommunen/osterburg*/")


def test_english_page_marks_german_only_text(page, live_server, content):
    from projects.models import Project

    project = Project.objects.get(slug="demokratiefoerderung-altmark")
    Project.objects.filter(pk=project.pk).update(description_en="", summary_en="")

    page.goto(f"{live_server.url}/en{project.get_absolute_url()}")

    from django.utils import translation

    with translation.override("en"):  # "This text is only available in German."
        expected = translation.gettext("Dieser Text liegt nur auf Deutsch vor.")
    note = page.locator(".fallback-note")
    assert note.inner_text() == expected
    assert note.get_attribute("lang") is None  # the note is in the page's language
    assert page.locator("p.lead").get_attribute("lang") == "de"
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    assert page.locator(".fallback-note").count() == 0


@pytest.mark.parametrize("lang", ["de", "en"])
def test_confirmation_page_shows_reference_next_steps_and_summary(page, live_server, lang):
    topic = TopicFactory(name="Migration und Zusammenleben")
    prefix = "" if lang == "de" else "/en"
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{prefix}/beratung-anfragen/")
    page.fill("#id_institution", "Gemeinde Musterdorf")
    page.select_option("#id_body_kind", "gemeinde")
    page.select_option("#id_state", "ST")
    page.fill("#id_contact_name", "Erika Mustermann")
    page.fill("#id_email", "erika@musterdorf.example")
    page.check("#id_contact_preference_0")
    page.check(f"#id_topics_0[value='{topic.pk}']")
    page.fill("#id_situation", "Seit dem Sommer gibt es Streit um den Marktplatz.")
    page.check("#id_conflict_type_0")
    page.check("#id_urgency_0")
    page.check("#id_consent")
    page.click("#submit-id-submit")
    page.wait_for_url("**/beratung-anfragen/danke/")

    reference = page.locator("strong.reference")
    box = reference.bounding_box()
    line_height = float(reference.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    assert box["height"] < 1.5 * line_height  # one line: the number never wraps
    assert reference.evaluate("el => getComputedStyle(el).whiteSpace") == "nowrap"
    assert page.locator("#next-title").is_visible()
    summary = page.locator(".summary-list")
    assert "Seit dem Sommer gibt es Streit um den Marktplatz." in summary.inner_text()
    assert "Erika Mustermann" in summary.inner_text()
    assert page.locator("button[data-print]").is_visible()  # JavaScript shows the button
    assert_no_axe_violations(page)

    # Printed: no header, footer or navigation; the summary and the reference stay.
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()
    assert not page.locator("footer.site-footer").is_visible()
    assert not page.locator("button[data-print]").is_visible()
    assert summary.is_visible()
    assert page.locator(".print-only").is_visible()
    page.emulate_media(media="screen")

    page.reload()
    assert page.locator(".summary-list").count() == 0
    assert "Erika" not in page.locator("main").inner_text()


@pytest.mark.parametrize("prefix", ["", "/en"])
@pytest.mark.parametrize("width", [360, 1280])
def test_identity_pages_have_no_axe_violations(page, live_server, content, width, prefix):
    page.set_viewport_size({"width": width, "height": 900})
    for url in [
        "/",
        "/projekte/",
        "/projekte/kommunale-integrationsstrategien/",
        "/kontakt/",
        "/beratung-anfragen/",
        "/publikationen/",
        "/aktuelles/",
        "/impressum/",
    ]:
        response = page.goto(live_server.url + prefix + url)
        assert response.status == 200, url
        assert_no_axe_violations(page)
        # H1 clearly larger than H2 (type scale), on phones too.
        sizes = page.evaluate(
            "() => ['h1', 'h2'].map(t => { const e = document.querySelector('main ' + t);"
            " return e ? parseFloat(getComputedStyle(e).fontSize) : null; })"
        )
        if sizes[1] is not None:
            assert sizes[0] >= 1.25 * sizes[1], (url, sizes)


def _luminance(rgb: str) -> float:
    parts = [int(p) for p in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    channels = [c / 255 for c in parts]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_form_controls_have_visible_borders_and_checked_state_in_site_colour(page, live_server):
    TopicFactory(name="Migration und Zusammenleben")
    page.goto(live_server.url + "/beratung-anfragen/")

    white = "rgb(255, 255, 255)"
    for selector in ["#id_institution", "#id_state", "#id_situation", "#id_consent"]:
        border = page.locator(selector).evaluate("el => getComputedStyle(el).borderTopColor")
        assert _contrast(border, white) >= 3, (selector, border)  # WCAG 1.4.11
    page.check("#id_consent")
    checked = page.locator("#id_consent").evaluate("el => getComputedStyle(el).backgroundColor")
    assert checked == "rgb(11, 90, 115)"
    page.check("#id_conflict_type_0")
    radio = page.locator("#id_conflict_type_0").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert radio == "rgb(11, 90, 115)"
