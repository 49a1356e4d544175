"""`changed_fields` against the before image, over a finished run's whole change feed.

Each file's check (feeds.check_changed_fields) can judge an UPDATE only when every older change
has landed; with late rows that is seldom. A finished run (`final` on its last file) has landed
every change row, so here every UPDATE is judged: its before image is the key's previous change
row by sequence, else the dimension's snapshot; `changed_fields` names exactly the attributes
whose value differs from it (DESIGN §5), no more and no fewer, and only attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.plan import TablePlan
from streamforge.plural import counted
from streamforge.verify.feeds import _differs, order_of
from streamforge.verify.report import Report

ORDER, CYCLE = "__order", "__cycle"


@dataclass(slots=True)
class FeedRows:
    """One change feed's fresh rows so far (attributes, key, type, changed fields, replay
    order, cycle), and the tracked entity's image before its first file."""

    base: pa.Table | None = None
    parts: list[pa.Table] = field(default_factory=list)


def keep_rows(rows: FeedRows, table: TablePlan, cycle: int, data: pa.Table, fresh, state) -> None:
    """Remember `data`'s fresh rows (a numpy bool mask) of one file; `state`: the entity's
    replayed image (a key-sorted pa.Table, or None) before this file."""
    roles = table.feed
    assert roles is not None and roles.changed_fields_column is not None
    if not rows.parts:
        rows.base = state
    names = [roles.entity_key, roles.type_column, roles.changed_fields_column]
    names += [a.name for a in roles.attributes if a.name in data.column_names]
    part = data.select(names).append_column(ORDER, pa.array(order_of(roles, data)))
    part = part.append_column(CYCLE, pa.array(np.full(len(part), cycle, np.int64)))
    rows.parts.append(part.filter(pa.array(fresh)))


def judge_rows(report: Report, table: TablePlan, rows: FeedRows) -> None:
    """Every UPDATE's `changed_fields` against its before image; one finding per file cycle."""
    roles = table.feed
    assert roles is not None and roles.changed_fields_column is not None
    if not rows.parts:
        return
    data = pa.concat_tables(rows.parts, promote_options="permissive").combine_chunks()
    keys = pc.cast(data.column(roles.entity_key), pa.int64()).to_numpy(zero_copy_only=False)
    order = np.lexsort((data.column(ORDER).to_numpy(), keys))
    data, keys = data.take(pa.array(order)), keys[order]
    ops = data.column(roles.type_column).to_numpy(zero_copy_only=False)
    after_row = np.zeros(len(keys), dtype=bool)
    after_row[1:] = keys[1:] == keys[:-1]
    upd = np.flatnonzero(ops == "UPDATE")
    upd = upd[~after_row[upd] | (ops[np.maximum(upd - 1, 0)] != "DELETE")]
    base = rows.base
    base_keys = (
        np.zeros(0, np.int64)
        if base is None
        else pc.cast(base.column(roles.entity_key), pa.int64()).to_numpy(zero_copy_only=False)
    )
    at = np.minimum(np.searchsorted(base_keys, keys[upd]), max(len(base_keys) - 1, 0))
    in_base = base_keys[at] == keys[upd] if len(base_keys) else np.zeros(len(upd), dtype=bool)
    judged = after_row[upd] | in_base
    upd, at = upd[judged], at[judged]
    lists = data.column(roles.changed_fields_column).combine_chunks().take(pa.array(upd))
    parents = pc.list_parent_indices(lists).to_numpy()
    named = lists.flatten().to_numpy(zero_copy_only=False).astype(object)
    attrs = [a.name for a in roles.attributes if a.name in data.column_names]
    wrong = np.zeros(len(upd), dtype=bool)
    example: dict[int, tuple] = {}
    prev = after_row[upd]
    for attr in attrs:
        new = data.column(attr).take(pa.array(upd))
        old_row = data.column(attr).take(pa.array(np.maximum(upd - 1, 0)))
        if base is not None and attr in base.column_names:
            old_base = base.column(attr).take(pa.array(at)).cast(new.type)
            old = pc.if_else(pa.array(prev), old_row, old_base)
        else:
            old = old_row
        says = np.zeros(len(upd), dtype=bool)
        says[parents[named == attr]] = True
        bad = says != _differs(new, old)
        for i in np.flatnonzero(bad & ~wrong)[:1]:
            example.setdefault(i, (attr, bool(says[i])))
        wrong |= bad
    stray = ~np.isin(named, attrs)
    wrong[parents[stray]] = True
    for i in np.flatnonzero(stray)[:1]:
        example.setdefault(int(parents[i]), (str(named[i]), True))
    cycles = data.column(CYCLE).to_numpy()[upd]
    key_of = keys[upd]
    for cycle in np.unique(cycles[wrong]):
        at_cycle = np.flatnonzero(wrong & (cycles == cycle))
        first = int(next((i for i in at_cycle if i in example), at_cycle[0]))
        attr, said = example.get(first, ("?", True))
        how = "names it, but it did not change" if said else "does not name it, but it changed"
        report.add(
            table.name,
            int(cycle),
            f"{counted(len(at_cycle), 'UPDATE row')} whose {roles.changed_fields_column} is not "
            f"exactly the attributes that differ from the key's image before it (e.g. key "
            f"{int(key_of[first])}: {attr}: {how})",
            column=roles.changed_fields_column,
            kind="changed_fields",
            count=len(at_cycle),
            example=(int(key_of[first]), attr),
        )
