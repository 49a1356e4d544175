"""A change feed file judged against its entity's timeline, then replayed into the entity state.

Rules (DESIGN §4, §5): an INSERT brings a key that never existed; UPDATE and DELETE touch a key
that exists at that sequence; a key changes at most once per batch; ordered by sequence, change
timestamps strictly increase; an UPDATE names in `changed_fields` every attribute it
changed. Replay is by
sequence, so late and shuffled rows land where they belong and an exact duplicate changes nothing.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.plan.feeds import FeedRoles
from streamforge.plural import counted
from streamforge.verify.report import Report
from streamforge.verify.timeline import Timeline


def as_int64(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return pc.cast(column, pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)


def order_of(roles: FeedRoles, data: pa.Table) -> np.ndarray:
    """The replay order: the first sequence column, else the change timestamp."""
    column = roles.sequence_columns[0] if roles.sequence_columns else roles.timestamp_column
    return as_int64(data.column(column))


def check_changes(
    report: Report,
    table: str,
    cycle: int,
    roles: FeedRoles,
    data: pa.Table,
    timeline: Timeline,
    made_here: np.ndarray,
) -> np.ndarray:
    """Report every change row that touches a key at the wrong moment; return the rows that
    are fine (the ones replay applies). `made_here`: rows of this cycle's batch (the others are
    late rows of earlier batches), the batch in which a key changes at most once."""
    keys = as_int64(data.column(roles.entity_key))
    ops = data.column(roles.type_column).to_numpy(zero_copy_only=False).astype(object)
    order = order_of(roles, data)
    seen = timeline.lookup(keys)
    exists_before = seen.found & (seen.born_order < order)
    problems = {
        "INSERT of a key that already exists": (ops == "INSERT")
        & seen.found
        & (seen.born_order < order),
        "UPDATE of a key that does not exist yet at that sequence": (ops == "UPDATE")
        & ~exists_before,
        "UPDATE of a key after its DELETE": (ops == "UPDATE")
        & exists_before
        & (seen.dead_order < order),
        "DELETE of a key that does not exist yet at that sequence": (ops == "DELETE")
        & ~exists_before,
        "DELETE of a key already deleted": (ops == "DELETE")
        & exists_before
        & (seen.dead_order < order),
        "change type is not INSERT, UPDATE or DELETE": ~np.isin(
            ops, ["INSERT", "UPDATE", "DELETE"]
        ),
    }
    # Two different changes (not an exact duplicate: another sequence) of one key in a batch.
    mine = np.stack([keys[made_here], order[made_here]])
    pairs = np.unique(mine, axis=1) if mine.shape[1] else np.zeros((2, 0), np.int64)
    distinct, counts = np.unique(pairs[0], return_counts=True)
    twice = np.isin(keys, distinct[counts > 1]) & made_here
    problems["key changed twice in one batch"] = twice
    bad = np.zeros(len(keys), dtype=bool)
    for message, mask in problems.items():
        if mask.any():
            first = int(np.flatnonzero(mask)[0])
            report.add(
                table,
                cycle,
                f"{counted(int(mask.sum()), 'row')}: {message} (e.g. {roles.entity_key} "
                f"{int(keys[first])} "
                f"{ops[first]} at sequence {int(order[first])})",
                column=roles.entity_key,
                kind="change",
                count=int(mask.sum()),
                example=int(keys[first]),
            )
            bad |= mask
    return ~bad


def check_order(
    report: Report, table: str, cycle: int, roles: FeedRoles, data: pa.Table, last: dict
) -> None:
    """Sorted by sequence, timestamps strictly increase (exact duplicates aside), within the
    file and after the newest row of earlier files (late rows aside: they are older)."""
    order = order_of(roles, data)
    stamps = as_int64(data.column(roles.timestamp_column))
    by = np.lexsort((stamps, order))
    order, stamps = order[by], stamps[by]
    distinct = np.ones(len(order), dtype=bool)
    distinct[1:] = (order[1:] != order[:-1]) | (stamps[1:] != stamps[:-1])
    o, s = order[distinct], stamps[distinct]
    if len(o) > 1:
        same_seq = o[1:] == o[:-1]
        backwards = s[1:] <= s[:-1]
        broken = same_seq | backwards
        if broken.any():
            i = int(np.flatnonzero(broken)[0]) + 1
            report.add(
                table,
                cycle,
                f"{counted(int(broken.sum()), 'row')}: ordered by sequence, the change timestamp "
                "does not "
                f"increase (e.g. sequence {int(o[i])})",
                column=roles.timestamp_column,
                kind="order",
                count=int(broken.sum()),
                example=int(o[i]),
            )
    before = last.get("order", np.iinfo(np.int64).min)
    newer = np.flatnonzero(order > before)
    if len(newer) and "stamp" in last and stamps[newer[0]] <= last["stamp"]:
        report.add(
            table,
            cycle,
            f"the change timestamp does not increase across files: sequence {int(order[newer[0]])} "
            f"is stamped at or before sequence {before}",
            column=roles.timestamp_column,
            kind="order",
            count=1,
            example=int(order[newer[0]]),
        )
    if len(newer):
        last["order"], last["stamp"] = int(order[-1]), int(stamps[-1])


def check_changed_fields(
    report: Report,
    table: str,
    cycle: int,
    roles: FeedRoles,
    data: pa.Table,
    state: pa.Table | None,
) -> None:
    """An UPDATE's `changed_fields` names every attribute whose value differs from the key's
    image before it (the replayed state)."""
    column = roles.changed_fields_column
    if column is None or state is None or not len(state):
        return
    ops = data.column(roles.type_column).to_numpy(zero_copy_only=False)
    all_keys = as_int64(data.column(roles.entity_key))
    # A key changed twice in the file (a late row beside a new one): its earlier image is not
    # the state's; leave it to the replay.
    pairs = np.unique(np.stack([all_keys, order_of(roles, data)]), axis=1)
    distinct, counts = np.unique(pairs[0], return_counts=True)
    rows = np.flatnonzero((ops == "UPDATE") & np.isin(all_keys, distinct[counts == 1]))
    if not len(rows):
        return
    keys = all_keys[rows]
    state_keys = as_int64(state.column(roles.entity_key))
    at = np.searchsorted(state_keys, keys)
    known = (at < len(state_keys)) & (state_keys[np.minimum(at, len(state_keys) - 1)] == keys)
    rows, at = rows[known], at[known]
    named_lists = data.column(column).combine_chunks().take(pa.array(rows))
    parents = pc.list_parent_indices(named_lists).to_numpy()
    names = named_lists.flatten().to_numpy(zero_copy_only=False).astype(object)
    missed = np.zeros(len(rows), dtype=bool)
    example = None
    for attr in (a.name for a in roles.attributes):
        if attr not in data.column_names or attr not in state.column_names:
            continue
        new = data.column(attr).combine_chunks().take(pa.array(rows))
        old = state.column(attr).combine_chunks().take(pa.array(at)).cast(new.type)
        differ = _differs(new, old)
        named = np.zeros(len(rows), dtype=bool)
        named[parents[names == attr]] = True
        newly = differ & ~named & ~missed
        if newly.any() and example is None:
            example = (int(keys[known][np.flatnonzero(newly)[0]]), attr)
        missed |= differ & ~named
    if missed.any():
        report.add(
            table,
            cycle,
            f"{counted(int(missed.sum()), 'UPDATE row')} changing an attribute that {column} does "
            "not name "
            f"(e.g. key {example[0]} changes {example[1]})",  # type: ignore[index]
            column=column,
            kind="changed_fields",
            count=int(missed.sum()),
            example=example,
        )


def _differs(new: pa.Array, old: pa.Array) -> np.ndarray:
    if pa.types.is_nested(new.type):
        return np.array([a != b for a, b in zip(new.to_pylist(), old.to_pylist(), strict=True)])
    unequal = pc.fill_null(pc.not_equal(new, old), False).to_numpy(zero_copy_only=False)
    return unequal | pc.xor(pc.is_null(new), pc.is_null(old)).to_numpy(zero_copy_only=False)
