"""Secondary suppression: no hidden figure of a report can be worked out from the shown ones.

`derivable` plays the reader: it takes a table exactly as printed (numbers, "< 3",
"x"), lists every value each hidden figure could have so that all rows add up to
the printed totals, and names the hidden figures left with a single possible
value. It shares no code with counselling/reports.py.
"""

import datetime
import random

import pytest
from django.urls import reverse

from counselling import reports
from kkk_portal.enums import BodyKind
from tests.counselling.leadership_helpers import (
    _german,  # noqa: F401 - autouse fixture
    csv_rows,
    html_tables,
)
from tests.factories import ActivityFactory, CaseFactory, FundingFactory, TopicFactory

pytestmark = pytest.mark.django_db

D = datetime.date
LIMIT = reports.SMALL_CELL_LIMIT
PREFIX = "Fälle, Aktivitäten, Teilnehmende und Stunden nach "
WITHHELD = ["Zum Schutz der beratenen Kommunen nicht aufgeschlüsselt."]


# --- The reader -------------------------------------------------------------------


def _sum_equals(parts, total):
    """Constraint: the parts (numbers or names of hidden figures) add up to the total."""

    def check(values):
        known = [values.get(p, p) if isinstance(p, str) else p for p in parts]
        whole = values.get(total, total) if isinstance(total, str) else total
        assigned = [v for v in known if v is not None and not isinstance(v, str)]
        if whole is None or isinstance(whole, str):
            return None
        if sum(assigned) > whole:
            return False
        if len(assigned) == len(known):
            return sum(assigned) == whole
        return None

    check.equation = (list(parts), total)
    return check


def _themes(theme_parts, none_parts, total):
    """Constraint of a table where a case with several themes counts in each."""

    def check(values):
        themes = [values.get(p, p) if isinstance(p, str) else p for p in theme_parts]
        none = [values.get(p, p) if isinstance(p, str) else p for p in none_parts]
        if any(v is None or isinstance(v, str) for v in themes + none):
            return None
        with_theme = total - sum(none)
        if themes and max(themes) > total:
            return False
        low, high = (max(themes), sum(themes)) if themes else (0, 0)
        return low <= with_theme <= high

    return check


def derivable(domains, constraints):
    """Hidden figures with exactly one value consistent with the printed table.

    A search over the hidden figures' values; an equation with one unknown left
    fixes that unknown at once, so only the free figures are branched on.
    """
    names = list(domains)
    seen = {name: set() for name in names}
    equations = [check.equation for check in constraints if hasattr(check, "equation")]

    def settle(values):
        changed = True
        while changed:
            changed = False
            for parts, total in equations:
                unknown = [
                    item for item in [*parts, total] if isinstance(item, str) and item not in values
                ]
                if len(unknown) != 1:
                    continue
                (name,) = unknown
                known = sum(values.get(p, p) for p in parts if p != name)
                value = known if name == total else values.get(total, total) - known
                if value not in domains[name]:
                    return False
                values[name] = value
                changed = True
        return all(check(values) is not False for check in constraints)

    def search(values):
        if all(len(found) > 1 for found in seen.values()):
            return True
        free = [name for name in names if name not in values]
        if not free:
            for name in names:
                seen[name].add(values[name])
            return False
        for value in domains[free[0]]:
            attempt = {**values, free[0]: value}
            if settle(attempt) and search(attempt):
                return True
        return False

    start = {}
    if settle(start):
        search(start)
    return [name for name in names if len(seen[name]) <= 1]


def _number(text):
    """A printed figure in its smallest unit: hours as tenths ("5,0" -> 50)."""
    return round(float(text.replace(",", ".")) * 10) if "," in text else int(text)


def funder_table_leaks(rows, *, themes=False):
    """Hidden figures of one printed funder table (header row, body rows, total row)."""
    header, *body, total_row = rows
    if body == [WITHHELD]:
        return []
    totals = [_number(cell) if cell != f"< {LIMIT}" else None for cell in total_row[1:]]
    leaks = []
    for column in range(len(header) - 1):
        total = totals[column]
        if total is None:
            continue
        domains, parts, none_parts = {}, [], []
        for row in body:
            cell = row[1 + column]
            key = f"{row[0]}/{header[1 + column]}"
            if cell == f"< {LIMIT}":
                domains[key], value = range(1, LIMIT), key
            elif cell == "x":
                # A row hidden beside "< 3" rows has at least 3 cases.
                low = LIMIT if header[1 + column] == "Fälle" else 0
                domains[key], value = range(low, total + 1), key
            else:
                value = _number(cell)
            (none_parts if row[0] in ("ohne Thema", "ohne Angabe") and themes else parts).append(
                value
            )
        if not domains:
            continue
        check = _themes(parts, none_parts, total) if themes else _sum_equals(parts, total)
        leaks += derivable(domains, [check])
    return leaks


def report_leaks(tables):
    leaks = []
    for name in ["Bundesland", "Art der Körperschaft", "Thema"]:
        leaks += funder_table_leaks(tables[PREFIX + name], themes=name == "Thema")
    return leaks


def test_the_reader_finds_what_the_old_reports_gave_away():
    # Before: "Sachsen < 3" beside a total of 1.
    assert funder_table_leaks([["", "Fälle"], ["Sachsen", "< 3"], ["Gesamt", "1"]]) == [
        "Sachsen/Fälle"
    ]
    # Before: two small rows of a two-case table.
    rows = [["", "Fälle"], ["Sachsen", "< 3"], ["Bayern", "< 3"], ["Gesamt", "2"]]
    assert funder_table_leaks(rows) == ["Sachsen/Fälle", "Bayern/Fälle"]
    # Before: one small row, the next smallest hidden, total 4 (so 1 + 3).
    rows = [["", "Fälle"], ["Sachsen", "< 3"], ["Sachsen-Anhalt", "x"], ["Gesamt", "4"]]
    assert funder_table_leaks(rows) == ["Sachsen/Fälle", "Sachsen-Anhalt/Fälle"]
    # Hidden activities of a single row are the total minus the shown rows.
    rows = [["", "Aktivitäten"], ["A", "5"], ["B", "x"], ["Gesamt", "7"]]
    assert funder_table_leaks(rows) == ["B/Aktivitäten"]
    rows = [["", "Aktivitäten"], ["A", "5"], ["B", "x"], ["C", "x"], ["Gesamt", "7"]]
    assert funder_table_leaks(rows) == []


# --- Funder report through HTTP ----------------------------------------------------


def _programme(cases):
    """One programme with the given cases: (state, body kind, themes, activities)."""
    funding = FundingFactory(programme="Modellprogramm")
    for state, body_kind, themes, activities in cases:
        case = CaseFactory(
            project=funding.project, state=state, body_kind=body_kind, start_date=D(2025, 2, 1)
        )
        case.topics.set(themes)
        for participants, minutes in activities:
            ActivityFactory(
                case=case,
                date=D(2025, 3, 1),
                participants=participants,
                duration_minutes=minutes,
            )
    return {"programme": str(funding.pk), "date_from": "2025-01-01", "date_to": "2025-12-31"}


def _report(client, leitung, query):
    client.force_login(leitung)
    html = html_tables(client.get(reverse("leadership:funder_report"), query))
    csv = csv_rows(client.get(reverse("leadership:funder_report_csv"), query))
    return html, csv


def test_one_case_table_gives_nothing_away(client, leitung):
    theme = TopicFactory(name="Migration")
    query = _programme([("ST", BodyKind.GEMEINDE, [theme], [(7, 90)])])
    html, csv = _report(client, leitung, query)

    for name in ["Bundesland", "Art der Körperschaft", "Thema"]:
        assert html[PREFIX + name][1:] == [WITHHELD, ["Gesamt", "< 3", "1", "7", "1,5"]]
    assert report_leaks(html) == []
    assert ["Gesamt", "", "< 3", "1", "7", "1,5"] in csv
    assert [row for row in csv if row[:1] == ["Bundesland"]] == [
        ["Bundesland", "nicht aufgeschlüsselt", "x", "x", "x", "x"]
    ]
    assert not any("Sachsen-Anhalt" in cell for row in csv for cell in row)


def test_two_case_table_gives_nothing_away(client, leitung):
    query = _programme(
        [("ST", BodyKind.GEMEINDE, [], [(3, 60)]), ("SN", BodyKind.LANDKREIS, [], [(4, 30)])]
    )
    html, csv = _report(client, leitung, query)

    for name in ["Bundesland", "Art der Körperschaft", "Thema"]:
        assert html[PREFIX + name][1:] == [WITHHELD, ["Gesamt", "< 3", "2", "7", "1,5"]]
    assert report_leaks(html) == []
    assert not any(
        label in cell for row in csv for cell in row for label in ["Sachsen", "Landkreis"]
    )


def test_secondary_suppression_hides_the_next_smallest_row(client, leitung):
    themes = [TopicFactory(name="Migration", order=1), TopicFactory(name="Jugend", order=2)]
    cases = (
        [("ST", BodyKind.GEMEINDE, themes[:1], [(2, 60)])] * 6
        + [("SN", BodyKind.GEMEINDE, themes, [(1, 30)])] * 4
        + [("BY", BodyKind.STADT, themes[1:], [(5, 120)])] * 2
    )
    html, csv = _report(client, leitung, _programme(cases))

    assert html[PREFIX + "Bundesland"] == [
        ["Bundesland", "Fälle", "Aktivitäten", "Teilnehmende", "Stunden"],
        ["Bayern", "< 3", "x", "x", "x"],
        ["Sachsen", "x", "x", "x", "x"],
        ["Sachsen-Anhalt", "6", "6", "12", "6,0"],
        ["Gesamt", "12", "12", "26", "12,0"],
    ]
    assert report_leaks(html) == []
    assert ["Bundesland", "Sachsen", "x", "x", "x", "x"] in csv
    assert ["Bundesland", "Bayern", "< 3", "x", "x", "x"] in csv
    assert ["Bundesland", "Sachsen-Anhalt", "6", "6", "12", "6,0"] in csv


def _random_table(rng, *, themes):
    rows = []
    for index in range(rng.randint(1, 4)):
        cases = rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 7])
        activities = rng.randint(0 if cases else 1, 3)
        rows.append(
            reports.FunderRow(
                f"R{index}",
                cases,
                activities,
                rng.randint(0, 3) * activities,
                rng.randint(0, 2) * activities,
                small=cases < LIMIT,
                unknown=themes and index == 0 and rng.random() < 0.5,
            )
        )
    if themes:
        rows.sort(key=lambda row: not row.unknown)
        rows = [*rows[1:], rows[0]] if rows[0].unknown else rows
        total_cases = sum(r.cases for r in rows if r.unknown) + max(
            [r.cases for r in rows if not r.unknown] or [0]
        )
    else:
        total_cases = sum(row.cases for row in rows)
    total = reports.FunderRow(
        "Gesamt",
        total_cases,
        sum(r.activities for r in rows),
        sum(r.participants for r in rows),
        sum(r.minutes for r in rows),
        small=0 < total_cases < LIMIT,
    )
    if themes:
        # Activities of cases with several themes count in each theme row.
        total.activities = max(r.activities for r in rows)
        total.participants = max(r.participants for r in rows)
        total.minutes = max(r.minutes for r in rows)
        with_unknown = [r for r in rows if r.unknown]
        if with_unknown:
            total.activities = with_unknown[0].activities + max(
                [r.activities for r in rows if not r.unknown] or [0]
            )
            total.participants = with_unknown[0].participants + max(
                [r.participants for r in rows if not r.unknown] or [0]
            )
            total.minutes = with_unknown[0].minutes + max(
                [r.minutes for r in rows if not r.unknown] or [0]
            )
    return reports.FunderTable(rows, total, multi_count=themes)


def _printed(table):
    """The table as the HTML template prints it (hours in tenths as "h,t")."""

    def hours(minutes):
        return f"{minutes // 6 // 10},{minutes // 6 % 10}"

    header = ["", "Fälle", "Aktivitäten", "Teilnehmende", "Stunden"]
    total = table.total
    footer = [
        "Gesamt",
        f"< {LIMIT}" if total.small else str(total.cases),
        str(total.activities),
        str(total.participants),
        hours(total.minutes),
    ]
    if table.withheld:
        return [header, WITHHELD, footer]
    body = []
    for row in table.rows:
        label = "ohne Thema" if row.unknown else row.label
        if row.hidden:
            body.append([label, "x", "x", "x", "x"])
        elif row.small:
            body.append([label, f"< {LIMIT}", "x", "x", "x"])
        else:
            figures = [str(row.cases), str(row.activities), str(row.participants)]
            body.append([label, *figures, hours(row.minutes)])
    return [header, *body, footer]


@pytest.mark.parametrize("themes", [False, True])
def test_no_protected_table_gives_a_hidden_figure_away(themes):
    """Hundreds of small random tables: whatever suppression chose, nothing is derivable."""
    rng = random.Random(20261130 + themes)
    checked = 0
    for _ in range(400):
        table = _random_table(rng, themes=themes)
        # Minutes in multiples of 6, so the printed hours are exact.
        for row in [*table.rows, table.total]:
            row.minutes *= 6
        if not table.rows:
            continue
        printed = _printed(reports.protect_funder_table(table))
        assert funder_table_leaks(printed, themes=themes) == [], printed
        checked += 1
    assert checked > 300


# --- Dashboard hours -----------------------------------------------------------------


def hours_table_leaks(rows, *, additive_columns=True):
    """Hidden figures of the printed hours table: rows add up to their sum, columns to Gesamt."""
    _header, *body, total_row = rows
    grid = [row[1:] for row in [*body, total_row]]
    known = [_number(cell) for line in grid for cell in line if cell != "x"]
    # With the grand total hidden, no figure has a known upper bound: "large enough".
    largest = known[-1] if grid[-1][-1] != "x" else sum(known) + 10
    domains, names = {}, []
    for r, line in enumerate(grid):
        names.append([])
        for c, cell in enumerate(line):
            if cell == "x":
                key = f"{r}/{c}"
                domains[key] = range(0, largest + 1)
                names[-1].append(key)
            else:
                names[-1].append(_number(cell))
    if not domains:
        return []
    constraints = [_sum_equals(line[:-1], line[-1]) for line in names]
    if additive_columns:
        for c in range(len(names[0])):
            constraints.append(_sum_equals([line[c] for line in names[:-1]], names[-1][c]))
    return derivable(domains, constraints)


def _hours_fixture(cells):
    """cells: {(programme, years back): [minutes of one activity per case]}."""
    this_year = datetime.date.today().year
    fundings = {}
    for (programme, back), durations in cells.items():
        if programme not in fundings:
            fundings[programme] = FundingFactory(programme=programme)
        for minutes in durations:
            case = CaseFactory(project=fundings[programme].project)
            ActivityFactory(case=case, date=D(this_year - back, 6, 1), duration_minutes=minutes)


def _hours_table(client, leitung):
    client.force_login(leitung)
    tables = html_tables(client.get(reverse("leadership:dashboard")))
    return tables["Stunden je Förderprogramm und Jahr (Dauer der Aktivitäten)"]


def test_hours_of_one_case_are_all_hidden(client, leitung):
    _hours_fixture({("Alpha", 0): [120]})
    rows = _hours_table(client, leitung)
    this_year = datetime.date.today().year
    assert rows[0] == ["Förderprogramm", *[str(this_year - n) for n in (3, 2, 1, 0)], "Summe"]
    assert rows[1][1:] == ["0,0", "0,0", "0,0", "x", "x"]
    assert rows[2] == ["Gesamt", "0,0", "0,0", "0,0", "x", "x"]
    assert hours_table_leaks(rows) == []


def test_hours_of_two_cases_in_two_programmes_are_hidden(client, leitung):
    _hours_fixture({("Alpha", 0): [60], ("Beta", 1): [120]})
    rows = _hours_table(client, leitung)
    assert all(row[-1] == "x" for row in rows[1:])
    assert hours_table_leaks(rows) == []


def test_hours_table_secondary_suppression(client, leitung):
    _hours_fixture(
        {
            ("Alpha", 0): [60, 60, 60],
            ("Alpha", 1): [120],  # one case: hidden
            ("Alpha", 2): [60, 60, 120, 60],
            ("Beta", 0): [60, 120, 60],
            ("Beta", 1): [60, 60, 60],
            ("Beta", 3): [60, 60, 60, 60],
        }
    )
    rows = _hours_table(client, leitung)
    # Alpha's one case in the last year is hidden; so are three more cells, so that
    # neither a row sum nor a column total resolves them; all else stays exact.
    assert [row[1:] for row in rows[1:]] == [
        ["0,0", "5,0", "x", "x", "10,0"],
        ["4,0", "0,0", "x", "x", "11,0"],
        ["4,0", "5,0", "5,0", "7,0", "21,0"],
    ]
    assert hours_table_leaks(rows) == []


def test_hours_per_programme_with_a_project_in_two_programmes(client, leitung):
    this_year = datetime.date.today().year
    first = FundingFactory(programme="Alpha")
    FundingFactory(project=first.project, funder=first.funder, programme="Beta")
    for _ in range(3):
        case = CaseFactory(project=first.project)
        ActivityFactory(case=case, date=D(this_year, 2, 1), duration_minutes=60)
    rows = _hours_table(client, leitung)
    assert [row[0] for row in rows[1:-1]] == [
        f"{first.funder.name} – Alpha",
        f"{first.funder.name} – Beta",
    ]
    assert [row[-2:] for row in rows[1:]] == [["3,0", "3,0"]] * 3


def test_no_protected_hours_table_gives_a_hidden_figure_away():
    """Many small random programme-by-year tables, checked by the reader above."""
    rng = random.Random(20261130)
    for _ in range(100):
        years = rng.randint(2, 3)
        rows = []
        for index in range(rng.randint(1, 3)):
            cells = []
            for _year in range(years):
                cases = rng.choice([0, 0, 1, 2, 3, 4])
                cells.append(reports.HoursCell(60 * cases * rng.randint(1, 2), cases))
            cells.append(
                reports.HoursCell(sum(c.minutes for c in cells), sum(c.cases for c in cells))
            )
            rows.append(reports.HoursRow(f"P{index}", cells))
        total = reports.HoursRow(
            "Gesamt",
            [
                reports.HoursCell(
                    sum(row.cells[c].minutes for row in rows),
                    sum(row.cells[c].cases for row in rows),
                )
                for c in range(years + 1)
            ],
        )
        table = reports.protect_hours_table(reports.HoursTable(list(range(years)), rows, total))
        printed = [
            ["", *map(str, table.years), "Summe"],
            *[
                [row.label, *("x" if c.hidden else str(c.minutes // 60) for c in row.cells)]
                for row in [*table.rows, table.total]
            ],
        ]
        assert hours_table_leaks(printed) == [], printed
