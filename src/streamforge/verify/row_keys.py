"""Per landing file: row keys never repeat (except the duplicates the manifest announces), and
`unique` columns never repeat a value across files (per entity key for dimensions and change
feeds)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from streamforge.plan import TablePlan
from streamforge.plural import counted
from streamforge.verify.absent import absent
from streamforge.verify.duplicates import check_copies
from streamforge.verify.feeds import as_int64
from streamforge.verify.landing_run import LandingRun, entity_of
from streamforge.verify.report import shown as show
from streamforge.verify.unique import SeenValues, fingerprints


def check_row_keys(run: LandingRun, table: TablePlan, entry: dict, data: pa.Table) -> np.ndarray:
    """Row keys never repeat, except the exact duplicates the manifest announces; return the
    rows that are not such repeats."""
    key = table.primary_key
    if roles := table.feed:
        key = roles.row_key
    fresh = np.ones(data.num_rows, dtype=bool)
    if key is None or absent(run.report, table.name, "unique row keys", [key], data, "keys"):
        return fresh
    column = data.column(key).combine_chunks()
    valid = column.is_valid().to_numpy(zero_copy_only=False)
    seen = run.seen.setdefault((table.name, key), SeenValues())
    prints = fingerprints(column.filter(pa.array(valid)))
    repeat = seen.add(prints)
    fresh[np.flatnonzero(valid)[repeat]] = False
    announced = int((entry.get("faults") or {}).get("duplicate", 0))
    if table.spec.duplicate_rate or announced:  # elsewhere a repeat is a key collision
        check_copies(run, table, entry, data, key, np.flatnonzero(valid), prints, repeat)
        run.report.duplicates += int(repeat.sum())
    if int(repeat.sum()) != announced:
        shown = column.filter(pa.array(~fresh))[0].as_py() if repeat.any() else None
        run.report.add(
            table.name,
            entry["cycle"],
            f"{counted(int(repeat.sum()), 'repeated value')} of key {key}, manifest announces "
            f"{counted(announced, 'duplicate')} (e.g. {show(shown)})",
            column=key,
            kind="unique",
            count=int(repeat.sum()),
            example=shown,
        )
    return fresh


def check_unique(run: LandingRun, table: TablePlan, entry: dict, data: pa.Table, rows) -> None:
    """`unique` columns never repeat a value: across every file of a fact, across the rows of an
    entity (its dimension file and its change feeds' INSERTs and UPDATEs) for the same key."""
    rules = run.rules[table.name]
    entity = entity_of(run, table)
    owner_key = None
    if table.feed is not None:
        owner_key = table.feed.entity_key
    elif table.kind == "dimension":
        owner_key = table.primary_key
    mask = np.broadcast_to(np.asarray(rows, dtype=bool), (data.num_rows,))
    row_key = table.feed.row_key if table.feed else table.primary_key
    for name, rule in rules.items():
        if not rule.unique or name not in data.column_names or name in (owner_key, row_key):
            continue
        column = data.column(name).combine_chunks()
        keep = mask & column.is_valid().to_numpy(zero_copy_only=False)
        values = column.filter(pa.array(keep))
        owners = as_int64(data.column(owner_key))[keep] if owner_key is not None else None
        scope = entity if owner_key is not None and entity else table.name
        seen = run.seen.setdefault((scope, name), SeenValues(owned=owners is not None))
        repeat = seen.add(fingerprints(values), owners)
        if repeat.any():
            shown = values[int(np.flatnonzero(repeat)[0])].as_py()
            run.report.add(
                table.name,
                entry["cycle"],
                f"{counted(int(repeat.sum()), 'row')} repeating a value of unique column {name} "
                f"(e.g. {show(shown)})",
                column=name,
                kind="unique",
                count=int(repeat.sum()),
                example=shown,
            )
