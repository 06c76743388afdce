import pytest
from django.contrib.auth.models import Group

from counselling.permissions import BERATUNG, LEITUNG, REDAKTION
from tests.factories import UserFactory

PASSWORD = "pw-for-tests-1"  # set by UserFactory


def member(username, group_name=None, **extra):
    user = UserFactory(username=username, **extra)
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def leitung(db):
    return member("lea", LEITUNG, first_name="Lea", last_name="Leitung")


@pytest.fixture
def beratung(db):
    return member("bea", BERATUNG, first_name="Bea", last_name="Beratung")


@pytest.fixture
def beratung2(db):
    return member("ben", BERATUNG, first_name="Ben", last_name="Beratung")


@pytest.fixture
def redaktion(db):
    return member("rita", REDAKTION)
