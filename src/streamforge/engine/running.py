"""Running totals per key (`running:`, DESIGN §3): a balance that follows the transactions.

The rule. For each row of the fact (a duplicate copy excluded: it is the same row landed twice
and carries its original's values), taken per key in posting order = (the cycle the row lands in,
its event time, its primary key), the value is `start` as it stood at the key's most recent
posting, plus the sum of the key's earlier rows since that posting. A posting is a change-feed
row of that key that changes the start column (an INSERT, a DELETE, or an UPDATE whose value
differs from the key's value before it), stamped at or before the row's event time; before any,
the dimension's snapshot value. "Since that posting": the earlier rows that read the same posting.
Late rows post when they land (their cycle comes first in the order), reading the posting of
their own event time. Without `start`, totals run from 0.

How. A batch is made twice: a draft pass makes each chunk up to the summed column (no checks)
and keeps (primary key, key, event time, amount); one numpy sort and cumsum over the batch gives
every row's value by primary key; the real pass puts them in (`BatchRequest.running`), so chunks
stay a pure function of their request, on threads or Spark executors alike. The sum of each
(key, posting) carries from cycle to cycle in the run state (Totals, checkpointed), kept while
the posting can still be read (versions.pruned). Values are exact integers in the total's units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.generators import wide
from streamforge.engine.key_time import micros_of
from streamforge.engine.versions import LATEST, Versions
from streamforge.errors import StreamForgeError
from streamforge.plan.columns import arrow_type

if TYPE_CHECKING:
    from streamforge.engine.rows import BatchRequest
    from streamforge.plan import Plan, TablePlan
    from streamforge.spec.model import ColumnSpec

NO_POSTING = 0  # the one "posting" of a total without `start`
KEY, POSTING, UNITS = "__key", "__posting_us", "__units"


@dataclass(frozen=True, slots=True)
class Totals:
    """Per (key, posting valid-from µs), the sum of the rows so far, in the total's units;
    ordered by (key, posting)."""

    keys: np.ndarray
    postings: np.ndarray
    units: np.ndarray

    @classmethod
    def empty(cls) -> Totals:
        none = np.zeros(0, np.int64)
        return cls(none, none, none)

    def carried(self, keys: np.ndarray, postings: np.ndarray) -> np.ndarray:
        """The sum so far of each (key, posting) asked (0 for one never seen)."""
        at = _find_pairs(self.keys, self.postings, keys, postings)
        if not len(self.units):
            return np.zeros(len(keys), np.int64)
        return np.where(at >= 0, self.units[np.maximum(at, 0)], 0)

    def merged(self, keys: np.ndarray, postings: np.ndarray, units: np.ndarray) -> Totals:
        """With these sums, replacing the ones of the same (key, posting)."""
        all_keys = np.concatenate([self.keys, keys])
        all_posts = np.concatenate([self.postings, postings])
        newer = np.concatenate([np.zeros(len(self.keys), bool), np.ones(len(keys), bool)])
        order = np.lexsort((newer, all_posts, all_keys))
        k, p = all_keys[order], all_posts[order]
        last = np.ones(len(order), bool)
        last[:-1] = (k[1:] != k[:-1]) | (p[1:] != p[:-1])
        units = np.concatenate([self.units, units])[order]
        return Totals(k[last], p[last], units[last])

    def kept(self, postings: Versions | None) -> Totals:
        """Without the sums of postings no row can read any more (pruned from `postings`)."""
        if postings is None:
            return self
        keep = _find_pairs(postings.keys, postings.valid_from, self.keys, self.postings) >= 0
        return Totals(self.keys[keep], self.postings[keep], self.units[keep])

    def to_table(self) -> pa.Table:
        return pa.table(
            {
                KEY: pa.array(self.keys, pa.int64()),
                POSTING: pa.array(self.postings, pa.int64()),
                UNITS: pa.array(self.units, pa.int64()),
            }
        )

    @classmethod
    def from_table(cls, table: pa.Table) -> Totals:
        return cls(*(table.column(n).to_numpy().astype(np.int64) for n in (KEY, POSTING, UNITS)))


def running_columns(table: TablePlan) -> tuple[ColumnSpec, ...]:
    return tuple(c for c in table.spec.columns if c.running is not None)


def total_name(table: str, column: str) -> str:
    return f"{table}.{column}"


def start_of(table: TablePlan, col: ColumnSpec) -> tuple[str, str] | None:
    """(dimension, column) that `col`'s total starts from, or None (from 0)."""
    assert col.running is not None
    ref = col.running.start_ref
    if ref is None:
        return None
    return table.foreign_keys[col.running.by].entity, ref[1]


def posted_columns(plan: Plan) -> dict[str, tuple[str, ...]]:
    """Dimension -> the columns running totals start from: their postings are kept."""
    wanted: dict[str, dict[str, None]] = {}
    for table in plan.tables:
        for col in running_columns(table):
            start = start_of(table, col)
            if start is not None:
                wanted.setdefault(start[0], {})[start[1]] = None
    return {entity: tuple(columns) for entity, columns in wanted.items()}


def posted(
    postings: Versions, keys: np.ndarray, stamps: np.ndarray, ops: np.ndarray, images: pa.Table
) -> Versions:
    """`postings` (one column's versions) with the change rows that post: INSERTs, DELETEs and
    UPDATEs whose value differs from the key's value just before (earlier rows of the batch
    included). A feed that does not carry the column posts only INSERTs and DELETEs."""
    column = postings.values.column_names[0]
    kind = postings.values.schema.field(0).type
    order = np.lexsort((stamps, keys))
    k = keys[order].astype(np.int64)
    posts = np.isin(ops[order], ("INSERT", "DELETE"))
    if column in images.column_names and len(order):
        new = images.column(column).combine_chunks().cast(kind).take(pa.array(order))
        before = postings.at(k, np.full(len(k), LATEST, np.int64)).column(0).combine_chunks()
        same_key = np.zeros(len(k), bool)
        same_key[1:] = k[1:] == k[:-1]
        shifted = pa.concat_arrays([pa.nulls(1, kind), new.slice(0, len(k) - 1)])
        previous = pc.if_else(pa.array(same_key), shifted, before)
        equal = pc.fill_null(pc.equal(new, previous), False).to_numpy(zero_copy_only=False)
        both_null = pc.and_(new.is_null(), previous.is_null()).to_numpy(zero_copy_only=False)
        posts |= ~(equal | both_null)
    chosen = order[posts]
    if not len(chosen):
        return postings
    if column in images.column_names:
        values = images.select([column]).take(pa.array(chosen))
    else:
        values = pa.table({column: pa.nulls(len(chosen), kind)})
    deleted = ops[chosen] == "DELETE"
    return postings.changed(keys[chosen].astype(np.int64), stamps[chosen], deleted, values)


def ledger(
    req: BatchRequest,
    col: ColumnSpec,
    drafts: pa.Table,
    postings: Versions | None,
    totals: Totals,
) -> tuple[pa.Array, Totals]:
    """The running column's value for each row of the batch, by drawn position (primary key -
    first key), and the totals after the batch.

    Args:
        drafts: the batch's landed rows from the draft pass (primary key, `by`, event time and
            the summed column at least; duplicate copies included).
        postings: the start column's postings (None: the total runs from 0).
        totals: the sums carried from earlier cycles.

    Raises:
        StreamForgeError: a value does not fit the column's declared precision.
    """
    from streamforge.engine.computed import lookup_times

    run, table = col.running, req.table
    assert run is not None and table.primary_key is not None
    places = col.scale or 0
    pk_all = drafts.column(table.primary_key).combine_chunks().cast(pa.int64()).to_numpy()
    _, first = np.unique(pk_all, return_index=True)  # a duplicate copy is its original again
    rows = drafts.take(pa.array(first))
    pk = pk_all[first]
    keys, present = micros_of(rows.column(run.by).combine_chunks())
    times = lookup_times(req, rows)
    amounts = units_of(rows.column(run.sum).combine_chunks(), places)
    if postings is not None:
        index, found = postings.locate(np.where(present, keys, -1), times)
        segment = np.where(found, postings.valid_from[index], NO_POSTING)
        stood = postings.values.column(0).combine_chunks().take(pa.array(index))
        start = units_of(stood, places)
        present &= found & stood.is_valid().to_numpy(zero_copy_only=False)
    else:
        segment = np.full(len(pk), NO_POSTING, np.int64)
        start = np.zeros(len(pk), np.int64)
    idx = np.flatnonzero(present)
    order = idx[np.lexsort((pk[idx], times[idx], segment[idx], keys[idx]))]
    k, s, a = keys[order], segment[order], amounts[order]
    head = np.ones(len(order), bool)
    head[1:] = (k[1:] != k[:-1]) | (s[1:] != s[:-1])
    heads = np.flatnonzero(head)
    group = np.cumsum(head) - 1
    earlier = np.cumsum(a) - a  # sum of the rows before, over the whole sorted batch
    carry = totals.carried(k[heads], s[heads])
    before = start[order] + carry[group] + earlier - earlier[heads][group]
    tails = np.append(heads[1:], len(order)) - 1
    ends = carry + earlier[tails] + a[tails] - earlier[heads]
    values = np.zeros(req.rows, np.int64)
    valid = np.zeros(req.rows, bool)
    at = pk[order] - req.first_key
    values[at], valid[at] = before, True
    limit = 10 ** (col.precision or (10 if col.type == "int" else 18))
    if len(before) and np.abs(before).max() >= limit:
        raise StreamForgeError(
            f"{table.name}.{col.name} (cycle {req.cycle}): the running total reaches "
            f"{np.abs(before).max() / 10**places:,.{places}f}, beyond its type {arrow_type(col)}; "
            "widen the type (e.g. decimal(18,2)) or lower num_rows"
        )
    return to_arrow(col, values, valid), totals.merged(k[heads], s[heads], ends)


def units_of(array: pa.Array, places: int) -> np.ndarray:
    """Exact int64 units (value × 10**places) of an int or decimal array; nulls give 0."""
    valid = array.is_valid().to_numpy(zero_copy_only=False)
    if pa.types.is_decimal(array.type):
        wide128 = array.cast(pa.decimal128(38, places))
        words = np.frombuffer(wide128.buffers()[1], np.int64, 2 * len(wide128), 16 * wide128.offset)
        units = words[0::2].copy()  # little-endian int128: the low word holds a value < 2**63
    else:
        units = array.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False) * 10**places
    units[~valid] = 0
    return units.astype(np.int64)


def to_arrow(col: ColumnSpec, units: np.ndarray, valid: np.ndarray) -> pa.Array:
    target = arrow_type(col)
    if col.type in ("int", "long"):
        return pa.array(units, pa.int64(), mask=~valid).cast(target)
    signs = (units >> 63).view(np.uint64)
    made = wide.to_decimal(wide.Wide(signs, units.view(np.uint64)), target)
    return pc.if_else(pa.array(valid), made, pa.nulls(len(units), target))


def zeros(col: ColumnSpec, rows: int) -> pa.Array:
    """The draft pass's stand-in: nothing reads it but later expressions, which are not kept."""
    return to_arrow(col, np.zeros(rows, np.int64), np.ones(rows, bool))


def _find_pairs(
    keys: np.ndarray, posts: np.ndarray, ask_keys: np.ndarray, ask_posts: np.ndarray
) -> np.ndarray:
    """Index of each asked (key, posting) among the pairs (`keys`, `posts`), ordered by
    (key, posting) with no repeats; -1 where absent. A key has few postings alive (those late
    rows can still read), so each step of the loop tests the j-th pair of every asked key."""
    found = np.full(len(ask_keys), -1, np.int64)
    if not len(keys) or not len(ask_keys):
        return found
    lo = np.searchsorted(keys, ask_keys, side="left")
    hi = np.searchsorted(keys, ask_keys, side="right")
    for j in range(int((hi - lo).max())):
        at = np.minimum(lo + j, len(keys) - 1)
        hit = (lo + j < hi) & (posts[at] == ask_posts)
        found[hit] = at[hit]
    return found
