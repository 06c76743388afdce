"""The one place that decides which language a content field is shown in.

Content is written in German; most fields have an English twin named
`<field>_en`. On an English page the twin is shown when an editor filled it in,
otherwise the German text – marked as German so that templates can add
`lang="de"` and an "only available in German" note (WCAG 3.1.2).

Templates (`{% localized %}`, `{% lang_attr %}`, `{% translated %}`), the site
search, the news feeds, the iCal files and the filter labels all call
`translated()`; nothing else reads `*_en` fields for display.

Dates and times are formatted here too, per language:
German "16. November 2022, 10:30–12:00 Uhr (MEZ)",
English "16 November 2022, 10:30–12:00 CET".
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

SOURCE_LANGUAGE = "de"


@dataclass(frozen=True)
class Translated:
    """A field's text in the language it is shown in."""

    text: str
    lang: str  # the language of `text` ("de" or "en")
    fallback: bool  # True when the page asked for English but only German exists

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def current_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def has_twin(obj: object, field: str) -> bool:
    return hasattr(obj, f"{field}_en")


def translated(obj: object, field: str, *, language: str | None = None) -> Translated:
    """`field` of `obj` in `language` (default: the active one), falling back to German.

    Fields without an English twin (names of people and places, for example)
    have no language of their own and are never reported as a fallback.
    """
    language = language or current_language()
    german = getattr(obj, field, "") or ""
    if language == SOURCE_LANGUAGE or not has_twin(obj, field):
        return Translated(str(german), SOURCE_LANGUAGE, fallback=False)
    english = getattr(obj, f"{field}_en", "") or ""
    if english:
        return Translated(str(english), language, fallback=False)
    return Translated(str(german), SOURCE_LANGUAGE, fallback=bool(german))


def translated_expression(field: str, *, language: str | None = None):
    """The same rule as `translated()` as a database expression (for ts_headline)."""
    from django.db.models import F, TextField, Value
    from django.db.models.functions import Coalesce, NullIf

    if (language or current_language()) == SOURCE_LANGUAGE:
        return F(field)
    return Coalesce(NullIf(F(f"{field}_en"), Value("")), F(field), output_field=TextField())


def translated_text(obj: object, field: str, *, language: str | None = None) -> str:
    return translated(obj, field, language=language).text


def is_fallback(obj: object, fields: list[str] | tuple[str, ...]) -> bool:
    """True when an English page shows German text for every non-empty one of `fields`."""
    results = [translated(obj, name) for name in fields]
    shown = [r for r in results if r.text]
    return bool(shown) and all(r.fallback for r in shown)


# ---- dates and times -------------------------------------------------------

_GERMAN_ZONES = {"CET": "MEZ", "CEST": "MESZ"}


def _local(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return timezone.localtime(value)


def format_date(value: datetime.date | datetime.datetime | None) -> str:
    """A day in words: "16. November 2022" (de), "16 November 2022" (en); "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = _local(value).date()
    return _day_in_words(value, current_language())


@functools.lru_cache(maxsize=4096)
def _day_in_words(day: datetime.date, language: str) -> str:
    """format_date() of a day: the same few hundred days on every list page, each worked
    out once per process and language (month names come from `language`'s catalogue,
    which is the active one whenever this is called)."""
    pattern = "j F Y" if language == "en" else "j. F Y"
    return dateformat.format(day, pattern)


def zone_name(value: datetime.datetime) -> str:
    """The local time zone's abbreviation in the page's language (CET/MEZ, CEST/MESZ)."""
    name = _local(value).tzname() or ""
    return _GERMAN_ZONES.get(name, name) if current_language() != "en" else name


def format_time_range(start: datetime.datetime, end: datetime.datetime | None = None) -> str:
    """When something happens, with its time zone, in the page's language.

    "16 November 2022, 10:30–12:00 CET" / "16. November 2022, 10:30–12:00 Uhr (MEZ)";
    across days both ends carry their day.
    """
    start = _local(start)
    end = _local(end) if end else None
    english = current_language() == "en"
    zone = zone_name(end or start)
    if end is None or end == start:
        clock = start.strftime("%H:%M")
        day_part = f"{format_date(start)}, {clock}"
    elif end.date() == start.date():
        day_part = f"{format_date(start)}, {start:%H:%M}–{end:%H:%M}"
    else:
        if english:
            day_part = f"{format_date(start)}, {start:%H:%M} – {format_date(end)}, {end:%H:%M}"
        else:
            day_part = f"{format_date(start)}, {start:%H:%M} Uhr – {format_date(end)}, {end:%H:%M}"
    if english:
        return f"{day_part} {zone}".strip()
    # German only: English pages returned above.
    return f"{day_part} Uhr ({zone})" if zone else f"{day_part} Uhr"


def format_date_range(start: datetime.date | None, end: datetime.date | None) -> str:
    """A runtime: "1. Juli 2019 – 30. Juni 2022" or "seit 1. Juli 2019"."""
    if start is None:
        return ""
    if end is None:
        return _("seit %(start)s") % {"start": format_date(start)}
    return f"{format_date(start)} – {format_date(end)}"
