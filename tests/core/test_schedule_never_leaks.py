"""Drafts, scheduled and expired content never reach the public (issue 10, point 1).

For every content type one draft, one scheduled (publication time in the
future) and one expired (unpublication time in the past) item carry a unique
marker word; one published control item per type proves the test looks in the
right places. Every public URL type, feed, calendar file, sitemap section,
search and filter form is fetched in German and English: no marker appears,
the controls do, and the hidden items' own addresses answer 404.

Runs on SQLite and PostgreSQL (German full-text search):
`DATABASE_URL=postgres://… pytest tests/core/test_schedule_never_leaks.py`.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kkk_portal.models import SitePage
from projects.models import FocusArea, Project
from publications.models import Event, NewsPost, Publication
from team.models import TeamMember
from tests.core.public_site import fetch_public_site, readable_text
from tests.factories import (
    EventFactory,
    FocusAreaFactory,
    FunderFactory,
    FundingFactory,
    MunicipalityFactory,
    NewsPostFactory,
    ProjectFactory,
    PublicationFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.html import doc, links

pytestmark = pytest.mark.django_db

STATES = ("entwurf", "geplant", "abgelaufen")
# A word every item of this test carries: searching it must find the controls only.
SHARED = "Quellwasser"
LANGUAGES = ("", "/en")


def marker(kind: str, state: str) -> str:
    return f"Leck{kind}{state}"


def control(kind: str) -> str:
    return f"Sicht{kind}"


def schedule(state: str, now: datetime.datetime, *, start: str = "publish_at") -> dict:
    """Field values that make an item a draft, scheduled or expired."""
    day = datetime.timedelta(days=1)
    return {
        "entwurf": {"is_published": False},
        "geplant": {start: now + day},
        "abgelaufen": {start: now - 2 * day, "unpublish_at": now - day},
    }[state]


def team_schedule(state: str, now: datetime.datetime) -> dict:
    values = schedule(state, now)
    if "is_published" in values:
        return {"is_active": values.pop("is_published")}
    return values


@pytest.fixture
def site(db):
    """The controls and the hidden items of every content type, linked as editors link them."""
    now = timezone.now()
    soon = now + datetime.timedelta(days=14)
    items = {"hidden_urls": [], "markers": []}

    def hidden(obj, kind, state, url=None):
        items["markers"].append(marker(kind, state))
        if url is not False:
            items["hidden_urls"].append(url or obj.get_absolute_url())
        return obj

    # Places: the control place has the control project; a place with only hidden work.
    place = MunicipalityFactory(name=control("kommune"), slug="sichtkommune")
    hidden_place = MunicipalityFactory(name=marker("kommune", "nur"), slug="leckkommune")
    items["markers"].append(marker("kommune", "nur"))
    funder = FunderFactory(name=control("stiftung"), slug="sichtstiftung")
    hidden_funder = FunderFactory(name=marker("stiftung", "nur"), slug="leckstiftung")
    items["markers"] += [marker("stiftung", "nur"), marker("programm", "nur")]

    # Fields of work.
    area = FocusAreaFactory(title=f"{control('arbeitsfeld')} {SHARED}", slug="sichtarbeitsfeld")
    hidden_areas = [
        hidden(
            FocusAreaFactory(
                title=f"{marker('arbeitsfeld', s)} {SHARED}",
                slug=marker("arbeitsfeld", s).lower(),
                **schedule(s, now),
            ),
            "arbeitsfeld",
            s,
        )
        for s in STATES
    ]

    # Projects: all in the control place and field of work; the hidden ones also
    # in the hidden place, with the hidden funder and programme.
    project = ProjectFactory(
        title=f"{control('projekt')} {SHARED}",
        slug="sichtprojekt",
        start_date=datetime.date(2020, 1, 1),
        end_date=None,
        focus_areas=[area, *hidden_areas],
        municipalities=[place],
    )
    FundingFactory(project=project, funder=funder, programme=control("programm"))
    hidden_projects = []
    for s in STATES:
        hidden_project = ProjectFactory(
            title=f"{marker('projekt', s)} {SHARED}",
            slug=marker("projekt", s).lower(),
            start_date=datetime.date(2019, 1, 1),
            end_date=None,
            focus_areas=[area],
            municipalities=[place, hidden_place],
            **schedule(s, now),
        )
        FundingFactory(
            project=hidden_project, funder=hidden_funder, programme=marker("programm", "nur")
        )
        hidden_projects.append(hidden(hidden_project, "projekt", s))

    # Publications, in a year only the hidden ones have.
    publication = PublicationFactory(
        title=f"{control('publikation')} {SHARED}",
        slug="sichtpublikation",
        date=datetime.date(2021, 5, 1),
        projects=[project, *hidden_projects],
        focus_areas=[area, *hidden_areas],
    )
    for s in STATES:
        hidden(
            PublicationFactory(
                title=f"{marker('publikation', s)} {SHARED}",
                slug=marker("publikation", s).lower(),
                date=datetime.date(1999, 5, 1),
                projects=[project],
                focus_areas=[area],
                **schedule(s, now),
            ),
            "publikation",
            s,
        )

    # Events: upcoming, so they would be on the home page and "Aktuelles".
    event = EventFactory(
        title=f"{control('veranstaltung')} {SHARED}",
        slug="sichtveranstaltung",
        start=soon,
        end=soon + datetime.timedelta(hours=2),
        projects=[project, *hidden_projects],
        focus_areas=[area, *hidden_areas],
    )
    hidden_events = []
    for s in STATES:
        hidden_event = EventFactory(
            title=f"{marker('veranstaltung', s)} {SHARED}",
            slug=marker("veranstaltung", s).lower(),
            start=soon,
            end=soon + datetime.timedelta(hours=2),
            projects=[project],
            focus_areas=[area],
            **schedule(s, now),
        )
        hidden_events.append(hidden(hidden_event, "veranstaltung", s))
        items["hidden_urls"].append(f"{hidden_event.get_absolute_url()}kalender.ics")

    # News: the control post reports on a hidden event; a post's date is its publication time.
    news = NewsPostFactory(
        title=f"{control('neuigkeit')} {SHARED}",
        slug="sichtneuigkeit",
        published_at=now - datetime.timedelta(hours=1),
        event=hidden_events[0],
        projects=[project, *hidden_projects],
        focus_areas=[area, *hidden_areas],
    )
    for s in STATES:
        values = schedule(s, now, start="published_at")
        values.setdefault("published_at", now - datetime.timedelta(hours=2))
        hidden(
            NewsPostFactory(
                title=f"{marker('neuigkeit', s)} {SHARED}",
                slug=marker("neuigkeit", s).lower(),
                event=event,
                projects=[project],
                focus_areas=[area],
                **values,
            ),
            "neuigkeit",
            s,
        )

    # Team: members have no page of their own.
    member = TeamMemberFactory(
        name=control("team"), slug="sichtteam", role=SHARED, focus_areas=[area, *hidden_areas]
    )
    for s in STATES:
        hidden(
            TeamMemberFactory(
                name=marker("team", s),
                slug=marker("team", s).lower(),
                role=SHARED,
                focus_areas=[area],
                **team_schedule(s, now),
            ),
            "team",
            s,
            url=False,
        )

    # Text pages: the four fixed pages; the imprint is the control.
    pages = {"impressum": None, "leichte-sprache": "entwurf", "barrierefreiheit": "geplant"}
    pages["datenschutz"] = "abgelaufen"
    for slug, s in pages.items():
        title = control("seite") if s is None else marker("seite", s)
        values = {"title": f"{title} {SHARED}", "title_en": "", "body": f"{title} {SHARED}"}
        values.update({"version": "1", "is_published": True, "publish_at": None})
        values["unpublish_at"] = None
        if s is not None:
            values.update(schedule(s, now))
        page, _ = SitePage.objects.update_or_create(slug=slug, defaults=values)
        if s is not None:
            hidden(page, "seite", s)

    items.update(
        place=place,
        area=area,
        project=project,
        publication=publication,
        event=event,
        news=news,
        member=member,
        funder=funder,
    )
    return items


def leaks(text: str, markers: list[str]) -> list[str]:
    folded = text.casefold()
    return [m for m in markers if m.casefold() in folded]


def test_no_public_url_shows_a_draft_scheduled_or_expired_item(client, site):
    texts = fetch_public_site(client)  # sitemap sections, feeds, calendars, search: all 200
    for prefix in LANGUAGES:
        for path in ("/", "/kommunen/sichtkommune/", "/arbeitsfelder/sichtarbeitsfeld/"):
            texts[f"{prefix}{path}"] = readable_text(client.get(f"{prefix}{path}"))
        for obj in ("project", "publication", "event", "news"):
            path = f"{prefix}{site[obj].get_absolute_url()}"
            texts[path] = readable_text(client.get(path))
        texts[f"{prefix}/impressum/"] = readable_text(client.get(f"{prefix}/impressum/"))

    found = {path: leaks(text, site["markers"]) for path, text in texts.items()}
    assert {path: hits for path, hits in found.items() if hits} == {}

    # The walk looked where the controls are.
    expected = {
        "/": ["Sichtprojekt", "Sichtarbeitsfeld", "Sichtpublikation", "Sichtneuigkeit"],
        "/projekte/": ["Sichtprojekt", "Sichtkommune", "Sichtstiftung", "Sichtprogramm"],
        "/arbeitsfelder/": ["Sichtarbeitsfeld"],
        "/arbeitsfelder/sichtarbeitsfeld/": ["Sichtprojekt", "Sichtpublikation"],
        "/kommunen/": ["Sichtkommune"],
        "/kommunen/sichtkommune/": ["Sichtprojekt"],
        "/publikationen/": ["Sichtpublikation", "Sichtprojekt", "Sichtarbeitsfeld"],
        "/aktuelles/": ["Sichtneuigkeit", "Sichtveranstaltung"],
        "/aktuelles/feed/": ["Sichtneuigkeit"],
        "/aktuelles/atom/": ["Sichtneuigkeit"],
        "/veranstaltungen/kalender.ics": ["Sichtveranstaltung"],
        "/veranstaltungen/sichtveranstaltung/kalender.ics": ["Sichtveranstaltung"],
        "/projekte/sichtprojekt/": ["Sichtarbeitsfeld", "Sichtpublikation", "Sichtstiftung"],
        "/publikationen/sichtpublikation/": ["Sichtprojekt", "Sichtarbeitsfeld"],
        "/veranstaltungen/sichtveranstaltung/": ["Sichtprojekt", "Sichtarbeitsfeld"],
        "/aktuelles/sichtneuigkeit/": ["Sichtprojekt", "Sichtarbeitsfeld"],
        "/team/": ["Sichtteam", "Sichtarbeitsfeld"],
        "/impressum/": ["Sichtseite"],
    }
    for prefix in LANGUAGES:
        for path, words in expected.items():
            text = texts[f"{prefix}{path}"].casefold()
            assert [w for w in words if w.casefold() not in text] == [], f"{prefix}{path}"
    assert "Sichtveranstaltung".casefold() in texts["/"].casefold()


def test_hidden_items_have_no_address(client, site):
    assert len(site["hidden_urls"]) == 3 * 7  # 6 types with a page, and the events' .ics
    for prefix in LANGUAGES:
        answers = {url: client.get(f"{prefix}{url}").status_code for url in site["hidden_urls"]}
        assert {url: code for url, code in answers.items() if code != 404} == {}, prefix


def test_a_place_with_only_hidden_projects_shows_none_of_them(client, site):
    # Every place keeps its page (it is a place, not content), but lists no hidden project.
    for prefix in LANGUAGES:
        response = client.get(f"{prefix}/kommunen/leckkommune/")
        assert response.status_code == 200
        text = readable_text(response)
        project_markers = [m for m in site["markers"] if m.startswith("Leckprojekt")]
        assert leaks(text, project_markers) == []
        assert list(response.context["projects"]) == []


def test_sitemap_lists_no_hidden_address(client, site):
    index = client.get("/sitemap.xml").content.decode()
    sections = [line.split("</loc>")[0] for line in index.split("<loc>")[1:]]
    assert len(sections) >= 8
    body = "".join(
        client.get(section.replace("http://testserver", "")).content.decode()
        for section in sections
    )
    for url in site["hidden_urls"]:
        assert url.removesuffix("kalender.ics") not in body.replace("http://testserver", "")
    assert "/projekte/sichtprojekt/" in body
    assert "/arbeitsfelder/sichtarbeitsfeld/" in body
    assert "/kommunen/sichtkommune/" in body
    assert "/impressum/" in body


def test_search_finds_no_hidden_item(client, site):
    for prefix in LANGUAGES:
        for word in [*site["markers"], SHARED]:
            response = client.get(f"{prefix}/suche/", {"q": word})
            assert response.status_code == 200
            titles = [hit.title for group in response.context["groups"] for hit in group.hits]
            assert leaks(" ".join(titles), site["markers"]) == [], (prefix, word)
        response = client.get(f"{prefix}/suche/", {"q": SHARED})
        found = {group.key: group.total for group in response.context["groups"] if group.total}
        # One control each: fields of work, projects, publications, news, events, pages, team.
        assert found == {
            "arbeitsfelder": 1,
            "projekte": 1,
            "publikationen": 1,
            "neuigkeiten": 1,
            "veranstaltungen": 1,
            "seiten": 1,
            "team": 1,
        }, prefix


def _offered(response, name: str) -> list[str]:
    """The values a filter field offers a visitor: its options, or its suggestions."""
    page = doc(response)
    field = page.select_one(f'[name="{name}"]')
    if field.name == "select":
        return [o["value"] for o in field.select("option") if o.get("value")]
    return [o["value"] for o in page.select(f"datalist#{field['list']} option")]


def test_filter_choices_and_counts_leave_hidden_items_out(client, site):
    for prefix in LANGUAGES:
        projects = client.get(f"{prefix}/projekte/")
        assert _offered(projects, "focus_area") == ["sichtarbeitsfeld"]
        assert _offered(projects, "municipality") == ["Sichtkommune"]
        assert _offered(projects, "funder") == ["sichtstiftung"]
        assert _offered(projects, "programme") == ["Sichtprogramm"]
        assert projects.context["paginator"].count == 1

        publications = client.get(f"{prefix}/publikationen/")
        assert _offered(publications, "focus_area") == ["sichtarbeitsfeld"]
        assert _offered(publications, "project") == ["sichtprojekt"]
        assert _offered(publications, "year") == ["2021"]
        assert publications.context["paginator"].count == 1

        places = client.get(f"{prefix}/kommunen/")
        assert [href for href, _ in links(places, "main li a[href*='/kommunen/']")] == [
            f"{prefix}/kommunen/sichtkommune/"
        ]


# Unit level: the boundaries of each published() method.

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


def make(model: type, **values):
    factories = {
        Project: ProjectFactory,
        FocusArea: FocusAreaFactory,
        Publication: PublicationFactory,
        Event: EventFactory,
        TeamMember: TeamMemberFactory,
    }
    if model is NewsPost:
        values["published_at"] = values.pop("publish_at", None) or NOW - 10 * SECOND
        return NewsPostFactory(**values)
    if model is SitePage:
        page = SitePage.objects.get_or_create(slug="impressum", defaults={"version": "1"})[0]
        for name, value in {"publish_at": None, "unpublish_at": None, **values}.items():
            setattr(page, name, value)
        page.save()
        return page
    return factories[model](**values)


MODELS = [Project, FocusArea, Publication, NewsPost, Event, TeamMember, SitePage]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_published_from_publish_time_on(model):
    item = make(model, publish_at=NOW)
    assert item in model.objects.published(now=NOW)
    assert item not in model.objects.published(now=NOW - SECOND)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_hidden_from_unpublish_time_on(model):
    item = make(model, unpublish_at=NOW)
    assert item in model.objects.published(now=NOW - SECOND)
    assert item not in model.objects.published(now=NOW)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_draft_is_never_published(model):
    state = "is_active" if model is TeamMember else "is_published"
    item = make(model, **{state: False})
    assert item not in model.objects.published(now=NOW)
    assert not model.objects.published().filter(pk=item.pk).exists()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_database_refuses_unpublish_before_publish(model):
    start = "published_at" if model is NewsPost else "publish_at"
    item = make(model)
    model.objects.filter(pk=item.pk).update(**{start: NOW, "unpublish_at": NOW + SECOND})
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=item.pk).update(**{start: NOW, "unpublish_at": NOW})


def test_a_form_explains_the_schedule_rule():
    project = ProjectFactory.build(publish_at=NOW, unpublish_at=NOW)
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert "„Verbergen ab“ muss nach dem Zeitpunkt der Veröffentlichung liegen." in str(error.value)


@pytest.mark.parametrize("slug", ["impressum", "datenschutz"])
@pytest.mark.parametrize(
    "values",
    [
        {"is_published": False},
        {"publish_at": timezone.now() + datetime.timedelta(days=1)},
        {"unpublish_at": timezone.now() + datetime.timedelta(days=1)},
    ],
    ids=["draft", "scheduled", "expiring"],
)
def test_imprint_and_privacy_notice_cannot_be_hidden(slug, values):
    page = SitePage(
        slug=slug, role=slug, menu="fuss", title="Titel", body="Text", version="1", **values
    )
    with pytest.raises(ValidationError, match="gesetzlich vorgeschrieben"):
        page.full_clean(validate_unique=False)
    SitePage(
        slug="leichte-sprache",
        role="leichte-sprache",
        menu="fuss",
        title="T",
        body="T",
        version="1",
        **values,
    ).full_clean(validate_unique=False)


def test_example_team_members_stay_hidden_in_production(settings):
    settings.DEBUG = False
    example = TeamMemberFactory(is_example=True)
    assert example not in TeamMember.objects.published()
    settings.DEBUG = True
    assert example in TeamMember.objects.published()


def test_legal_pages_are_published_by_load_content(centre_content):
    assert set(SitePage.objects.published().values_list("slug", flat=True)) >= {
        "impressum",
        "datenschutz",
        "barrierefreiheit",
    }


ADMIN_PAGES = {
    "projects/project": ProjectFactory,
    "projects/focusarea": FocusAreaFactory,
    "publications/publication": PublicationFactory,
    "publications/newspost": NewsPostFactory,
    "publications/event": EventFactory,
    "team/teammember": TeamMemberFactory,
}


@pytest.mark.parametrize("path", [*ADMIN_PAGES, "kkk_portal/sitepage"])
def test_admin_edits_and_filters_the_schedule(client, path):
    client.force_login(UserFactory(is_superuser=True))
    if path == "kkk_portal/sitepage":
        item = make(SitePage, publish_at=timezone.now() + datetime.timedelta(days=1))
    else:
        item = ADMIN_PAGES[path]()
        start = "published_at" if path.endswith("newspost") else "publish_at"
        type(item).objects.filter(pk=item.pk).update(
            **{start: timezone.now() + datetime.timedelta(days=1)}
        )
    change = client.get(f"/admin/{path}/{item.pk}/change/").content.decode()
    assert "Veröffentlichung" in change
    assert 'name="unpublish_at_0"' in change
    start = "published_at" if path.endswith("newspost") else "publish_at"
    assert f'name="{start}_0"' in change
    scheduled = client.get(f"/admin/{path}/", {"sichtbarkeit": "scheduled"})
    assert [obj.pk for obj in scheduled.context["cl"].result_list] == [item.pk]
    public = client.get(f"/admin/{path}/", {"sichtbarkeit": "public"})
    assert item.pk not in [obj.pk for obj in public.context["cl"].result_list]
