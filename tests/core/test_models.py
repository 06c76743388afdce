"""Rules the database guards and `clean()` explains."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects.models import Project, ProjectStatus
from tests.factories import EventFactory, ProjectFactory


@pytest.mark.django_db
def test_project_end_before_start_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFactory(start_date=datetime.date(2022, 1, 1), end_date=datetime.date(2021, 1, 1))
    assert Project.objects.count() == 0


@pytest.mark.django_db
def test_project_clean_explains_the_date_rule_in_german():
    project = ProjectFactory.build(
        start_date=datetime.date(2022, 1, 1), end_date=datetime.date(2021, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        project.clean()
    assert exc.value.message_dict == {"end_date": ["Das Ende darf nicht vor dem Beginn liegen."]}


@pytest.mark.django_db
def test_event_end_before_start_is_refused_by_the_database():
    start = datetime.datetime(2026, 5, 1, 10, tzinfo=datetime.UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(start=start, end=start - datetime.timedelta(hours=1))


@pytest.mark.django_db
def test_project_status_is_derived_from_dates():
    project = ProjectFactory(
        start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2020, 12, 31)
    )
    open_ended = ProjectFactory(start_date=datetime.date(2020, 1, 1), end_date=None)
    assert project.status_on(datetime.date(2019, 12, 31)) == ProjectStatus.PLANNED
    assert project.status_on(datetime.date(2020, 12, 31)) == ProjectStatus.RUNNING
    assert project.status_on(datetime.date(2021, 1, 1)) == ProjectStatus.COMPLETED
    assert open_ended.status_on(datetime.date(2030, 1, 1)) == ProjectStatus.RUNNING
    day = datetime.date(2020, 6, 1)
    assert list(Project.objects.running(on=day).order_by("pk")) == [project, open_ended]
    assert list(Project.objects.completed(on=datetime.date(2021, 1, 1))) == [project]
    assert list(Project.objects.planned(on=datetime.date(2019, 1, 1)).order_by("pk")) == [
        project,
        open_ended,
    ]
