"""A person's `age` and birth date describe one person: the bounds they agree on.

Both are true on the day the records are as of (the end of the history window, the run's start),
so the ages a row may have are those the age column's min/max allow *and* the birth date's
min/max give on that day. An `age` without bounds of its own gets an adult's, HUMAN_AGES (18..90,
the span an unbounded birth date is drawn from), instead of the int default 1..9999. When the two
ranges do not meet, `validate` reports it (`check_ages`); the engine then follows the dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime

from streamforge.errors import Issue
from streamforge.plan.issues import table_issue
from streamforge.spec.model import INTEGER_TYPES, ColumnSpec, TableSpec

HUMAN_AGES = (18, 90)  # whole years
OLDEST = 150  # years; a birth date without min cannot make anyone older
BIRTH_NAMES = ("birth_date", "date_of_birth", "dob", "birthdate", "birthday")


def age_on(born: date, today: date) -> int:
    """Whole years from `born` to `today`."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def declared_ages(age: ColumnSpec) -> tuple[int, int]:
    """(min, max) years of an age column, a side left out taken from HUMAN_AGES."""
    low = int(age.min) if isinstance(age.min, (int, float)) else None
    high = int(age.max) if isinstance(age.max, (int, float)) else None
    if low is None:
        low = min(HUMAN_AGES[0], high if high is not None else HUMAN_AGES[0])
    if high is None:
        high = max(HUMAN_AGES[1], low)
    return low, high


def birth_ages(birth: ColumnSpec, today: date) -> tuple[int, int]:
    """(youngest, oldest) whole years the birth date's min/max give on `today`."""
    youngest = max(age_on(_day(birth.max), today), 0) if birth.max is not None else 0
    oldest = age_on(_day(birth.min), today) if birth.min is not None else OLDEST
    return youngest, max(oldest, youngest)


def agreed_ages(age: ColumnSpec, birth: ColumnSpec, today: date) -> tuple[int, int] | None:
    """(min, max) years both columns allow on `today`; None when they do not meet."""
    low, high = declared_ages(age)
    youngest, oldest = birth_ages(birth, today)
    low, high = max(low, youngest), min(high, oldest)
    return (low, high) if low <= high else None


def _day(value: float | str) -> date:
    """A date/datetime bound (ISO-8601 text, as the spec keeps it) as a UTC day."""
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (moment.astimezone(UTC) if moment.tzinfo else moment).date()


def age_pairs(columns: Iterable[ColumnSpec]) -> Iterator[tuple[ColumnSpec, ColumnSpec]]:
    """(age, birth date) columns of the same person: `age` with `birth_date`, `patient_age`
    with `patient_dob` (same prefix)."""
    births: dict[str, ColumnSpec] = {}
    ages: dict[str, ColumnSpec] = {}
    for col in columns:
        if col.expr is not None or col.unique:
            continue
        prefix = _prefix(col.name, BIRTH_NAMES)
        if prefix is not None and col.type in ("date", "datetime") and col.values is None:
            births.setdefault(prefix, col)
        prefix = _prefix(col.name, ("age",))
        if prefix is not None and col.type in INTEGER_TYPES:
            ages.setdefault(prefix, col)
    for prefix, age in ages.items():
        if prefix in births:
            yield age, births[prefix]


def _prefix(name: str, fields: tuple[str, ...]) -> str | None:
    for field in fields:
        if name == field:
            return ""
        if name.endswith("_" + field):
            return name[: -len(field) - 1]
    return None


def check_ages(tables: Iterable[TableSpec], today: date | None = None) -> list[Issue]:
    """An error for each person whose age bounds no birth date between its min/max can give
    (judged on `today`, the UTC date by default: the day a run started now is as of)."""
    today = today or datetime.now(UTC).date()
    issues = []
    for table in tables:
        for age, birth in age_pairs(table.columns):
            if agreed_ages(age, birth, today) is not None:
                continue
            low, high = declared_ages(age)
            youngest, oldest = birth_ages(birth, today)
            issues.append(
                table_issue(
                    table,
                    age.line,
                    f"column '{age.name}' ({low}..{high} years) cannot agree with "
                    f"'{birth.name}' (line {birth.line}): on {today} its dates give ages "
                    f"{youngest}..{oldest}; both describe the same person",
                    f"change {age.name}'s min/max or {birth.name}'s min/max so they overlap, "
                    f"or drop the min/max of one and let it follow the other",
                )
            )
    return issues
