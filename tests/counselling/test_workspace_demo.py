"""`make run`'s demo logins see a filled start page (development-only example data)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from counselling.selectors import workspace_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["beratung", "leitung"])
def test_demo_logins_see_new_request_due_follow_up_and_appointment(settings, username):
    settings.DEBUG = True
    call_command("create_demo_users", verbosity=0)
    call_command("create_demo_users", verbosity=0)  # twice: nothing doubled
    user = get_user_model().objects.get(username=username)

    workspace = workspace_for(user=user)

    assert workspace.new_request_count >= 1
    assert workspace.due_case_count >= 1
    assert any(
        case.activities.filter(start_time__isnull=False).exists() for case in workspace.my_cases
    )
    client = Client()
    client.force_login(user)
    html = client.get("/admin/").content.decode()
    assert "Demo: Rückruf der Kommune" in html
    assert "ANF-DEMO-0002" in html
    assert user.get_full_name() == f"Demo {username.capitalize()}"
