"""The contact inbox in the admin: who sees it, replies through the outbox, closing,
filters, the start-page count and the permissions the groups get."""

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import call_command

from counselling.models import CaseAccessLog, OutboxMessage
from counselling.permissions import BERATUNG, LEITUNG, REDAKTION
from team import services
from team.models import ContactMessage, ContactReply
from tests.factories import UserFactory
from tests.html import links, text, texts

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/team/contactmessage/"


def _message(**changes) -> ContactMessage:
    data = {
        "name": "Jana Presse",
        "email": "jana@zeitung.example",
        "organisation": "Beispielzeitung",
        "topic": ContactMessage.Topic.PRESS,
        "message": "Eine Frage zu Ihrer Arbeit.",
    }
    language = changes.pop("language", "de")
    return services.contact_submit(data={**data, **changes}, language=language)


def _staff(group_name: str):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def leitung():
    return _staff(LEITUNG)


def test_leitung_gets_the_contact_permissions_and_redaktion_and_beratung_do_not():
    codenames = {
        "view_contactmessage",
        "change_contactmessage",
        "delete_contactmessage",
        "view_contactreply",
    }

    def granted(group_name):
        return set(
            Group.objects.get(name=group_name)
            .permissions.filter(content_type__app_label="team", codename__in=codenames)
            .values_list("codename", flat=True)
        )

    assert granted(LEITUNG) == codenames
    assert granted(REDAKTION) == set()
    assert granted(BERATUNG) == set()
    # Redaktion still edits the team app's public content.
    assert Group.objects.get(name=REDAKTION).permissions.filter(codename="change_teammember")


def test_ensure_groups_run_again_does_not_give_redaktion_the_contact_permissions():
    call_command("migrate", verbosity=0)  # post_migrate runs ensure_groups again
    assert not Group.objects.get(name=REDAKTION).permissions.filter(
        content_type__app_label="team", content_type__model__in=["contactmessage", "contactreply"]
    )


@pytest.mark.parametrize(
    ("group_name", "status"),
    [(LEITUNG, 200), (REDAKTION, 403), (BERATUNG, 403)],
)
def test_permission_matrix_for_the_inbox(client, group_name, status):
    message = _message()
    client.force_login(_staff(group_name))

    assert client.get(LIST_URL).status_code == status
    assert client.get(f"{LIST_URL}{message.pk}/change/").status_code == status
    reply = client.post(f"{LIST_URL}{message.pk}/antworten/", {"subject": "x", "body": "y"})
    close = client.post(f"{LIST_URL}{message.pk}/erledigt/")
    message.refresh_from_db()
    if status == 200:
        assert (reply.status_code, close.status_code) == (302, 302)
        assert message.status == ContactMessage.Status.CLOSED
        assert ContactReply.objects.count() == 1
    else:
        assert (reply.status_code, close.status_code) == (403, 403)
        assert message.status == ContactMessage.Status.NEW
        assert not ContactReply.objects.exists()


def test_unknown_contact_message_answers_404(client, leitung):
    client.force_login(leitung)
    assert client.get(f"{LIST_URL}999999/antworten/").status_code == 404
    assert client.post(f"{LIST_URL}999999/erledigt/").status_code == 404
    assert client.get(f"{LIST_URL}999999/erledigt/").status_code == 405


def test_holders_of_the_permission_need_the_second_factor(client):
    reader = UserFactory()
    reader.user_permissions.add(
        Permission.objects.get(content_type__app_label="team", codename="view_contactmessage")
    )
    client.force_login(reader, otp=False)

    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert "/admin/konto/zwei-faktor/" in response["Location"]

    client.force_login(reader)  # with a confirmed second factor
    assert client.get(LIST_URL).status_code == 200


def test_a_single_permission_holder_outside_leitung_sees_the_inbox(client):
    reader = UserFactory()
    reader.user_permissions.add(
        Permission.objects.get(content_type__app_label="team", codename="view_contactmessage")
    )
    message = _message()
    client.force_login(reader)

    page = client.get(f"{LIST_URL}{message.pk}/change/")

    assert page.status_code == 200
    # Reading only: no reply form, replying refused.
    assert "contact-reply" not in page.content.decode()
    assert client.get(f"{LIST_URL}{message.pk}/antworten/").status_code == 403


def test_change_page_shows_the_message_read_only_and_a_reply_form(client, leitung):
    message = _message()
    client.force_login(leitung)

    page = client.get(f"{LIST_URL}{message.pk}/change/")

    assert page.status_code == 200
    assert text(page, ".field-message .readonly") == "Eine Frage zu Ihrer Arbeit."
    assert text(page, ".field-email .readonly") == "jana@zeitung.example"
    # Nothing the visitor sent can be edited.
    assert page.context["adminform"].form.fields == {}
    reply_form = page.context["reply_form"]
    assert reply_form["subject"].value() == f"Ihre Nachricht {message.reference}"
    html = page.content.decode()
    assert f'action="{LIST_URL}{message.pk}/antworten/"' in html
    assert f'action="{LIST_URL}{message.pk}/erledigt/"' in html

    reply_page = client.get(f"{LIST_URL}{message.pk}/antworten/")
    assert reply_page.status_code == 200
    assert texts(reply_page, "h1") == [f"Antwort auf {message.reference}"]
    assert reply_page.context["form"]["subject"].value() == f"Ihre Nachricht {message.reference}"
    assert "Eine Frage zu Ihrer Arbeit." in reply_page.content.decode()


def test_reply_is_queued_stored_and_marks_the_message_answered(client, leitung):
    message = _message()
    client.force_login(leitung)
    subject = f"Ihre Nachricht {message.reference}"

    response = client.post(
        f"{LIST_URL}{message.pk}/antworten/",
        {"subject": subject, "body": "Guten Tag,\n\ngern beantworten wir Ihre Frage."},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{LIST_URL}{message.pk}/change/"
    message.refresh_from_db()
    assert message.status == ContactMessage.Status.ANSWERED
    assert message.answered_at is not None
    reply = ContactReply.objects.get()
    assert (reply.message, reply.subject, reply.sent_by) == (message, subject, leitung)
    assert reply.body == (
        "Guten Tag,\n\ngern beantworten wir Ihre Frage.\n\n-- \n"
        "Kompetenzzentrum Kommunale Konfliktberatung\n"
        f"Ihre Nachricht: {message.reference}. Bitte nennen Sie diese Nummer, wenn Sie uns "
        "dazu schreiben."
    )
    outbox = reply.outbox
    assert (outbox.kind, outbox.to, outbox.subject, outbox.body, outbox.related_key) == (
        OutboxMessage.Kind.CONTACT_REPLY,
        "jana@zeitung.example",
        subject,
        reply.body,
        f"team.contactmessage:{message.pk}",
    )
    call_command("run_worker", "--once")
    sent = [m for m in mail.outbox if m.subject == subject]
    assert [(m.to, m.body) for m in sent] == [(["jana@zeitung.example"], reply.body)]

    page = client.get(f"{LIST_URL}{message.pk}/change/")
    assert texts(page, ".messagelist li") == [f"Die Antwort an {message.reference} wird gesendet."]
    assert "gern beantworten wir Ihre Frage." in page.content.decode()


def test_reply_subject_without_the_reference_gets_it_in_the_visitors_language(leitung):
    message = _message(language="en")

    reply = services.contact_reply_send(
        message=message, subject="Interview", body="Dear Ms Presse, yes.", by=leitung
    )

    assert reply.subject.endswith(f"{message.reference}: Interview")
    assert reply.outbox.subject == reply.subject
    assert reply.body.startswith("Dear Ms Presse, yes.\n\n-- \n")
    assert message.reference in reply.body


def test_empty_reply_gets_messages_and_sends_nothing(client, leitung):
    message = _message()
    client.force_login(leitung)

    response = client.post(f"{LIST_URL}{message.pk}/antworten/", {"subject": "", "body": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "subject": ["Bitte geben Sie einen Betreff an."],
        "body": ["Bitte schreiben Sie eine Antwort."],
    }
    assert not ContactReply.objects.exists()
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.CONTACT_REPLY).count() == 0
    message.refresh_from_db()
    assert message.status == ContactMessage.Status.NEW


def test_close_and_no_reply_after_closing(client, leitung):
    message = _message()
    client.force_login(leitung)

    response = client.post(f"{LIST_URL}{message.pk}/erledigt/")

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == ContactMessage.Status.CLOSED
    assert message.closed_at is not None
    refused = client.post(
        f"{LIST_URL}{message.pk}/antworten/", {"subject": "Re", "body": "Noch etwas"}
    )
    assert refused.status_code == 302
    assert not ContactReply.objects.exists()
    page = client.get(f"{LIST_URL}{message.pk}/change/")
    assert "Diese Kontaktanfrage ist erledigt." in page.content.decode()


def test_close_action_in_the_list(client, leitung):
    first, second, third = _message(), _message(), _message()
    client.force_login(leitung)

    client.post(
        LIST_URL,
        {"action": "close_selected", "_selected_action": [first.pk, second.pk]},
    )

    assert dict(ContactMessage.objects.values_list("pk", "status")) == {
        first.pk: "erledigt",
        second.pk: "erledigt",
        third.pk: "neu",
    }


def test_list_filters_by_status_and_topic(client, leitung):
    press = _message(topic=ContactMessage.Topic.PRESS)
    events = _message(topic=ContactMessage.Topic.EVENTS)
    closed_events = _message(topic=ContactMessage.Topic.EVENTS)
    services.contact_close(message=closed_events)
    client.force_login(leitung)

    def shown(query):
        response = client.get(LIST_URL + query)
        return sorted(texts(response, "#result_list th.field-reference"))

    assert shown("") == sorted([press.reference, events.reference, closed_events.reference])
    assert shown("?status__exact=neu") == sorted([press.reference, events.reference])
    assert shown("?topic__exact=veranstaltungen") == sorted(
        [events.reference, closed_events.reference]
    )
    assert shown("?topic__exact=veranstaltungen&status__exact=erledigt") == [
        closed_events.reference
    ]
    assert texts(client.get(LIST_URL), "h1") == ["Kontaktanfragen (2 neu)"]


@pytest.mark.parametrize("amount", [2, 40])
def test_list_query_count_is_constant(client, leitung, django_assert_max_num_queries, amount):
    for _ in range(amount):
        _message()
    client.force_login(leitung)
    with django_assert_max_num_queries(20):
        response = client.get(LIST_URL)
    assert len(texts(response, "#result_list th.field-reference")) == amount


def test_start_page_shows_the_number_of_new_ones_to_holders_only(client, leitung):
    _message()
    _message()
    services.contact_close(message=_message())
    client.force_login(leitung)

    page = client.get("/admin/")

    assert links(page, "#contact-inbox-module a") == [
        (f"{LIST_URL}?status__exact=neu", "2 neue Kontaktanfragen")
    ]
    client.force_login(_staff(REDAKTION))
    assert "contact-inbox-module" not in client.get("/admin/").content.decode()


def test_delete_in_the_admin_removes_replies_and_mails(client, leitung):
    message = _message()
    services.contact_reply_send(message=message, subject="Re", body="Antwort", by=leitung)
    client.force_login(leitung)

    response = client.post(f"{LIST_URL}{message.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not ContactMessage.objects.exists()
    assert not ContactReply.objects.exists()
    assert not OutboxMessage.objects.filter(related_key=f"team.contactmessage:{message.pk}")


def test_art_15_export_from_the_inbox_for_leitung(client, leitung):
    message = _message()
    services.contact_reply_send(message=message, subject="Re", body="Antwort", by=leitung)
    client.force_login(leitung)

    response = client.post(
        LIST_URL, {"action": "export_requester_data", "_selected_action": [message.pk]}
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="auskunft-{message.reference}.json"'
    )
    data = json.loads(response.content)
    assert [m["reference"] for m in data["contact_messages"]] == [message.reference]
    assert data["contact_messages"][0]["message"] == "Eine Frage zu Ihrer Arbeit."
    assert [r["subject"] for r in data["contact_messages"][0]["replies"]] == [
        f"Ihre Nachricht {message.reference}: Re"
    ]
    assert CaseAccessLog.objects.filter(
        via=CaseAccessLog.Via.EXPORT, case_reference=message.reference
    ).exists()
