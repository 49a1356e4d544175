"""Which column is a change feed's sequence, and the keys that cannot apply to one (DESIGN §5).

A sequence column is numbered by the engine, 1, 2, 3, … along the feed across every batch and
restart (what `AUTO CDC ... SEQUENCE BY` relies on), never drawn: a key that shapes or breaks drawn
values (bounds, categories, a distribution, nulls, anomalies) would be silently ignored, while
`verify` and the pipelines' expectations would still judge the rows by it. So validation refuses
such keys instead, and refuses `sequence: true` outside a change feed, where nothing numbers it.
"""

from __future__ import annotations

from streamforge.spec.model import INTEGER_TYPES, ColumnSpec, TableKind

IMPLICIT_NAME = "sequence_num"  # the original's sequence column, a sequence without saying so

# (key, the value that means "not given"): the keys of a drawn value.
_DRAWN_KEYS: tuple[tuple[str, object], ...] = (
    ("min", None),
    ("max", None),
    ("values", None),
    ("weights", None),
    ("distribution", "uniform"),
    ("mean", None),
    ("stddev", None),
    ("skew", None),
    ("unique", False),
    ("references", None),
    ("null_rate", 0.0),
    ("anomaly_rate", 0.0),
)


def is_sequence(col: ColumnSpec) -> bool:
    """Whether a change feed numbers `col` as its sequence: `sequence: true`, or an int or long
    column named `sequence_num`."""
    return col.sequence or (col.name == IMPLICIT_NAME and col.type in INTEGER_TYPES)


def sequence_problem(kind: TableKind, col: ColumnSpec) -> tuple[str, str, str] | None:
    """(offending key, message, hint) when `col` of a `kind` table misuses a sequence, else None."""
    if kind != "change_feed":
        if not col.sequence:
            return None
        return (
            "sequence",
            f"sequence: true applies to change feeds (the order AUTO CDC applies changes in), "
            f"not to a {kind}, where nothing numbers column '{col.name}'",
            "drop `sequence: true` (a table's row key already counts up across batches)",
        )
    if not is_sequence(col):
        return None
    given = next((key for key, unset in _DRAWN_KEYS if getattr(col, key) != unset), None)
    if given is None:
        return None
    why = "sequence: true" if col.sequence else f"an int column named {IMPLICIT_NAME}"
    undo = "drop `sequence: true`" if col.sequence else "rename the column"
    return (
        given,
        f"column '{col.name}' is the change feed's sequence ({why}): it counts 1, 2, 3, ... "
        f"across every batch and restart and never has a drawn value, so {given} does not apply",
        f"remove {given}; to draw values instead, {undo}",
    )
