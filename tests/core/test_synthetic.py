"""The benchmark data generator."""

import pytest
from django.core.management import call_command

from counselling.models import Activity, Case
from projects.models import Municipality, Project


@pytest.mark.django_db
def test_generate_synthetic_creates_the_requested_rows_and_clears_them(centre_content):
    real_projects = Project.objects.count()
    args = {
        "projects": 30,
        "municipalities": 10,
        "publications": 5,
        "news": 5,
        "events": 5,
        "requests": 7,
        "cases": 40,
        "activities_per_case": 2,
        "verbosity": 0,
    }
    call_command("generate_synthetic", **args)
    assert Project.objects.count() == real_projects + 30
    assert Case.objects.filter(title__startswith="[Synthetisch]").count() == 40
    assert Activity.objects.count() == 80
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references))

    call_command("generate_synthetic", clear=True, **args)
    assert Project.objects.count() == real_projects + 30
    assert Municipality.objects.filter(slug__startswith="synth-").count() == 10

    call_command(
        "generate_synthetic",
        clear=True,
        projects=0,
        municipalities=0,
        publications=0,
        news=0,
        events=0,
        requests=0,
        cases=0,
        verbosity=0,
    )
    assert Project.objects.count() == real_projects
    assert Case.objects.count() == 0
