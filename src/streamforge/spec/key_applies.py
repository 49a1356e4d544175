"""Which column keys apply to which types, as data: one row per key, read by one loop in
spec/columns.py (adding a type-bound key is one row here, not another `if`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from streamforge.spec.model import INTEGER_TYPES, NUMERIC_TYPES
from streamforge.spec.yaml_models import ColumnModel


@dataclass(frozen=True, slots=True)
class KeyApplies:
    """A column key that only some types take: given (`given(model)`) on another type, the
    column is refused with `message` ({kind}: the column's type) and `hint`."""

    key: str
    types: tuple[str, ...]
    message: str
    hint: str | None = None
    given: Callable[[ColumnModel], bool] = lambda m: False


def _set(key: str) -> Callable[[ColumnModel], bool]:
    return lambda m: getattr(m, key) is not None


# Which keys apply to which types, checked in this order by one loop in _check_rules.
KEY_APPLIES = (
    KeyApplies(
        "format",
        ("string",),
        "format applies to string columns, not to {kind}",
        "use min/max for numbers, or `type: string`",
        _set("format"),
    ),
    KeyApplies(
        "decimals",
        ("float", "double", "decimal"),
        "decimals apply to float, double and decimal, not {kind}",
        given=_set("decimals"),
    ),
    KeyApplies(
        "distribution",
        NUMERIC_TYPES,
        "distribution applies to numeric columns, not to {kind}",
        "use values + weights to skew categories",
        lambda m: m.distribution != "uniform" and not m.references,
    ),
    KeyApplies(
        "sequence",
        INTEGER_TYPES,
        "sequence: true needs an int or long column",
        given=lambda m: bool(m.sequence),
    ),
    KeyApplies("faker", ("string",), "faker applies to string columns", given=_set("faker")),
    KeyApplies(
        "unique",
        (*INTEGER_TYPES, "string"),
        "unique applies to int, long and string, not {kind}",
        given=lambda m: bool(m.unique),
    ),
)
