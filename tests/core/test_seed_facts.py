"""The loaded content states exactly the facts of the seeds, nothing more.

The table below is written from ../shared/seeds/ (000 = the centre's website,
004 = the seminar news item), line by line. Any difference between it and what
`load_content` puts into the database fails the test: a wrong date, a missing or
invented place, a funder shown as a partner, an invented programme or date.
"""

import datetime
import zoneinfo

import pytest

from projects.models import Municipality, Project
from publications.models import Event, NewsPost, Publication

D = datetime.date
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
PFD = "Partnerschaft für Demokratie des Altmarkkreises Salzwedel"
AMIF = ("Europäische Union – Asyl-, Migrations- und Integrationsfonds", True)
STATE_PROGRAMMES = ("Landesprogramme", False)  # unnamed in the seed: not an organisation
FOUNDATIONS = ("Stiftungen", False)

# slug: title, runtime, places (name, Land), Länder without a named place,
# funders (name, named organisation?), partners, commissioned by
PROJECTS = {
    "kommunale-integrationsstrategien": {  # 000:47–55
        "title": "Kommunale Integrationsstrategien für Vielfalt und Teilhabe",
        "runtime": (D(2020, 11, 1), D(2022, 9, 30)),
        "places": set(),
        "states": set(),
        "funders": {AMIF, STATE_PROGRAMMES, FOUNDATIONS, ("Bündnis Brandenburg", True)},
        "partners": set(),
        "commissioned_by": None,
    },
    "praxis-forschung-praxis-desintegration": {  # 000:57 (31.06. does not exist)
        "title": "Praxis – Forschung – Praxis: Desintegration und Konflikte in Kommunen",
        "runtime": (D(2019, 7, 1), D(2022, 6, 30)),
        "places": set(),
        "states": {"SN", "ST", "NI", "NW"},
        "funders": {
            AMIF,
            STATE_PROGRAMMES,
            ("Bundesamt für Migration und Flüchtlinge / Bundesministerium des Inneren", True),
        },
        "partners": {
            "Centrum für Asiatische Transkulturelle Studien der Universität Heidelberg",
            "Ruhr-Universität Bochum",
            "Fachhochschule Erfurt",
        },
        "commissioned_by": None,
    },
    "anlaufstelle-sachsen-anhalt-weissenfels": {  # 000:65
        "title": "Anlaufstelle für Kommunen in Sachsen-Anhalt: Modellkommune Weißenfels",
        "runtime": (D(2020, 7, 14), D(2022, 12, 31)),
        "places": {("Weißenfels", "ST")},
        "states": set(),
        "funders": {("Land Sachsen-Anhalt", True), ("Freudenberg-Stiftung", True)},
        "partners": set(),
        "commissioned_by": None,
    },
    "ehrenamt-und-teilhabe-gefluechtete": {  # 000:71
        "title": "Ehrenamt und Teilhabe in der Arbeit mit Geflüchteten",
        "runtime": (D(2020, 10, 1), D(2020, 12, 31)),
        "places": {("Altmarkkreis Salzwedel", "ST")},
        "states": set(),
        "funders": {(PFD, True)},
        "partners": {"Altmarkkreis Salzwedel"},
        "commissioned_by": None,
    },
    "aushandlungsraeume-bautzen": {  # 000:73
        "title": "Aushandlungsräume in der Stadt Bautzen entwickeln",
        "runtime": (D(2020, 11, 1), D(2020, 12, 31)),
        "places": {("Bautzen", "SN")},
        "states": set(),
        "funders": set(),
        "partners": set(),
        "commissioned_by": "Fachhochschule Erfurt",
    },
    "konflikte-oeffentlicher-raum-chemnitz": {  # 000:75
        "title": "Konflikte im öffentlichen Raum gemeinsam bewältigen – Sicherheitsgefühl stärken",
        "runtime": (D(2020, 8, 3), D(2020, 12, 31)),
        "places": {("Chemnitz", "SN")},
        "states": set(),
        "funders": set(),
        "partners": {
            "Stadtverwaltung Chemnitz",
            "Geschäftsstelle des Kriminalpräventiven Rats der Stadt Chemnitz",
        },
        "commissioned_by": None,
    },
    "bedarfsermittlung-konfliktmanagement-chemnitz": {  # 000:77
        "title": "Bedarfsermittlung für Konfliktmanagement im öffentlichen Raum der Stadt Chemnitz",
        "runtime": (D(2019, 9, 1), D(2020, 1, 31)),
        "places": {("Chemnitz", "SN")},
        "states": set(),
        "funders": set(),
        "partners": set(),
        "commissioned_by": "Stadt Chemnitz",
    },
    "integration-teilhabe-demokratie-altmarkkreis": {  # 000:79
        "title": (
            "Integration, Teilhabe, Demokratie – Ressourcen nachhaltiger Entwicklung "
            "im Altmarkkreis"
        ),
        "runtime": (D(2019, 6, 1), D(2019, 12, 31)),
        "places": {("Altmarkkreis Salzwedel", "ST")},
        "states": set(),
        "funders": {
            (
                "Engagement Global / Bundesministerium für wirtschaftliche Zusammenarbeit "
                "und Entwicklung",
                True,
            )
        },
        "partners": set(),
        "commissioned_by": None,
    },
    "integration-und-teilhabe-konfliktberatung": {  # 000:81
        "title": "Integration und Teilhabe durch Kommunale Konfliktberatung",
        "runtime": (D(2018, 7, 1), D(2020, 8, 30)),
        "places": {
            ("Fürstenberg/Havel", "BB"),
            ("Oschersleben (Bode)", "ST"),
            ("Hohe Börde", "ST"),
            ("Bautzen", "SN"),
            ("Plauen", "SN"),
        },
        "states": set(),
        "funders": {
            AMIF,
            STATE_PROGRAMMES,
            ("Landespräventionsrat Sachsen", True),
            FOUNDATIONS,
        },
        "partners": set(),
        "commissioned_by": None,
    },
    "demokratiefoerderung-altmark": {  # 000:83
        "title": "Demokratieförderung durch Kommunale Konfliktberatung in der Altmark",
        "runtime": (D(2017, 9, 1), D(2019, 12, 31)),
        "places": {
            ("Osterburg (Altmark)", "ST"),
            ("Kalbe (Milde)", "ST"),
            ("Gardelegen", "ST"),
            ("Arneburg-Goldbeck", "ST"),
        },
        "states": set(),
        "funders": {("Bundesministerium für Familie, Senioren, Frauen und Jugend", True)},
        "partners": set(),
        "commissioned_by": None,
    },
    "nur-dabeisein-ist-nicht-alles": {  # 000:85
        "title": (
            "Nur Dabeisein ist nicht alles: Selbstwirksamkeit im Altmarkkreis Salzwedel "
            "erfahrbar machen"
        ),
        "runtime": (D(2017, 5, 1), D(2017, 8, 31)),
        "places": {("Altmarkkreis Salzwedel", "ST")},
        "states": set(),
        "funders": {(PFD, True)},
        "partners": set(),
        "commissioned_by": None,
    },
}

# Funding lines whose seed wording names a programme (funder slug, programme).
PROGRAMMES = {
    "kommunale-integrationsstrategien": {
        ("eu-amif", "Asyl-, Migrations- und Integrationsfonds (AMIF)")
    },
    "praxis-forschung-praxis-desintegration": {
        ("eu-amif", "Asyl-, Migrations- und Integrationsfonds (AMIF)")
    },
    "ehrenamt-und-teilhabe-gefluechtete": {
        ("pfd-altmarkkreis-salzwedel", "Bundesprogramm „Demokratie leben!“ des BMFSFJ")
    },
    "integration-und-teilhabe-konfliktberatung": {
        ("eu-amif", "Asyl-, Migrations- und Integrationsfonds (AMIF)")
    },
    "demokratiefoerderung-altmark": {
        ("bmfsfj", "Modellprojekt im Bundesprogramm „Demokratie leben!“")
    },
    "nur-dabeisein-ist-nicht-alles": {
        ("pfd-altmarkkreis-salzwedel", "Bundesprogramm „Demokratie leben!“ des BMFSFJ")
    },
}

# Funding notices the seed prints (000:49, 000:55); no other line has one.
NOTICES = {
    ("kommunale-integrationsstrategien", "eu-amif"): (
        "Dieses Projekt wird aus Mitteln des Asyl-, Migrations- und Integrationsfonds kofinanziert."
    ),
    ("kommunale-integrationsstrategien", "buendnis-brandenburg"): (
        "Gefördert mit Mitteln des Bündnisses Brandenburg."
    ),
}

# AGS from the official list (annex of the MietNEinV, BGBl. I 2021, 3739 ff.);
# "" where there is none (districts, the Verbandsgemeinde).
PLACES = {
    "Weißenfels": ("ST", "15084550"),
    "Bautzen": ("SN", "14625020"),
    "Chemnitz": ("SN", "14511000"),
    "Plauen": ("SN", "14523320"),
    "Fürstenberg/Havel": ("BB", "12065084"),
    "Oschersleben (Bode)": ("ST", "15083415"),
    "Hohe Börde": ("ST", "15083298"),
    "Osterburg (Altmark)": ("ST", "15090415"),
    "Kalbe (Milde)": ("ST", "15081240"),
    "Gardelegen": ("ST", "15081135"),
    "Arneburg-Goldbeck": ("ST", ""),
    "Altmarkkreis Salzwedel": ("ST", ""),
    "Landkreis Stendal": ("ST", ""),
    "Landkreis Börde": ("ST", ""),
    "Burgenlandkreis": ("ST", ""),
    "Landkreis Bautzen": ("SN", ""),
    "Vogtlandkreis": ("SN", ""),
    "Landkreis Oberhavel": ("BB", ""),
}

SPEAKERS = [  # 004:6–8
    ("Michael Matzke", "Bundesministerium für Familie, Senioren, Frauen und Jugend (BMFSFJ)"),
    ("Betul Yilmaz", ""),
    ("Dr. Cathleen Bochmann", "Aktion Zivilcourage e. V."),
    ("Phillip Koller", "Aktion Zivilcourage e. V."),
]


def loaded_project(project):
    return {
        "title": project.title,
        "runtime": (project.start_date, project.end_date),
        "places": {(m.name, m.state) for m in project.municipalities.all()},
        "states": set(project.extra_states.values_list("state", flat=True)),
        "funders": {(f.funder.name, not f.funder.is_generic) for f in project.fundings.all()},
        "partners": set(project.partners.values_list("name", flat=True)),
        "commissioned_by": project.commissioned_by.name if project.commissioned_by else None,
    }


@pytest.mark.django_db
def test_projects_match_the_seed_table(centre_content):
    loaded = {p.slug: loaded_project(p) for p in Project.objects.all()}
    assert loaded == PROJECTS


@pytest.mark.django_db
def test_programmes_and_notices_match_the_seed(centre_content):
    programmes = {}
    notices = {}
    for project in Project.objects.prefetch_related("fundings__funder"):
        for line in project.fundings.all():
            if line.programme:
                programmes.setdefault(project.slug, set()).add((line.funder.slug, line.programme))
            if line.notice:
                notices[(project.slug, line.funder.slug)] = line.notice
    assert programmes == PROGRAMMES
    assert notices == NOTICES


@pytest.mark.django_db
def test_places_have_their_land_and_official_key(centre_content):
    loaded = {m.name: (m.state, m.ags) for m in Municipality.objects.all()}
    assert loaded == PLACES
    # A Verbandsgemeinde has no AGS of its own.
    assert Municipality.objects.get(name="Arneburg-Goldbeck").kind == "verbandsgemeinde"


@pytest.mark.django_db
def test_the_seminar_with_its_four_speakers(centre_content):
    event = Event.objects.get()
    assert (event.title, event.organiser, event.is_online, event.is_free) == (
        "Online-Seminar: Kommunales Konfliktmanagement",
        "ZWK",
        True,
        True,
    )
    assert (event.start, event.end) == (
        datetime.datetime(2022, 11, 16, 10, 30, tzinfo=BERLIN),
        datetime.datetime(2022, 11, 16, 12, 0, tzinfo=BERLIN),
    )
    assert list(event.speakers.values_list("name", "organisation")) == SPEAKERS
    roles = list(event.speakers.values_list("role", flat=True))
    assert roles == [
        "Referent im Referat „Demokratieförderung“",
        "Projektkoordinatorin im Projekt „Kommunales Konfliktmanagement“ (KoKoMa)",
        "Projekt „Zivilgesellschaft stärken und schützen“",
        "Projekt „Zivilgesellschaft stärken und schützen“",
    ]
    # The seed's news item is a news post linked to the event.
    post = NewsPost.objects.get()
    assert post.event == event


@pytest.mark.django_db
def test_brochure_has_no_invented_subtitle_or_date(centre_content):
    brochure = Publication.objects.get()
    assert brochure.title == PROJECTS["nur-dabeisein-ist-nicht-alles"]["title"]
    assert brochure.date is None
    assert list(brochure.projects.values_list("slug", flat=True)) == [
        "nur-dabeisein-ist-nicht-alles"
    ]


@pytest.mark.django_db
def test_every_public_content_field_has_its_english_version(centre_content):
    """All seed content exists in English (point 5): no German fallback on /en/."""
    from counselling.models import Topic
    from kkk_portal.models import SitePage
    from projects.models import FocusArea, Funder, Funding
    from publications.models import Speaker

    required = {
        FocusArea: ["title", "intro", "body"],
        Project: ["title", "summary", "description"],
        Publication: ["title", "abstract"],
        Event: ["title", "teaser", "description"],
        NewsPost: ["title", "teaser", "body"],
        Speaker: ["role"],
        Topic: ["name"],
        SitePage: ["title", "body"],
    }
    missing = [
        f"{model.__name__} {obj.pk} {name}_en"
        for model, names in required.items()
        for obj in model.objects.all()
        for name in names
        if getattr(obj, name) and not getattr(obj, f"{name}_en")
    ]
    missing += [
        f"Funding {line.pk} {name}_en"
        for line in Funding.objects.all()
        for name in ["programme", "notice"]
        if getattr(line, name) and not getattr(line, f"{name}_en")
    ]
    # Organisations keep their own names; generic entries are words and need English.
    missing += [
        f"Funder {f.slug} name_en" for f in Funder.objects.filter(is_generic=True, name_en="")
    ]
    assert missing == []
