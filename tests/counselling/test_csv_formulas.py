"""CSV exports never hand a spreadsheet a formula."""

import pytest

from counselling.leadership_views import csv_safe

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" =HYPERLINK(1)", "' =HYPERLINK(1)"),
        ("\n+1", "'\n+1"),
        ("Gemeinde = Rat", "Gemeinde = Rat"),
    ],
)
def test_csv_cells_with_a_formula_after_spaces_are_defused(value, expected):
    assert csv_safe(value) == expected
