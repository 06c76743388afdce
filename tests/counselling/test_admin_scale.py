"""The case list and case page stay small with many projects: limited project choices."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from counselling import services
from counselling.admin_workspace import LimitedRelatedOnlyFilter
from counselling.models import Case
from tests.factories import CounsellingRequestFactory, ProjectFactory
from tests.html import doc, texts

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _case_funded_by(project, by):
    case = services.case_create_from_request(request=CounsellingRequestFactory(), by=by)
    case.project = project
    case.save()
    return case


def _project_filter_choices(html):
    boxes = doc(html).select(
        '#changelist-filter details[data-filter-title="Finanzierendes Projekt"]'
    )
    return [a.text.strip() for box in boxes for a in box.select("a")]


def test_project_filter_lists_occurring_projects_while_they_are_few(leitung, monkeypatch):
    monkeypatch.setattr(LimitedRelatedOnlyFilter, "limit", 2)
    first, second = ProjectFactory(title="Altmark"), ProjectFactory(title="Börde")
    ProjectFactory(title="Ohne Fall")
    _case_funded_by(first, leitung)
    _case_funded_by(second, leitung)

    html = _login(leitung).get("/admin/counselling/case/").content.decode()

    # "-": cases without a project (Django's empty choice).
    assert _project_filter_choices(html) == ["Alle", "Altmark", "Börde", "-"]


def test_project_filter_shows_only_the_chosen_one_when_there_are_too_many(leitung, monkeypatch):
    monkeypatch.setattr(LimitedRelatedOnlyFilter, "limit", 2)
    projects = [ProjectFactory(title=f"Projekt {n}") for n in range(3)]
    for project in projects:
        _case_funded_by(project, leitung)
    client = _login(leitung)

    html = client.get("/admin/counselling/case/").content.decode()
    assert _project_filter_choices(html) == []  # too many to list: no project filter box

    chosen = client.get(f"/admin/counselling/case/?project__id__exact={projects[1].pk}")
    assert _project_filter_choices(chosen.content.decode()) == ["Alle", "Projekt 1", "-"]
    assert [case.project_id for case in chosen.context["cl"].result_list] == [projects[1].pk]


def test_case_page_offers_recent_projects_and_the_cases_own(beratung):
    today = timezone.localdate()
    old = ProjectFactory(
        title="Lange vorbei",
        start_date=today - datetime.timedelta(days=2000),
        end_date=today - datetime.timedelta(days=800),
    )
    ProjectFactory(
        title="Auch vorbei",
        start_date=today - datetime.timedelta(days=2000),
        end_date=today - datetime.timedelta(days=800),
    )
    ProjectFactory(title="Läuft", start_date=today - datetime.timedelta(days=30), end_date=None)
    ProjectFactory(
        title="Vor kurzem beendet",
        start_date=today - datetime.timedelta(days=400),
        end_date=today - datetime.timedelta(days=100),
    )
    case = _case_funded_by(old, beratung)

    html = _login(beratung).get(f"/admin/counselling/case/{case.pk}/change/").content.decode()

    # Beratung has no project search: a plain list of the recent ones and the case's own.
    options = texts(html, "select#id_project option")
    assert options[1:] == ["Lange vorbei", "Läuft", "Vor kurzem beendet"]


def test_year_and_status_filters_list_only_occurring_values(leitung):
    for year in (2019, 2021):
        case = services.case_create_from_request(request=CounsellingRequestFactory(), by=leitung)
        Case.objects.filter(pk=case.pk).update(year=year)
    html = _login(leitung).get("/admin/counselling/case/").content.decode()
    page = doc(html)

    (years,) = page.select('#changelist-filter details[data-filter-title="Jahr"]')
    assert [a.text.strip() for a in years.select("a")] == ["Alle", "2019", "2021"]
    (statuses,) = page.select('#changelist-filter details[data-filter-title="Status"]')
    assert [a.text.strip() for a in statuses.select("a")] == ["Alle", "Anfrage"]
