"""Who may download a case document: the rule counselling.download_document."""

import pytest
from django.contrib.auth.models import Permission

from counselling.models import CaseAccessLog
from tests.counselling.case_helpers import login, make_case, make_document
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _url(document):
    return f"/beratung/dokumente/{document.pk}/"


def _perms(*codenames):
    return Permission.objects.filter(content_type__app_label="counselling", codename__in=codenames)


def test_download_rule_for_each_person(beratung, beratung2, leitung, redaktion):
    helper = UserFactory(username="helfer")
    helper.groups.add(*beratung.groups.all())
    document = make_document(make_case(beratung, counsellors=[beratung, helper]))
    people = [beratung, helper, beratung2, leitung, redaktion]

    answers = [user.has_perm("counselling.download_document", document) for user in people]
    codes = [login(user).get(_url(document)).status_code for user in people]

    assert answers == [True, True, False, True, False]
    # Not yours and not there look the same: 404.
    assert codes == [200, 200, 404, 200, 404]
    assert sorted(CaseAccessLog.objects.values_list("user__username", flat=True)) == [
        "beratung",
        "helfer",
        "leitung",
    ]


def test_download_follows_permissions_not_group_names(beratung):
    reader = UserFactory(username="leser")
    reader.user_permissions.add(*_perms("view_case", "view_casedocument"))
    document = make_document(make_case(beratung, counsellors=[beratung, reader]))
    no_documents = UserFactory(username="ohne")
    no_documents.user_permissions.add(*_perms("view_case"))
    other = make_document(make_case(beratung, counsellors=[beratung, no_documents]))

    assert login(reader).get(_url(document)).status_code == 200
    # On the case, but without the document permission.
    assert login(no_documents).get(_url(other)).status_code == 404
    # The document permission, but not on that case.
    assert login(reader).get(_url(other)).status_code == 404
