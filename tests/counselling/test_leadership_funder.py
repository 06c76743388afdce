"""Funder report: exact anonymised figures per programme and period, as HTML and CSV."""

import datetime

import pytest
from django.urls import reverse

from kkk_portal.enums import BodyKind
from tests.counselling.leadership_helpers import (
    _german,  # noqa: F401 - autouse fixture
    csv_rows,
    html_tables,
)
from tests.factories import (
    ActivityFactory,
    CaseFactory,
    CounsellingRequestFactory,
    FunderFactory,
    FundingFactory,
    ProjectFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
PROGRAMME = "Bundesprogramm „Demokratie leben!“"


@pytest.fixture
def programme(db):
    """Two projects in one programme, one project in another; cases in and around 2025."""
    funder = FunderFactory(name="Bundesministerium für Familie", short_name="BMFSFJ")
    first = FundingFactory(funder=funder, programme=PROGRAMME).project
    second = FundingFactory(funder=funder, programme=PROGRAMME).project
    other = FundingFactory(funder=FunderFactory(name="Landesstiftung"), programme="Miteinander")
    migration = TopicFactory(name="Migration", order=1)
    extremism = TopicFactory(name="Rechtsextremismus", order=2)

    def case(project, state, start, end=None, topics=(), body_kind=BodyKind.GEMEINDE, **kw):
        created = CaseFactory(
            project=project,
            state=state,
            body_kind=body_kind,
            start_date=start,
            end_date=end,
            title="Streit in Geheimdorf",
            **kw,
        )
        created.topics.set(topics)
        return created

    request = CounsellingRequestFactory(
        contact_name="Erika Mustermann",
        email="erika@geheimdorf.example",
        situation="Der Bürgermeister Hinz streitet mit Kunz.",
    )
    a = case(first, "ST", D(2025, 3, 1), D(2025, 6, 30), [migration], request=request)
    ActivityFactory(
        case=a, date=D(2025, 3, 10), participants=10, note="Gespräch mit Hinz", duration_minutes=90
    )
    ActivityFactory(case=a, date=D(2025, 4, 1), participants=5, duration_minutes=60)
    b = case(second, "ST", D(2024, 5, 1), None, [migration, extremism])
    ActivityFactory(case=b, date=D(2024, 12, 31), participants=100)  # before the period
    ActivityFactory(case=b, date=D(2025, 1, 1), participants=20, duration_minutes=120)
    c = case(first, "SN", D(2024, 1, 1), D(2024, 12, 31), [extremism])  # ended before
    ActivityFactory(case=c, date=D(2024, 6, 1), participants=7)
    d = case(other.project, "ST", D(2025, 1, 1))  # other programme
    ActivityFactory(case=d, date=D(2025, 5, 5), participants=50, duration_minutes=45)
    case(first, "ST", D(2025, 12, 31))  # starts on the last day: counts
    g = case(second, "SN", D(2025, 2, 1), D(2025, 2, 28), [migration])
    ActivityFactory(case=g, date=D(2025, 2, 10), participants=8, duration_minutes=30)
    case(first, "BY", D(2026, 1, 1))  # starts after the period
    funding_key = min(first.fundings.get().pk, second.fundings.get().pk)
    return {"key": str(funding_key), "other_key": str(other.pk)}


def _query(key, date_from="2025-01-01", date_to="2025-12-31"):
    return {"programme": key, "date_from": date_from, "date_to": date_to}


def test_funder_report_shows_exact_anonymised_figures(client, leitung, programme):
    client.force_login(leitung)
    response = client.get(reverse("leadership:funder_report"), _query(programme["key"]))

    tables = html_tables(response)
    head = ["Fälle", "Aktivitäten", "Teilnehmende", "Stunden"]
    withheld = ["Zum Schutz der beratenen Kommunen nicht aufgeschlüsselt."]
    total = ["Gesamt", "4", "4", "43", "5,0"]
    # Sachsen "< 3" beside Sachsen-Anhalt hidden as "x" (so at least 3) and a total of
    # 4 would give Sachsen away as 1: no breakdown by state at all.
    assert tables["Fälle, Aktivitäten, Teilnehmende und Stunden nach Bundesland"] == [
        ["Bundesland", *head],
        withheld,
        total,
    ]
    assert tables["Fälle, Aktivitäten, Teilnehmende und Stunden nach Art der Körperschaft"] == [
        ["Art der Körperschaft", *head],
        ["Gemeinde", "4", "4", "43", "5,0"],
        total,
    ]
    # Migration has 3 of 4 cases, so "ohne Thema" could only be 1, whether Migration
    # is shown or hidden: no breakdown by theme either.
    assert tables["Fälle, Aktivitäten, Teilnehmende und Stunden nach Thema"] == [
        ["Thema", *head],
        withheld,
        total,
    ]
    content = response.content.decode()
    assert "Bundesministerium für Familie (BMFSFJ) – Bundesprogramm „Demokratie leben!“" in content
    assert "Zeitraum: 01.01.2025 bis 31.12.2025" in content


def test_funder_report_contains_no_personal_data(client, leitung, programme):
    client.force_login(leitung)
    html = client.get(reverse("leadership:funder_report"), _query(programme["key"]))
    csv = client.get(reverse("leadership:funder_report_csv"), _query(programme["key"]))
    texts = [html.content.decode(), "\n".join(";".join(row) for row in csv_rows(csv))]
    for text in texts:
        for secret in [
            "Erika Mustermann",
            "erika@geheimdorf.example",
            "Hinz",
            "Geheimdorf",
            "KKB-2026-",
            "ANF-TEST",
        ]:
            assert secret not in text


def test_funder_report_csv_has_the_same_figures(client, leitung, programme):
    client.force_login(leitung)
    response = client.get(reverse("leadership:funder_report_csv"), _query(programme["key"]))

    assert response["Content-Disposition"] == (
        'attachment; filename="foerderbericht-2025-01-01-2025-12-31.csv"'
    )
    assert csv_rows(response) == [
        ["Förderprogramm", "Bundesministerium für Familie (BMFSFJ) – " + PROGRAMME],
        ["Zeitraum", "01.01.2025–31.12.2025"],
        [],
        ["Merkmal", "Ausprägung", "Fälle", "Aktivitäten", "Teilnehmende", "Stunden"],
        ["Bundesland", "nicht aufgeschlüsselt", "x", "x", "x", "x"],
        ["Art der Körperschaft", "Gemeinde", "4", "4", "43", "5,0"],
        ["Thema", "nicht aufgeschlüsselt", "x", "x", "x", "x"],
        ["Gesamt", "", "4", "4", "43", "5,0"],
        [],
        [
            "Ein Fall zählt, wenn er im Zeitraum mindestens einen Tag lief; eine Aktivität, wenn "
            "ihr Datum im Zeitraum liegt; Stunden sind die erfasste Dauer der Aktivitäten. Fälle "
            "mit mehreren Themen zählen bei jedem Thema."
        ],
        [
            "Zum Schutz der beratenen Kommunen sind Fallzahlen unter 3 als „< 3“ ausgewiesen und "
            "die zugehörigen Aktivitäten, Teilnehmenden und Stunden mit „x“ unterdrückt."
        ],
        [
            "Damit sich keine unterdrückte Zahl aus den übrigen Zeilen und der Gesamtzahl "
            "errechnen lässt, sind weitere Zeilen ganz mit „x“ unterdrückt; genügt auch das "
            "nicht, wird die Tabelle nicht aufgeschlüsselt. Bei insgesamt weniger als 3 Fällen "
            "wird keine Tabelle aufgeschlüsselt."
        ],
    ]


def test_other_programme_and_shorter_period(client, leitung, programme):
    client.force_login(leitung)
    response = client.get(
        reverse("leadership:funder_report"),
        _query(programme["other_key"], "2025-05-05", "2025-05-05"),
    )
    # One case: a "< 3" beside a total of 1 would give it away; the total reads "< 3"
    # and nothing is broken down.
    assert html_tables(response)[
        "Fälle, Aktivitäten, Teilnehmende und Stunden nach Bundesland"
    ] == [
        ["Bundesland", "Fälle", "Aktivitäten", "Teilnehmende", "Stunden"],
        ["Zum Schutz der beratenen Kommunen nicht aufgeschlüsselt."],
        ["Gesamt", "< 3", "1", "50", "0,8"],
    ]


def test_programme_choices_list_only_programmes_paying_for_cases(client, leitung, programme):
    FundingFactory(programme="Ohne Fälle")
    client.force_login(leitung)
    response = client.get(reverse("leadership:funder_report"))
    form = response.context["form"]
    assert list(form.fields["programme"].choices) == [
        ("", "---------"),
        (programme["key"], "Bundesministerium für Familie (BMFSFJ) – " + PROGRAMME),
        (programme["other_key"], "Landesstiftung – Miteinander"),
    ]
    assert response.context["report"] is None
    assert form["date_from"].value() == D(D.today().year, 1, 1)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {"date_from": "2025-12-31", "date_to": "2025-01-01"},
            "date_to",
            "Das Ende des Zeitraums darf nicht vor seinem Beginn liegen.",
        ),
        (
            {"date_from": "2025-02-31"},
            "date_from",
            "Bitte geben Sie ein gültiges Datum an, z. B. 31.12.2026.",
        ),
        ({"date_to": ""}, "date_to", "Bitte geben Sie ein Datum an."),
        (
            {"programme": "999999"},
            "programme",
            "Bitte wählen Sie eines der angebotenen Förderprogramme.",
        ),
        (
            {"programme": "abc"},
            "programme",
            "Bitte wählen Sie eines der angebotenen Förderprogramme.",
        ),
        ({"programme": ""}, "programme", "Bitte wählen Sie ein Förderprogramm."),
    ],
)
@pytest.mark.parametrize("name", ["leadership:funder_report", "leadership:funder_report_csv"])
def test_bad_input_shows_german_messages(client, leitung, programme, query, field, message, name):
    client.force_login(leitung)
    response = client.get(reverse(name), {**_query(programme["key"]), **query})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()


def test_german_date_format_is_accepted(client, leitung, programme):
    client.force_login(leitung)
    response = client.get(
        reverse("leadership:funder_report"), _query(programme["key"], "01.01.2025", "31.12.2025")
    )
    assert response.context["form"].errors == {}
    assert response.context["report"]["total"].cases == 4


def test_print_stylesheet_is_linked(client, leitung, programme):
    client.force_login(leitung)
    content = client.get(
        reverse("leadership:funder_report"), _query(programme["key"])
    ).content.decode()
    assert '<link rel="stylesheet" href="/static/css/leadership.css">' in content
    assert 'class="leadership-noprint"' in content
    assert "style=" not in content


@pytest.mark.parametrize("count", [3, 200])
@pytest.mark.parametrize("name", ["leadership:funder_report", "leadership:funder_report_csv"])
def test_funder_report_query_count_is_constant(
    client, leitung, django_assert_max_num_queries, count, name
):
    funding = FundingFactory(project=ProjectFactory())
    topics = [TopicFactory(name=f"Thema {n}") for n in range(3)]
    for n in range(count):
        case = CaseFactory(project=funding.project, start_date=D(2025, 1, 1), state="ST")
        case.topics.set(topics[: n % 3])
        ActivityFactory(case=case, date=D(2025, 2, 1))
    client.force_login(leitung)
    # 21: one of them loads the session's second-factor device (django-otp).
    with django_assert_max_num_queries(21):
        response = client.get(reverse(name), _query(str(funding.pk)))
        if name.endswith("csv"):
            assert len(csv_rows(response)) > 5
        else:
            assert response.context["report"]["total"].cases == count
