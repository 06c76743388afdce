"""Loading the centre's real content."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from counselling.models import Topic
from projects.models import FocusArea, Funder, Funding, Municipality, Partner, Project, ProjectState
from publications.models import Event, Publication, Speaker
from team.models import ContactDetails, TeamMember

ALL_MODELS = [
    FocusArea,
    Funder,
    Funding,
    Municipality,
    Partner,
    Project,
    ProjectState,
    Event,
    Speaker,
    Publication,
    Topic,
    ContactDetails,
    TeamMember,
]


def _snapshot():
    return {
        model.__name__: sorted(
            tuple(sorted((k, str(v)) for k, v in row.items() if k not in {"updated_at"}))
            for row in model.objects.values()
        )
        for model in ALL_MODELS
    }


@pytest.mark.django_db
def test_load_content_twice_leaves_exactly_the_same_rows():
    call_command("load_content", verbosity=0)
    first = _snapshot()
    call_command("load_content", verbosity=0)
    assert _snapshot() == first
    assert Project.objects.count() == 11
    assert FocusArea.objects.count() == 5


@pytest.mark.django_db
def test_real_projects_have_exact_runtimes(centre_content):
    runtimes = {p.title: (p.start_date, p.end_date) for p in Project.objects.all()}
    assert runtimes["Kommunale Integrationsstrategien für Vielfalt und Teilhabe"] == (
        datetime.date(2020, 11, 1),
        datetime.date(2022, 9, 30),
    )
    assert runtimes["Demokratieförderung durch Kommunale Konfliktberatung in der Altmark"] == (
        datetime.date(2017, 9, 1),
        datetime.date(2019, 12, 31),
    )
    # Month-only runtime: first and last day of the months.
    assert runtimes[
        "Bedarfsermittlung für Konfliktmanagement im öffentlichen Raum der Stadt Chemnitz"
    ] == (datetime.date(2019, 9, 1), datetime.date(2020, 1, 31))
    assert runtimes["Ehrenamt und Teilhabe in der Arbeit mit Geflüchteten"] == (
        datetime.date(2020, 10, 1),
        datetime.date(2020, 12, 31),
    )


@pytest.mark.django_db
def test_impossible_source_date_became_the_nearest_valid_one(centre_content):
    project = Project.objects.get(slug="praxis-forschung-praxis-desintegration")
    # The source says 31.06.2022, which does not exist.
    assert project.end_date == datetime.date(2022, 6, 30)
    assert sorted(project.extra_states.values_list("state", flat=True)) == ["NI", "NW", "SN", "ST"]


@pytest.mark.django_db
def test_municipalities_have_the_right_state(centre_content):
    states = dict(Municipality.objects.values_list("name", "state"))
    assert states["Weißenfels"] == "ST"
    assert states["Chemnitz"] == "SN"
    assert states["Fürstenberg/Havel"] == "BB"
    assert states["Plauen"] == "SN"
    assert states["Arneburg-Goldbeck"] == "ST"
    assert Municipality.objects.get(name="Gardelegen").district.name == "Altmarkkreis Salzwedel"


@pytest.mark.django_db
def test_funding_lines_carry_programme_and_notice(centre_content):
    altmark = Project.objects.get(slug="demokratiefoerderung-altmark")
    line = altmark.fundings.get()
    assert line.funder.short_name == "BMFSFJ"
    assert line.programme == "Modellprojekt im Bundesprogramm „Demokratie leben!“"
    amif = Funding.objects.filter(funder__slug="eu-amif").values_list("project__slug", flat=True)
    assert sorted(amif) == [
        "integration-und-teilhabe-konfliktberatung",
        "kommunale-integrationsstrategien",
        "praxis-forschung-praxis-desintegration",
    ]
    assert Project.objects.get(slug="aushandlungsraeume-bautzen").commissioned_by.name == (
        "Fachhochschule Erfurt"
    )


@pytest.mark.django_db
def test_online_seminar_is_in_berlin_time_with_four_speakers(centre_content):
    event = Event.objects.get(slug="online-seminar-kommunales-konfliktmanagement-2022")
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    assert event.start == datetime.datetime(2022, 11, 16, 10, 30, tzinfo=berlin)
    assert event.end == datetime.datetime(2022, 11, 16, 12, 0, tzinfo=berlin)
    assert event.is_online and event.is_free
    assert list(event.speakers.values_list("name", flat=True)) == [
        "Michael Matzke",
        "Betul Yilmaz",
        "Dr. Cathleen Bochmann",
        "Phillip Koller",
    ]


@pytest.mark.django_db
def test_loading_content_creates_no_invented_team_entries(centre_content):
    # The seeds name no staff; example entries come only from `load_demo_data` (DEBUG).
    assert TeamMember.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_content_file_changes_nothing(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[contact]\ncarrier = "X"\nemail = "not-an-email"\n'
        "focus_areas = []\nmunicipalities = []\nfunders = []\npartners = []\nprojects = []\n"
    )
    with pytest.raises(ValidationError) as exc:
        call_command("load_content", path=str(bad), verbosity=0)
    assert "email" in exc.value.message_dict
    assert ContactDetails.objects.count() == 0
    assert connection.is_usable()


@pytest.mark.django_db
def test_real_projects_have_english_titles_and_summaries(client, centre_content):
    assert Project.objects.filter(title_en="").count() == 0
    assert Project.objects.filter(summary_en="").count() == 0
    html = client.get("/en/projekte/demokratiefoerderung-altmark/").content.decode()
    assert "<h1>Promoting democracy through municipal conflict counselling in the Altmark</h1>" in (
        html
    )
