"""Shared steps of the search tests (PostgreSQL's compiled SQL and SQLite's)."""

import datetime

from django.utils import timezone

from kkk_portal import search
from tests.factories import ProjectFactory


def hit_titles(query: str, key: str) -> list[str]:
    (group,) = search.search(query, sections=[key])
    return [hit.title for hit in group.hits]


def check_a_search_binds_its_own_words_and_time() -> None:
    """The first search compiles the section's SQL; later rows, words and times count."""
    ProjectFactory(title="Runder Tisch in Genthin")
    assert hit_titles("Genthin", "projekte") == ["Runder Tisch in Genthin"]
    now = timezone.now()
    hour, day = datetime.timedelta(hours=1), datetime.timedelta(days=1)
    ProjectFactory(title="Runder Tisch in Burg", publish_at=now)
    ProjectFactory(title="Runder Tisch in Havelberg", unpublish_at=now + hour)
    ProjectFactory(
        title="Runder Tisch in Tangerhütte", publish_at=now - 2 * day, unpublish_at=now - day
    )
    ProjectFactory(title="Runder Tisch in Stendal", publish_at=now + hour)
    assert hit_titles("Burg", "projekte") == ["Runder Tisch in Burg"]
    assert hit_titles("Havelberg", "projekte") == ["Runder Tisch in Havelberg"]
    assert hit_titles("Tangerhütte", "projekte") == []
    assert hit_titles("Stendal", "projekte") == []
    assert hit_titles("Genthin", "projekte") == ["Runder Tisch in Genthin"]
