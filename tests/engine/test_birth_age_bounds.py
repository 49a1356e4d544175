"""README: "a `birth_date` makes an `age` column true", also when the columns carry their defaults
or bounds of their own. The expected age comes from the rule: whole years from birth to the run's
start (the end of dimension history)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from streamforge.cli import main
from streamforge.plan.ages import age_on, agreed_ages, declared_ages
from streamforge.spec.columns import build_column
from streamforge.spec.model import ColumnSpec


@pytest.mark.parametrize(
    ("age", "birth"),
    [
        ("int", {"type": "date"}),
        (
            {"type": "int", "min": 18, "max": 90},
            {"type": "date", "min": "1960-01-01", "max": "2000-12-31"},
        ),
        ({"type": "int", "min": 30}, {"type": "date", "max": "1990-06-30"}),
    ],
    ids=["bare-age", "bounded-birth", "one-sided"],
)
def test_birth_date_fits_the_age_whatever_the_bounds(run_lab, start_us, age, birth) -> None:
    columns = {"member_id": "int", "age": age, "birth_date": birth}
    table = {"type": "dimension", "num_rows": 2000, "columns": columns}
    rows = run_lab({"member": table}).rows("member")
    today = datetime.fromtimestamp(start_us / 1e6, UTC).date()
    wrong = []
    for row in rows:
        born: date = row["birth_date"]
        years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if years != row["age"]:
            wrong.append(row)
    assert wrong == []
    ages = [row["age"] for row in rows]
    low, high = declared_ages(build_column("age", age, ("columns", "age")))
    assert low <= min(ages) and max(ages) <= high  # an unbounded age is a person's: 18..90


@given(
    low=st.integers(0, 120),
    span=st.integers(0, 60),
    first=st.dates(date(1880, 1, 1), date(2026, 12, 1)),
    days=st.integers(0, 40_000),
)
def test_agreed_ages_lie_in_both_ranges(low: int, span: int, first: date, days: int) -> None:
    """The ages both columns allow are ages the age column allows and the dates can give."""
    today = date(2026, 12, 1)
    last = min(first + timedelta(days=days), today)
    age = ColumnSpec(name="age", type="int", min=low, max=low + span)
    birth = ColumnSpec(name="birth_date", type="date", min=str(first), max=str(last))
    agreed = agreed_ages(age, birth, today)
    youngest, oldest = age_on(last, today), age_on(first, today)
    overlap = max(low, youngest) <= min(low + span, oldest)
    assert (agreed is not None) == overlap
    if agreed is not None:
        assert low <= agreed[0] <= agreed[1] <= low + span
        assert youngest <= agreed[0] and agreed[1] <= oldest


AGES = """\
table: member
type: dimension
num_rows: 10
columns:
  member_id: int
  age: {type: int, min: 18, max: 30}
  birth_date: {type: date, min: "1950-01-01", max: "1960-12-31"}
"""


def test_validate_refuses_an_age_the_birth_dates_cannot_give(tmp_path: Path) -> None:
    (tmp_path / "Lab").mkdir()
    (tmp_path / "Lab" / "member.yml").write_text(AGES)
    result = CliRunner().invoke(main, ["validate", "Lab", "--schema-dir", str(tmp_path)])
    assert result.exit_code != 0, result.output
    assert "member.yml:6" in result.output, result.output  # the age column's line
    assert "birth_date" in result.output and "overlap" in result.output, result.output
    assert "Traceback" not in result.output
