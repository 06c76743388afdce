"""Small numbers in the funder report are suppressed so no case can be singled out.

(Moved from the security review's tests; the full suppression model is tested in
test_suppression.py.)
"""

from counselling import reports
from kkk_portal.enums import Bundesland


def _table(case_counts, activity_counts):
    """A funder table of Bundesländer, its total the sum of the rows (one value per case)."""
    total = reports.FunderRow(
        "Gesamt",
        sum(case_counts.values()),
        *(sum(figures[i] for figures in activity_counts.values()) for i in range(3)),
    )
    return reports._funder_table(
        case_counts,
        activity_counts,
        Bundesland.choices,
        unknown_label="?",
        total=total,
        multi_count=False,
    )


def test_a_row_with_activities_but_no_case_is_suppressed():
    table = _table({"ST": 5}, {"ST": (4, 40, 0), "SN": (2, 9, 0)})

    assert [(r.label, r.small, r.hidden) for r in table.rows] == [
        ("Sachsen", True, False),
        ("Sachsen-Anhalt", False, True),
    ]
