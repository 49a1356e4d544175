"""A batch's hidden columns drawn again, for `verify` (verify/hidden_replay.py), and what a
manifest line records so they can be.

Every value is a pure function of (seed, table, cycle, chunk), so a batch's hidden columns (drawn,
used by expressions, never written) can be drawn again from the seed, the batch's first row key,
its row count and window, but only while the table's spec is the one the run used: a changed
distribution draws other values. `spec_digest` fingerprints what the draws read (columns, their
rules, the profile, the faults), leaving out what does not change a value (file, line numbers,
descriptions, the pipelines' `expect` actions, whitespace in SQL), so an edited description,
comment or YAML layout does not stop the replay but an edited mean does. `values_version`
(engine/seeding.py) is recorded beside it: a file written by a StreamForge that drew other values
is an upgrade, not a changed YAML, and verify says which.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import fields, is_dataclass

import numpy as np
import pyarrow as pa

from streamforge.engine.faults import apply_quality
from streamforge.engine.load_profile import event_clock
from streamforge.engine.rows import BatchRequest, chunk_positions, column_context, fill_column
from streamforge.engine.seeding import VALUES_VERSION, chunk_bounds
from streamforge.engine.settings import RunSettings
from streamforge.plan import TablePlan
from streamforge.plan.columns import column_type
from streamforge.plan.times import YEAR_US
from streamforge.plan.times import micros_of_iso as _micros
from streamforge.spec.model import TableSpec


def spec_digest(table: TablePlan) -> str:
    """A 16-hex-digit fingerprint of the table's spec as it changes drawn values."""
    return _digest(table.spec)


# Text that never changes a value: where a rule is written, prose, and the pipelines' action.
_TEXT_ONLY = frozenset({"line", "file", "description", "expect"})
# Spark SQL whitespace outside quoted literals is formatting (a folded or literal YAML block).
_SQL_PARTS = re.compile(r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`)|\s+")


def _sql(text: str) -> str:
    return _SQL_PARTS.sub(lambda m: m.group(1) or " ", text).strip()


def _canonical(value: object) -> object:
    """The spec as nested tuples without its text-only fields, SQL whitespace normalised."""
    if is_dataclass(value) and not isinstance(value, type):
        kept = []
        for f in fields(value):
            if f.name in _TEXT_ONLY:
                continue
            v = getattr(value, f.name)
            sql = f.name in ("expr", "rule") and isinstance(v, str)
            kept.append((f.name, _sql(v) if sql else _canonical(v)))
        return (type(value).__name__, *kept)
    if isinstance(value, tuple | list):
        return tuple(_canonical(v) for v in value)
    return value


# Every landed file records it, and a spec never changes during a run: ~0.2 ms a file otherwise.
@functools.lru_cache(maxsize=256)
def _digest(spec: TableSpec) -> str:
    text = repr(_canonical(spec))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def replay_record(table: TablePlan, first_key: int) -> dict[str, object]:
    """The manifest fields of one dimension or fact batch that a replay needs besides the seed,
    scale, run start and window: its first row key and the spec digest."""
    return {
        "first_key": int(first_key),
        "spec_digest": spec_digest(table),
        "values_version": VALUES_VERSION,
    }


class EngineRedraw:
    """The engine's side of verify's `Redraw` (verify/hidden_replay.py), passed in by the facade:
    the oracle sits beside the engine and never imports it."""

    values_version = VALUES_VERSION

    def digest(self, table: TablePlan) -> str:
        return spec_digest(table)

    def draw(self, table: TablePlan, entry: dict, names: list[str]) -> dict[str, pa.Array]:
        return draw_hidden(table, entry, names)


def draw_hidden(table: TablePlan, entry: dict, names: list[str]) -> dict[str, pa.Array]:
    """The batch's `names` columns as drawn, row k at position k (key first_key + k): nulls and
    anomalies of the column's own rules applied, as the chunk kernel does before faults."""
    rows, first, cycle = int(entry["rows"]), int(entry["first_key"]), int(entry["cycle"])
    start = _micros(entry["run_start"])
    history = (start - RunSettings(seed=0).history_years * YEAR_US, start)
    if table.kind == "dimension":  # Session.dimensions: cycle 0, no window, no profile
        window, clock = (0, 0), None
    else:
        window = (_micros(entry["window_start"]), _micros(entry["window_end"]))
        clock = event_clock(table.spec.profile, *window)
    seed = int(entry["seed"])
    req = BatchRequest(table, seed, cycle, rows, first, window, history, {}, {}, clock)
    parts: dict[str, list[pa.Array]] = {name: [] for name in names}
    for chunk, (lo, hi) in enumerate(chunk_bounds(rows)):
        positions = chunk_positions(req, lo, hi)
        keys = first + np.arange(lo, hi, dtype=np.int64)
        for name in names:
            col = table.spec.column(name)
            assert col is not None
            ctx = column_context(req, name, lo, hi, chunk, positions)
            values = fill_column(table, col, ctx, {}, keys)
            values, _ = apply_quality(req, col, values, ctx, chunk)
            parts[name].append(values.cast(column_type(table, col)))
    return {
        name: pa.concat_arrays(arrays) if arrays else pa.array([], column_type(table, col))
        for name, arrays in parts.items()
        for col in [table.spec.column(name)]
        if col is not None
    }
