"""No public page repeats the seed texts: facts yes, copied sentences no.

The seeds in ../shared/seeds/ are sources of facts. Every public page – German
and English, feeds and calendar files included – is compared with them: no run
of ten or more words may be shared. Names are facts and may be quoted in full
(project titles, organisations); so may the funder's mandatory notice. They are
listed below and taken out of the seed text before it is compared.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.core.public_site import fetch_public_site

SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"
RUN = 10

# Names and mandatory wording that may appear word for word.
ALLOWED = [
    # the funder's mandatory notice (seed 000:49)
    "Dieses Projekt wird aus Mitteln des Asyl-, Migrations- und Integrationsfonds kofinanziert.",
    # titles of projects and the brochure (names, seed 000:71–85)
    "Nur Dabeisein ist nicht alles: Selbstwirksamkeit im Altmarkkreis Salzwedel erfahrbar machen",
    # the centre's name and the names of its fields of work (seed 000:1–23), which
    # lists and filters put side by side as the seed's menu does
    "Kompetenzzentrum Kommunale Konfliktberatung",
    "Beratung von Kommunen",
    "Kooperationen in der Altmark",
    "Forschung zu Herausforderungen",
    "Netzwerk und Lobbyarbeit",
    "Austausch mit Fachöffentlichkeit",
]


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def runs(tokens: list[str], length: int = RUN) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + length]) for i in range(len(tokens) - length + 1)}


def seed_runs() -> set[tuple[str, ...]]:
    """Ten-word runs of the seeds, never across an allowed name or notice."""
    found: set[tuple[str, ...]] = set()
    allowed = [" ".join(words(a)) for a in ALLOWED]
    for path in sorted(SEEDS.glob("0*.txt")):
        text = " ".join(words(path.read_text(encoding="utf-8")))
        for phrase in allowed:
            text = text.replace(phrase, "|")
        for fragment in text.split("|"):
            found |= runs(fragment.split())
    return found


@pytest.fixture
def seeds_present():
    if not any(SEEDS.glob("0*.txt")):
        pytest.skip(f"seed texts not found in {SEEDS}")


@pytest.mark.django_db
def test_no_public_page_shares_ten_words_in_a_row_with_the_seeds(
    client, centre_content, seeds_present
):
    copied = seed_runs()
    assert copied, "the seeds should have ten-word runs to compare with"
    pages = fetch_public_site(client)
    assert len(pages) > 60  # every page in two languages, feeds and calendars
    shared = {
        path: sorted(" ".join(run) for run in runs(words(text)) & copied)
        for path, text in pages.items()
    }
    assert {path: found for path, found in shared.items() if found} == {}


def test_the_comparison_finds_a_copied_sentence(seeds_present):
    """The check itself works: the seed's own sentence is found, our wording is not."""
    copied = seed_runs()
    original = (
        "Mit Partnern entwickeln wir den Ansatz der Kommunalen Konfliktberatung weiter, "
        "bundesweit werben wir gemeinsam für die Etablierung von Standards"
    )
    ours = (
        "Die Methode der Kommunalen Konfliktberatung entwickeln wir gemeinsam mit "
        "Partnerorganisationen weiter."
    )
    assert runs(words(original)) & copied
    assert not runs(words(ours)) & copied
