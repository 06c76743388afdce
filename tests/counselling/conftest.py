import pytest
from django.contrib.auth.models import Group

from counselling.permissions import BERATUNG, LEITUNG, REDAKTION
from tests.factories import TopicFactory, UserFactory


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path):
    """Case documents of a test go to a temporary, non-public folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _member(username, group_name):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def leitung(db):
    return _member("leitung", LEITUNG)


@pytest.fixture
def beratung(db):
    return _member("beratung", BERATUNG)


@pytest.fixture
def beratung2(db):
    return _member("beratung2", BERATUNG)


@pytest.fixture
def redaktion(db):
    return _member("redaktion", REDAKTION)


@pytest.fixture
def topics(db):
    return [
        TopicFactory(name="Migration und Zusammenleben", order=1),
        TopicFactory(name="Rechtsextremismus", order=2),
        TopicFactory(name="Alter Eintrag", order=3, is_active=False),
    ]


VALID_REQUEST = {
    "institution": "Gemeinde Musterdorf",
    "body_kind": "gemeinde",
    "state": "ST",
    "contact_name": "Erika Mustermann",
    "contact_role": "Bürgermeisterin",
    "email": "erika@musterdorf.example",
    "phone": "",
    "contact_preference": "email",
    "situation": "Seit dem Sommer streiten Gemeinderat und Bürgerinitiative über den Marktplatz.",
    "conflict_type": "akut",
    "involved": "Gemeinderat, Bürgerinitiative",
    "urgency": "mittel",
    "heard_from": "Empfehlung",
    "consent": "on",
}


@pytest.fixture
def valid_request_data(topics):
    return {**VALID_REQUEST, "topics": [str(topics[0].pk)]}


@pytest.fixture
def smtp_settings(settings):
    """Point Django's SMTP backend at loopback; tests set EMAIL_PORT."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return settings
