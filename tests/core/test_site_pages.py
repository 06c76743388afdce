"""Legal pages, the easy-read page and the home page."""

import re

import pytest
from django.contrib import admin
from django.utils import timezone

from kkk_portal import page_cache
from kkk_portal.models import SitePage
from kkk_portal.richtext import markup_to_html, plain_text
from tests.factories import EventFactory, NewsPostFactory, ProjectFactory, PublicationFactory

PAGES = {
    "/impressum/": "Impressum",
    "/datenschutz/": "Datenschutzerklärung",
    "/barrierefreiheit/": "Erklärung zur Barrierefreiheit",
    "/leichte-sprache/": "Leichte Sprache",
}


def h1(html):
    return re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)


@pytest.mark.django_db
def test_the_four_pages_come_from_load_content_with_their_roles(centre_content):
    assert list(
        SitePage.objects.order_by("menu_order").values_list("slug", "role", "menu", "title")
    ) == [
        ("impressum", "impressum", "fuss", "Impressum"),
        ("datenschutz", "datenschutz", "fuss", "Datenschutzerklärung"),
        ("barrierefreiheit", "barrierefreiheit", "fuss", "Erklärung zur Barrierefreiheit"),
        ("leichte-sprache", "leichte-sprache", "fuss", "Leichte Sprache"),
    ]
    assert SitePage.history.count() == 4  # the first version is recorded


@pytest.mark.django_db(transaction=True)
def test_migrations_alone_create_no_pages():
    # The seeds are the only source of the pages' text (no data migration writes any).
    SitePage.objects.all().delete()
    from django.core.management import call_command

    call_command("migrate", "kkk_portal", "0001", verbosity=0)
    call_command("migrate", verbosity=0)
    assert not SitePage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "title"), PAGES.items())
def test_legal_pages_show_title_and_version(client, url, title, centre_content):
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert h1(html) == [title]
    assert f"Stand: {SitePage.objects.get(slug=url.strip('/')).version}" in html


@pytest.mark.django_db
def test_footer_links_every_text_page(client, centre_content):
    html = client.get("/").content.decode()
    footer = html[html.index("<footer") :]
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', footer)
    assert [link for link in links if link[0] != "/kontakt/"] == [
        ("/impressum/", "Impressum"),
        ("/datenschutz/", "Datenschutz"),
        ("/barrierefreiheit/", "Barrierefreiheit"),
        ("/leichte-sprache/", "Leichte Sprache"),
    ]


@pytest.mark.django_db
def test_privacy_notice_explains_the_request_form_and_retention(client, centre_content):
    html = client.get("/datenschutz/").content.decode()
    assert "<h2>Beratungsanfrage über das Formular</h2>" in html
    assert "<li>Name und Funktion der Ansprechperson</li>" in html
    assert "löschen wir 90 Tage nach dieser Entscheidung" in html
    assert "Drei Jahre nach Abschluss eines Falls anonymisieren wir" in html


@pytest.mark.django_db
def test_accessibility_statement_offers_a_way_to_report_a_barrier(client, centre_content):
    from team.models import ContactDetails

    ContactDetails.objects.update(email="kontakt@zentrum.example.org")
    html = client.get("/barrierefreiheit/").content.decode()
    assert "<h2>Schlichtungsverfahren</h2>" in html
    assert '<h2 id="report-barrier-title" class="h4">Barriere melden</h2>' in html
    assert (
        '<a href="mailto:kontakt@zentrum.example.org?subject=Barriere%20auf%20der%20Website">'
        "E-Mail an kontakt@zentrum.example.org</a>" in html
    )
    assert '<a href="https://www.schlichtungsstelle-bgg.de"' in html


@pytest.mark.django_db
def test_easy_read_page_uses_short_sentences(client, centre_content):
    page = SitePage.objects.get(slug="leichte-sprache")
    sentences = [s for s in re.split(r"(?<=[.?!:])\s+|\n", plain_text(page.body)) if s]
    longest = max(len(s.split()) for s in sentences)
    assert longest <= 12


@pytest.mark.django_db
def test_english_page_uses_english_text_or_says_it_is_german(client, centre_content):
    html = client.get("/en/impressum/").content.decode()
    assert h1(html) == ["Legal notice"]
    assert '<div class="site-page-body">' in html

    html = client.get("/en/leichte-sprache/").content.decode()
    assert h1(html) == ["Easy read"]
    assert '<div class="site-page-body">' in html  # the seeds give the easy-read text in English


@pytest.mark.django_db
def test_page_body_is_escaped_and_structured():
    text = "## Kopf <b>\nZeile eins\nZeile <script>x</script>\n\n- Punkt\n- mehr@example.org"
    assert markup_to_html(text) == (
        "<h2>Kopf &lt;b&gt;</h2>"
        "<p>Zeile eins<br>Zeile &lt;script&gt;x&lt;/script&gt;</p>"
        '<ul><li>Punkt</li><li><a href="mailto:mehr@example.org">mehr@example.org</a></li></ul>'
    )


@pytest.mark.django_db
def test_staff_edit_is_versioned_and_visible(client, centre_content):
    page = SitePage.objects.get(slug="impressum")
    loaded = page.version
    page.body = "<p>Neuer Text mit <em>HTML</em>.</p><script>alert(1)</script>"
    page.version = "2026-12-01"
    page.save()
    html = client.get("/impressum/").content.decode()
    assert "<p>Neuer Text mit <em>HTML</em>.</p>" in html
    assert "alert(1)" not in html
    assert "Stand: 2026-12-01" in html
    assert list(page.history.values_list("version", flat=True)) == ["2026-12-01", loaded]
    assert SitePage.current_version("impressum") == "2026-12-01"


def test_site_page_admin_keeps_history():
    from simple_history.admin import SimpleHistoryAdmin

    assert isinstance(admin.site._registry[SitePage], SimpleHistoryAdmin)


@pytest.mark.django_db
def test_unknown_root_slug_is_404(client):
    assert client.get("/agb/").status_code == 404


@pytest.mark.django_db
def test_home_reaches_every_section_within_two_clicks(client, centre_content):
    html = client.get("/").content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    hrefs = set(re.findall(r'href="(/[^"#]*)"', html))
    assert "Beratung anfragen" in main
    for area in ["beratung-von-kommunen", "austausch-mit-fachoeffentlichkeit"]:
        assert f"/arbeitsfelder/{area}/" in hrefs
    for expected in ["/projekte/", "/impressum/", "/leichte-sprache/"]:
        assert expected in hrefs
    assert "/suche/" in html  # the header search form


@pytest.mark.django_db
def test_home_shows_running_projects_before_completed_ones(client):
    today = timezone.localdate()
    ProjectFactory(
        title="Alt",
        start_date=today.replace(year=today.year - 5),
        end_date=today.replace(year=today.year - 4),
    )
    ProjectFactory(title="Laufend", start_date=today.replace(year=today.year - 1), end_date=None)
    ProjectFactory(title="Geplant", start_date=today.replace(year=today.year + 1), end_date=None)
    ProjectFactory(title="Verborgen", is_published=False, start_date=today, end_date=None)
    html = client.get("/").content.decode()
    titles = re.findall(r'<h3 class="h5 card-title"><a href="/projekte/[^"]+/">([^<]+)</a>', html)
    assert titles == ["Laufend", "Alt"]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 200])
def test_home_query_count_is_constant(client, django_assert_max_num_queries, count):
    ProjectFactory.create_batch(count)
    NewsPostFactory.create_batch(count)
    EventFactory.create_batch(count)
    PublicationFactory.create_batch(count)
    # The first request after a change also works out when the next scheduled change
    # is due (one query per content type), then keeps the page's body.
    with django_assert_max_num_queries(8 + len(page_cache._scheduled_models())):
        response = client.get("/")
    assert response.status_code == 200
    with django_assert_max_num_queries(2):  # the menus and the content version's schedule
        assert client.get("/").content == response.content


@pytest.mark.django_db
def test_privacy_page_version_is_the_one_requests_consent_to(settings, centre_content):
    from counselling.services import privacy_notice_version

    SitePage.objects.filter(role="datenschutz").update(version="2027-01-15")
    assert privacy_notice_version() == "2027-01-15"
    SitePage.objects.filter(role="datenschutz").delete()
    assert privacy_notice_version() == settings.PRIVACY_NOTICE_VERSION


@pytest.mark.django_db
def test_staff_edit_pages_in_the_admin_but_cannot_delete_them(client, centre_content):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True))
    page = SitePage.objects.get(slug="impressum")
    change_url = f"/admin/kkk_portal/sitepage/{page.pk}/change/"
    assert client.get(change_url).status_code == 200
    assert client.get(f"/admin/kkk_portal/sitepage/{page.pk}/history/").status_code == 200
    assert client.get(f"/admin/kkk_portal/sitepage/{page.pk}/delete/").status_code == 403
    # Editors create pages of their own.
    assert client.get("/admin/kkk_portal/sitepage/add/").status_code == 200
