"""Text, timestamps, NULL and list lookups for expr/fast.py, as DuckDB computes them (issue 14: the
shipped sectors' expressions then never load DuckDB, ~0.1 s of a warm `generate`).

The shapes: a text column compared with `=`/`<>` to text (a literal or another column) or tested
with `IN (...)`; `CASE` choosing between one text column and NULL; a timestamp column passed
through a `CASE` or tested with IS NULL; `hour(ts)`; a NULL literal among a CASE's or COALESCE's
branches; and `[n1, n2, ...][i]`, a list of numeric literals indexed by an integer (a load curve).
DuckDB compares text byte by byte (its default collation), so Arrow's `equal` gives its answer;
timestamps are UTC microseconds (zone-less in DuckDB, expr/duck.py), and `hour` is the hour of
the day of that instant. Anything else hands back (Bail) or is not compiled: a text ordering,
text built or changed, two different text columns in one CASE, a list index outside the list
(DuckDB's NULL or its count from the end are not reproduced here).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.expr.fast_values import Bail, Val, both_valid

MICROS_PER_HOUR = 3_600_000_000


def null_literal() -> Val:
    """DuckDB's untyped NULL: it takes the type of the branches beside it (CASE, COALESCE)."""
    return Val("null", np.zeros(1, np.int64), np.zeros(1, bool))


def text_literal(value: str) -> Val:
    """A string literal: one value, compared with a text column."""
    return Val("text", np.zeros(1, np.int8), None, text=pa.array([value], pa.string()))


def read_timestamp(array: pa.Array, valid: np.ndarray | None) -> Val:
    """A timestamp column in microseconds (any zone: the instants are UTC) as a Val "ts"."""
    if array.type.unit != "us":
        raise Bail(f"timestamps in {array.type.unit}")
    n, off = len(array), array.offset
    data = np.frombuffer(array.buffers()[1], np.int64, count=off + n)[off:]
    return Val("ts", np.where(valid, data, 0) if valid is not None else data, valid)


def timestamp_array(v: Val, arrow: pa.DataType, mask: pa.Buffer | None, n: int) -> pa.Array:
    if not (pa.types.is_timestamp(arrow) and arrow.unit == "us"):
        raise Bail(f"a timestamp as {arrow}")
    data = np.ascontiguousarray(v.data, np.int64)
    return pa.Array.from_buffers(arrow, n, [mask, pa.py_buffer(data)])


def compare_text(op: str, a: Val, b: Val) -> Val:
    """`a = b` or `a <> b` of text (columns, or a literal); NULL when either side is."""
    if op not in ("EQ", "NEQ") or a.text is None or b.text is None:
        raise Bail(f"text compared with {op}")
    left, right = _operand(a.text), _operand(b.text)
    same = pc.equal(left, right) if op == "EQ" else pc.not_equal(left, right)
    if isinstance(same, pa.Scalar):  # two literals
        data = np.array([bool(same.as_py())])
    else:
        data = pc.fill_null(same, False).to_numpy(zero_copy_only=False)
    valid = both_valid(a, b)
    return Val("bool", data & valid if valid is not None else data, valid)


def _operand(text: pa.Array) -> pa.Array | pa.Scalar:
    """A literal (one value) as a scalar, so it compares with every row."""
    return text[0] if len(text) == 1 else text


def hour(v: Val) -> Val:
    """DuckDB's `hour(ts)`: the hour of the day (0-23) of a UTC instant, a BIGINT."""
    if v.kind != "ts":
        raise Bail(f"hour of {v.kind}")
    hours = np.floor_divide(v.data, MICROS_PER_HOUR) % 24  # floor: instants before 1970 too
    return Val("int", hours, v.valid, bits=64)


def element(items: Sequence[Val], index: Val) -> Val:
    """`[items...][index]` with a 1-based integer index inside the list; NULL for a NULL index.
    The items are numeric literals, in their common type (a decimal list keeps its largest
    scale, as DuckDB's DECIMAL(p, s)[])."""
    from streamforge.expr.fast_logic import _common

    if index.kind != "int" or any(item.kind not in ("int", "dec") for item in items):
        raise Bail("a list of other than numbers, or an index that is not an integer")
    typed = _common(items)
    values = np.concatenate([v.data for v in typed])
    position = index.data - 1
    inside = (position >= 0) & (position < len(values))
    if not (inside.all() if index.valid is None else inside[index.valid].all()):
        raise Bail("a list index outside the list")
    data = values[np.where(inside, position, 0)]
    return Val(typed[0].kind, data, index.valid, typed[0].scale, typed[0].bits)


def choose_text(conditions: Sequence[Val], values: Sequence[Val], default: Val, n: int) -> Val:
    """CASE WHEN conditions[i] THEN values[i] ... ELSE default END over one text column and
    NULLs: the column's values where a text branch is chosen, NULL elsewhere."""
    branches = [*values, default]
    texts = {id(v.text): v.text for v in branches if v.kind == "text"}
    if len(texts) != 1 or any(v.kind not in ("text", "null") for v in branches):
        raise Bail("a CASE of several text columns, or of text and other types")
    (column,) = texts.values()
    if column is None or len(column) != n:
        raise Bail("a CASE choosing a text literal")
    chosen = np.select(
        [np.broadcast_to(c.data, n) for c in conditions],
        [np.full(n, v.kind == "text") for v in values],
        np.full(n, default.kind == "text"),
    )
    if chosen.all():
        return Val("text", np.zeros(n, np.int8), _valid_of(column), text=column)
    made = pc.if_else(pa.array(chosen), column, pa.scalar(None, column.type))
    return Val("text", np.zeros(n, np.int8), _valid_of(made), text=made)


def _valid_of(array: pa.Array) -> np.ndarray | None:
    if not array.null_count:
        return None
    return array.is_valid().to_numpy(zero_copy_only=False)
