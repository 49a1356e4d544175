"""Duplicates are exact copies: a row whose key repeats (`duplicate_rate`, at-least-once delivery)
must equal the row first landed with that key in every column, NULLs at the same places, floats
and decimals to the last bit (README, *Event-time faults*).

No state beyond the key fingerprints row_keys.py keeps: within a file, the rows of a repeated key
are compared by a 64-bit digest of the whole row (only those rows are digested, a few percent of a
file); a copy whose original landed in an earlier file (a redelivered file) is compared with that
row read again from the earlier files, so that rare case costs reading, not memory on every
landing.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.plan import TablePlan
from streamforge.plural import counted
from streamforge.verify.landing_run import LandingRun, read_entry
from streamforge.verify.unique import _mix, _valued, fingerprints

_U64 = np.uint64
SHOWN = 3  # keys named in a finding


def row_digests(data: pa.Table) -> np.ndarray:
    """int64 per row over every column (in schema order): equal rows, equal digests; rows that
    differ anywhere (a NULL for a value too) differ with probability 1 - 2^-64."""
    digest = np.full(data.num_rows, 0x5851F42D4C957F2D, dtype=_U64)
    with np.errstate(over="ignore"):
        for i, column in enumerate(data.columns):
            prints = _valued(column.combine_chunks())
            digest = _mix(digest ^ _mix(prints + _U64(i + 1)))
    return digest.view(np.int64)


def check_copies(
    run: LandingRun,
    table: TablePlan,
    entry: dict,
    data: pa.Table,
    key: str,
    rows: np.ndarray,
    keys: np.ndarray,
    repeat: np.ndarray,
) -> None:
    """Findings for rows whose key was landed before (in this file or an earlier one) with other
    values. `rows`: the file's rows with a key; `keys`: their key fingerprints; `repeat`: which of
    them repeat a key landed before them."""
    if not repeat.any():
        return
    order = np.argsort(keys, kind="stable")  # stable: file order within a key
    ordered = keys[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    group = np.cumsum(first) - 1
    sizes = np.bincount(group)
    earlier = np.zeros(len(sizes), dtype=bool)  # the key's original is in an earlier file
    earlier[group[first]] = repeat[order[first]]
    involved = (sizes[group] > 1) | earlier[group]
    if not involved.any():
        return
    picked = order[involved]  # rows of the keys concerned, grouped by key, in file order
    digests = row_digests(data.take(pa.array(rows[picked])))
    heads = np.flatnonzero(first[involved])
    reference = digests[heads][np.cumsum(first[involved]) - 1]
    from_before = earlier[group[involved]]
    if from_before.any():
        values = data.column(key).take(pa.array(rows[picked[from_before]]))
        prior = _first_landed(run, table, entry, key, pc.unique(values), data.column_names)
        if prior is not None:
            position = pc.fill_null(pc.index_in(values, prior.column(key)), -1).to_numpy()
            known = np.flatnonzero(from_before)[position >= 0]  # else: original not readable
            reference[known] = row_digests(prior)[position[position >= 0]]
    differ = digests != reference
    if differ.any():
        copies = rows[picked[differ]]
        _report(run, table, entry, data, key, copies, from_before[differ])


def _report(run, table, entry, data, key, copies, earlier) -> None:
    """One finding per file: how many copies differ, the first keys with the columns and rows."""
    cycle = entry["cycle"]
    key_values = data.column(key).take(pa.array(copies)).to_pylist()
    shown, columns = [], []
    for row, value, before in list(zip(copies, key_values, earlier, strict=True))[:SHOWN]:
        original = _original(run, table, entry, data, key, value, bool(before))
        if original is None:
            shown.append(f"{key} {value} (row {row + 1}): its original could not be read again")
            continue
        where, other = original
        names = [
            c for c in data.column_names if not _same(data.column(c)[int(row)], other.column(c)[0])
        ]
        columns += [c for c in names if c not in columns]
        shown.append(f"{key} {value} (row {row + 1}) differs from {where} in {', '.join(names)}")
    run.report.add(
        table.name,
        cycle,
        f"{counted(len(copies), 'duplicate row')} not equal to the row first landed with the "
        f"same key (a duplicate is the same row delivered twice: every column equal): "
        + "; ".join(shown),
        column=columns[0] if columns else key,
        kind="duplicate",
        count=len(copies),
        example=key_values[0],
    )


def _same(a: pa.Scalar, b: pa.Scalar) -> bool:
    return a.is_valid == b.is_valid and (not a.is_valid or a.equals(b))


def _original(run, table, entry, data, key, value, before):
    """(where, the one-row table) of the first row landed with key `value`."""
    if not before:
        same = pc.fill_null(pc.equal(data.column(key), value), False)
        at = int(np.flatnonzero(same.to_numpy(zero_copy_only=False))[0])
        return f"row {at + 1} of the same file", data.slice(at, 1)
    for other, landed in _earlier_files(run, table, entry, data.column_names):
        hits = np.flatnonzero(
            pc.fill_null(pc.equal(landed.column(key), value), False).to_numpy(zero_copy_only=False)
        )
        if len(hits):
            return f"row {hits[0] + 1} of cycle {other['cycle']}", landed.slice(hits[0], 1)
    return None


def _earlier_files(run, table, entry, columns):
    """(entry, rows) of the table's files landed before `entry`, oldest first; none of them
    reported again when unreadable (pass two did)."""
    for other in run.files[table.name]:
        if other is entry or other["cycle"] > entry["cycle"]:
            return
        landed = read_entry(run, table, other, only=columns)
        if landed is not None:
            yield other, landed.data


def _first_landed(run, table, entry, key, values, columns) -> pa.Table | None:
    """The first row landed with each of the key `values`, from earlier files (one row a key)."""
    found, parts = pa.array([], values.type), []
    for _, rows in _earlier_files(run, table, entry, columns):
        wanted = pc.and_(pc.is_in(rows.column(key), values), pc.invert(
            pc.is_in(rows.column(key), found)))  # fmt: skip
        hits = rows.filter(wanted)
        if hits.num_rows:
            _, at = np.unique(fingerprints(hits.column(key).combine_chunks()), return_index=True)
            hits = hits.take(pa.array(at))
            parts.append(hits)
            found = pa.concat_arrays([found, hits.column(key).combine_chunks()])
    return pa.concat_tables(parts) if parts else None
