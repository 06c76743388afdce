"""The public forms written by `{% form_field %}` (kkk_portal/templatetags/form_fields.py):
labels, required markers, help texts and errors linked by `aria-describedby`,
`is-invalid`, radio buttons in a fieldset, and the unbound markup kept per process."""

import datetime

import pytest
from django import forms
from django.template import engines

from counselling.models import Topic
from tests import html
from tests.factories import PublicationFactory, TopicFactory
from tests.publications.registration_helpers import register_url, registration_event

pytestmark = pytest.mark.django_db

REQUEST_URL = "/beratung-anfragen/"
CONTACT_URL = "/kontakt/"


@pytest.fixture
def topics(db):
    return [
        TopicFactory(name="Migration und Zusammenleben", order=1),
        TopicFactory(name="Rechtsextremismus", order=2),
    ]


def node(source, css):
    found = html.doc(source).select(css)
    assert len(found) == 1, (css, len(found))
    return found[0]


def described_by(source, css) -> list[str]:
    return node(source, css).get("aria-describedby", "").split()


def test_every_request_form_field_has_a_label_and_marks_what_is_required(client, topics):
    page = client.get(REQUEST_URL).content

    assert html.text(page, 'label[for="id_institution"]') == "Name der Kommune oder Institution *"
    assert html.texts(page, 'label[for="id_institution"] .asteriskField') == ["*"]
    assert node(page, "#id_institution").has_attr("required")
    assert html.text(page, 'label[for="id_contact_role"]') == "Funktion"
    assert not node(page, "#id_contact_role").has_attr("required")
    # Radio buttons: a fieldset whose legend names the group, one label per option.
    assert html.text(page, "#div_id_urgency legend") == "Dringlichkeit *"
    assert html.texts(page, "#div_id_topics label.form-check-label") == [
        "Migration und Zusammenleben",
        "Rechtsextremismus",
    ]
    assert html.attrs(page, "#div_id_topics input", "id") == ["id_topics_0", "id_topics_1"]
    assert html.text(page, 'label[for="id_consent"]') == (
        "Ich habe die Datenschutzhinweise gelesen und bin einverstanden. *"
    )
    # Every visible input, select and text area is named by a label.
    form = node(page, "form.request-form")
    for element in form.select("input:not([type=hidden]):not([type=submit]), select, textarea"):
        assert form.select(f'label[for="{element["id"]}"]'), element["id"]
    # The classes of crispy-forms' Bootstrap 5 look.
    assert node(page, "#id_institution")["class"] == ["textinput", "form-control"]
    assert node(page, "#id_email")["class"] == ["emailinput", "form-control"]
    assert node(page, "#id_state")["class"] == ["select", "form-select"]
    assert node(page, "#id_situation")["class"] == ["textarea", "form-control"]
    assert node(page, "#id_consent")["class"] == ["checkboxinput", "form-check-input"]
    assert [element["class"] for element in html.doc(page).select("#div_id_urgency input")] == [
        ["form-check-input"]
    ] * 3


def test_help_texts_are_linked_to_their_fields(client, topics):
    page = client.get(REQUEST_URL).content

    assert described_by(page, "#id_institution") == ["id_institution_helptext"]
    assert html.text(page, "#id_institution_helptext") == (
        "Zum Beispiel „Gemeinde Musterdorf“ oder „Landkreis Beispielkreis“."
    )
    # The character counter beside the description is read out too.
    assert described_by(page, "#id_situation") == ["id_situation_helptext", "situation-counter"]
    assert node(page, "#situation-counter")["aria-live"] == "polite"
    # A group of checkboxes: the fieldset carries the link, not each box.
    assert described_by(page, "#div_id_topics fieldset") == ["id_topics_helptext"]
    assert html.attrs(page, "#div_id_topics input", "aria-describedby") == []
    assert not node(page, "#id_email").has_attr("aria-describedby")
    assert not html.doc(page).select(".is-invalid, [aria-invalid], .invalid-feedback")


def test_errors_mark_the_field_invalid_and_are_linked_to_it(client, topics):
    response = client.post(
        REQUEST_URL, {"email": "kein-at", "contact_preference": "telefon", "situation": "x"}
    )
    page = response.content
    errors = response.context["form"].errors

    email = node(page, "#id_email")
    assert email["class"] == ["emailinput", "form-control", "is-invalid"]
    assert email["aria-invalid"] == "true"
    assert email["value"] == "kein-at"
    assert described_by(page, "#id_email") == ["id_email_error"]
    assert html.text(page, "#id_email_error") == errors["email"][0]
    # Help text first, then the error.
    assert described_by(page, "#id_phone") == ["id_phone_helptext", "id_phone_error"]
    assert html.text(page, "#id_phone_error") == (
        "Bitte geben Sie eine Telefonnummer an, wenn wir anrufen sollen."
    )
    # The description keeps its counter and gains its error.
    assert described_by(page, "#id_situation") == ["id_situation_helptext", "situation-counter"]
    # Radio buttons: every option is invalid, the error follows the last one, and the
    # fieldset points to it.
    assert html.attrs(page, "#div_id_urgency input", "aria-invalid") == ["true"] * 3
    assert [element["class"] for element in html.doc(page).select("#div_id_urgency input")] == [
        ["form-check-input", "is-invalid"]
    ] * 3
    assert described_by(page, "#div_id_urgency fieldset") == ["id_urgency_error"]
    assert html.text(page, "#id_urgency_error") == "Bitte wählen Sie, wie dringend es ist."
    assert node(page, "#id_urgency_error").find_parent(class_="form-check").select_one("input")[
        "id"
    ] == ("id_urgency_2")
    # The single checkbox.
    assert node(page, "#id_consent")["class"] == [
        "checkboxinput",
        "form-check-input",
        "is-invalid",
    ]
    assert described_by(page, "#id_consent") == ["id_consent_error"]
    # A field without an error stays as it was.
    assert node(page, "#id_contact_role")["class"] == ["textinput", "form-control"]
    assert not node(page, "#id_contact_role").has_attr("aria-invalid")
    # Input is kept: the chosen radio button stays checked.
    assert html.attrs(page, "#div_id_contact_preference input[checked]", "value") == ["telefon"]


def test_the_description_names_counter_and_error(client, topics):
    page = client.post(REQUEST_URL, {"situation": "x" * 5001}).content
    assert described_by(page, "#id_situation") == [
        "id_situation_helptext",
        "situation-counter",
        "id_situation_error",
    ]
    assert html.text(page, "#id_situation_error") == (
        "Bitte kürzen Sie den Text auf höchstens 5.000 Zeichen (jetzt: 5001)."
    )


def test_what_a_visitor_typed_is_written_back_escaped(client, topics):
    typed = '<script>alert("x")</script> & „Gemeinde“'
    page = client.post(
        REQUEST_URL, {"institution": typed, "situation": f"</textarea>{typed}"}
    ).content
    assert node(page, "#id_institution")["value"] == typed
    assert node(page, "#id_situation").get_text() == f"\n</textarea>{typed}"
    assert b"<script>alert" not in page


def test_english_form_has_english_labels_and_errors(client, topics):
    page = client.post("/en" + REQUEST_URL, {"email": "x"}).content
    assert html.text(page, 'label[for="id_email"]') == "Email *"
    assert html.text(page, "#id_email_error") == (
        "Please enter a valid email address, e.g. name@gemeinde.de."
    )
    assert html.attrs(page, "#submit-id-submit", "value") == ["Send request"]
    german = client.get(REQUEST_URL).content
    assert html.attrs(german, "#submit-id-submit", "value") == ["Anfrage senden"]


def test_a_topic_added_later_is_offered_at_once(client, topics):
    before = client.get(REQUEST_URL).content
    assert html.texts(before, "#div_id_topics label.form-check-label") == [
        "Migration und Zusammenleben",
        "Rechtsextremismus",
    ]

    TopicFactory(name="Ehrenamt", order=3)
    Topic.objects.filter(name="Rechtsextremismus").update(is_active=False)

    after = client.get(REQUEST_URL).content
    assert html.texts(after, "#div_id_topics label.form-check-label") == [
        "Migration und Zusammenleben",
        "Ehrenamt",
    ]


def test_contact_topic_group_names_the_hint_and_its_error(client):
    page = client.get(CONTACT_URL).content
    assert described_by(page, "#div_id_topic fieldset") == ["topic-counselling-hint"]
    assert html.text(page, "#topic-counselling-hint").startswith(
        "Sie sprechen für eine Kommune mit einem Konflikt vor Ort?"
    )
    assert described_by(page, "#id_message") == ["id_message_helptext", "message-counter"]

    page = client.post(CONTACT_URL, {"topic": "gibt-es-nicht"}).content
    assert described_by(page, "#div_id_topic fieldset") == [
        "topic-counselling-hint",
        "id_topic_error",
    ]
    assert html.text(page, "#id_topic_error") == "Bitte wählen Sie eines der angebotenen Themen."
    assert html.text(page, 'label[for="id_name"]') == "Ihr Name *"
    assert html.text(page, "#id_name_error") == "Bitte nennen Sie Ihren Namen."


def test_registration_forms_ask_what_each_event_asks(client):
    plain = registration_event(title="Seminar ohne Zusatzfragen")
    asking = registration_event(
        title="Seminar mit Zusatzfragen", ask_organisation=True, ask_accessibility=True
    )

    plain_page = client.get(plain.get_absolute_url()).content
    asking_page = client.get(asking.get_absolute_url()).content

    names = 'form.registration-form [name]:not([name="csrfmiddlewaretoken"])'
    assert html.attrs(plain_page, names, "name") == [
        "name",
        "email",
        "website",
        "consent",
        "submit",
    ]
    assert html.attrs(asking_page, names, "name") == [
        "name",
        "email",
        "organisation",
        "accessibility_needs",
        "website",
        "consent",
        "submit",
    ]
    assert described_by(asking_page, "#id_accessibility_needs") == [
        "id_accessibility_needs_helptext"
    ]

    page = client.post(register_url(asking), {"email": "x"}).content
    assert node(page, "#id_name")["class"] == ["textinput", "form-control", "is-invalid"]
    assert html.text(page, "#id_name_error") == "Bitte nennen Sie Ihren Namen."


def test_publication_filter_marks_a_value_it_cannot_use(client):
    PublicationFactory(title="Heft", kind="bericht")
    page = client.get("/publikationen/?kind=xyz").content

    kind = node(page, "#id_kind")
    assert kind["class"] == ["select", "form-select", "is-invalid"]
    assert described_by(page, "#id_kind") == ["id_kind_error"]
    assert html.texts(page, "#id_kind_error p") == [
        "Bitte eine gültige Auswahl treffen. xyz ist keine gültige Auswahl."
    ]
    assert node(page, "#id_year")["class"] == ["select", "form-select"]
    assert html.attrs(page, "#id_kind option[selected]", "value") == []


def test_a_new_publication_year_is_offered_at_once(client):
    PublicationFactory(title="Alt", date=datetime.date(2019, 5, 1))
    page = client.get("/publikationen/").content
    assert html.texts(page, "#id_year option") == ["Alle Jahre", "2019"]

    PublicationFactory(title="Neu", date=datetime.date(2024, 5, 1))
    page = client.get("/publikationen/?year=2024").content
    assert html.texts(page, "#id_year option") == ["Alle Jahre", "2024", "2019"]
    assert html.attrs(page, "#id_year option[selected]", "value") == ["2024"]


class KindsForm(forms.Form):
    secret = forms.CharField(widget=forms.HiddenInput)
    colours = forms.MultipleChoiceField(
        choices=[("warm", [("rot", "Rot"), ("gelb", "Gelb")]), ("blau", "Blau")],
        required=False,
    )
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


def render(form) -> str:
    template = engines["django"].from_string(
        "{% load form_fields %}{% for f in form %}{% form_field f %}{% endfor %}"
    )
    return template.render({"form": form})


def test_other_widgets_keep_django_markup():
    page = render(KindsForm(data={"secret": "s", "colours": ["rot", "blau"]}))

    assert html.attrs(page, 'input[type="hidden"]', "value") == ["s"]
    assert not html.doc(page).select("#div_id_secret")
    colours = node(page, "select#id_colours")
    assert colours.has_attr("multiple")
    assert html.attrs(page, "#id_colours optgroup", "label") == ["warm"]
    assert html.attrs(page, "#id_colours option[selected]", "value") == ["rot", "blau"]
    # A widget with its own template still gets the classes and the error link.
    day = node(page, "#id_day")
    assert day["type"] == "date"
    assert day["class"] == ["dateinput", "form-control", "is-invalid"]
    assert described_by(page, "#id_day") == ["id_day_error"]
