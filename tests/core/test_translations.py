"""Every UI string has an English translation."""

import re
from pathlib import Path

import pytest
from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries():
    """(flags, msgid, msgstrs) per entry of the catalogue, header excluded."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields, current = {}, None
        for line in lines:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            entries.append((flags, fields["msgid"], strs))
    return entries


def test_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = _entries()
    assert len(entries) > 500
    assert [msgid for flags, msgid, _ in entries if "fuzzy" in flags] == []
    assert [msgid for _, msgid, strs in entries if not all(strs)] == []


def test_placeholders_survive_translation():
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
    broken = [
        msgid
        for _, msgid, strs in _entries()
        if any(sorted(placeholder.findall(s)) != sorted(placeholder.findall(msgid)) for s in strs)
    ]
    assert broken == []


@pytest.mark.parametrize(
    ("german", "english"),
    [("Beratung anfragen", "Request counselling"), ("Projekte", "Projects")],
)
def test_compiled_catalogue_is_used(german, english):
    with translation.override("en"):
        assert translation.gettext(german) == english
