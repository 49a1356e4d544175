"""A dimension or fact file holds exactly its batch's row keys (DESIGN §4: dimension keys are
1..num_rows, fact keys continue from the last batch and are never reused).

The manifest line of each batch records its first row key (`first_key`); the next batch of the
table starts where this one ends, so the batch's keys are [first_key, next first_key), or
[first_key, first_key + rows) for the newest (a dimension: num_rows × scale keys). Every row key
lies in that range, and each key of it is landed once, except the rows a duplicate copy took the
place of (the manifest's `duplicate` count): late and out-of-order rows keep their keys, and a
profiled fact's late rows are made with the keys of the batch they land in. So a row dropped, a
key changed, or a row from another batch is caught exactly, whatever the row count rule allows.

A change feed's row keys (`change_id`) continue the same way (DESIGN §5), its manifest line
recording `first_key` and `made_rows`, but a late row lands in a later cycle's file with the key of
the batch it was made in. So for a change feed: every key of a file lies below its batch's end;
a key lands in one file only (its duplicate copies beside it); and by a finished run's last file
(`final`) every key of every batch has landed.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.plan import TablePlan
from streamforge.plural import counted
from streamforge.verify.landing_run import LandingRun


def check_key_range(run: LandingRun, table: TablePlan, entry: dict, data: pa.Table) -> None:
    """Findings for row keys outside the file's batch and for keys of the batch not landed."""
    key = table.primary_key
    first = entry.get("first_key")
    if key is None or first is None or key not in data.column_names:
        return
    if not pa.types.is_integer(data.schema.field(key).type):
        return
    if table.feed is not None:
        _check_feed_keys(run, table, entry, data)
        return
    if entry.get("scenario"):
        return
    low, high = int(first), _end(run, table, entry)
    keys = pc.drop_null(data.column(key)).to_numpy().astype(np.int64)
    outside = (keys < low) | (keys >= high)
    cycle = entry["cycle"]
    if outside.any():
        run.report.add(
            table.name,
            cycle,
            f"{counted(int(outside.sum()), 'row')} with a {key} outside this batch's keys "
            f"[{low}, {high}) (e.g. {int(keys[outside][0])}): a key changed or a row from "
            "another batch",
            column=key,
            kind="key_range",
            count=int(outside.sum()),
            example=int(keys[outside][0]),
        )
    copies = int((entry.get("faults") or {}).get("duplicate", 0))
    landed = np.unique(keys[~outside])
    missing = (high - low) - copies - len(landed)
    if missing > 0:
        gaps = np.setdiff1d(np.arange(low, min(high, low + len(landed) + missing + copies)), landed)
        run.report.add(
            table.name,
            cycle,
            f"{counted(missing, 'row')} of this batch missing: its keys are [{low}, {high}), "
            f"{counted(copies, 'duplicate')} took the place of as many rows, and "
            f"{counted(len(landed), 'key')} landed (e.g. {key} {int(gaps[0])} is not there, or a "
            "duplicate took its place)",
            column=key,
            kind="key_range",
            count=missing,
            example=int(gaps[0]),
        )


def _end(run: LandingRun, table: TablePlan, entry: dict) -> int:
    """Where the batch's keys end: a dimension's num_rows × scale after its first key; else the
    next batch's first key, or first_key + rows for the newest."""
    if table.kind == "dimension" and entry.get("scale") is not None:
        size = max(1, round(table.spec.num_rows * float(entry["scale"])))
        return int(entry["first_key"]) + size
    later = [
        int(e["first_key"])
        for e in run.files[table.name]
        if e["cycle"] > entry["cycle"] and e.get("first_key") is not None
    ]
    return min(later) if later else int(entry["first_key"]) + int(entry.get("rows") or 0)


def _check_feed_keys(run: LandingRun, table: TablePlan, entry: dict, data: pa.Table) -> None:
    """A change feed file's keys: below its batch's end, none landed by an earlier file, and at a
    finished run's last file none missing. `run.feed_keys[table]`: landed? by key (bool)."""
    key, cycle = str(table.primary_key), entry["cycle"]
    high = int(entry["first_key"]) + int(entry.get("made_rows") or 0)
    keys = np.unique(pc.drop_null(data.column(key)).to_numpy().astype(np.int64))
    outside = (keys < 1) | (keys >= high)
    if entry.get("scenario"):  # a scenario changed the rates: its keys count as landed, unjudged
        outside[:] = False
        high = max(high, int(keys.max(initial=0)) + 1)
    if outside.any():
        run.report.add(
            table.name,
            cycle,
            f"{counted(int(outside.sum()), 'row key')} {key} outside the keys made so far "
            f"[1, {high}) (e.g. {int(keys[outside][0])}): a key changed",
            column=key,
            kind="key_range",
            count=int(outside.sum()),
            example=int(keys[outside][0]),
        )
    keys = keys[~outside]
    landed = run.feed_keys.get(table.name, np.zeros(0, dtype=bool))
    if len(landed) < high:
        landed = np.concatenate([landed, np.zeros(high - len(landed), dtype=bool)])
    again = keys[landed[keys]]
    if len(again):
        run.report.add(
            table.name,
            cycle,
            f"{counted(len(again), 'row key')} {key} already landed in an earlier file (e.g. "
            f"{int(again[0])}): a key changed to another row's, or a row landed twice",
            column=key,
            kind="key_range",
            count=len(again),
            example=int(again[0]),
        )
    landed[keys] = True
    run.feed_keys[table.name] = landed
    gaps = np.flatnonzero(~landed[1:]) + 1
    if entry.get("final") and len(gaps):
        run.report.add(
            table.name,
            cycle,
            f"{counted(len(gaps), 'row')} never landed: this finished run made keys [1, {high}) "
            f"and every late row lands by its last file (e.g. {key} {int(gaps[0])} is not there)",
            column=key,
            kind="key_range",
            count=len(gaps),
            example=int(gaps[0]),
        )
