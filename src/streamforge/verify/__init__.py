"""`streamforge verify`: an independent oracle that reads a landing area back and judges it.

It reads the rules from the YAML text itself and never calls the engine's rule code, so a bug in the
generator (or in the loader) cannot hide itself. Modules, one check each: `rules` (the YAML's
rules), `read` (files to exact Arrow), `values`, `columns`, `unique`, `timeline`, `references`,
`feeds`, `replay`, `hierarchy`; `landing` runs them file by file (`landing_run`: its state and
reading a file; `key_dates`: pass one; `row_keys`, `change_rows`, `event_times`: per file).
`hidden_replay` draws the hidden inputs of expressions and checks again from the seed (the
engine's draws are passed in by the caller, api.verify); `hidden_stats` is its statistical
fallback when a batch cannot be replayed.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.verify.landing import verify_landing
from streamforge.verify.report import Finding, Report

__all__ = ["Finding", "Report", "compare_entities", "verify_landing"]


def compare_entities(report: Report, entities: dict[str, pa.Table], key_of: dict[str, str]) -> None:
    """The replayed change feeds must rebuild exactly the entity rows the generator holds."""
    for name, held in entities.items():
        replayed = report.states.get(name)
        if replayed is None:
            continue
        key = key_of[name]
        held = held.take(pc.sort_indices(held, [(key, "ascending")]))
        mine = pc.cast(replayed.column(key), pa.int64()).to_numpy()
        theirs = pc.cast(held.column(key), pa.int64()).to_numpy()
        if not np.array_equal(mine, theirs):
            extra = np.setdiff1d(mine, theirs)
            missing = np.setdiff1d(theirs, mine)
            report.add(
                name,
                -1,
                f"replay has {len(extra)} keys the generator does not hold "
                f"and lacks {len(missing)} it holds",
                column=key,
                kind="state",
                count=len(extra) + len(missing),
            )
            continue
        for column in (c for c in replayed.column_names if c in held.column_names):
            ours = replayed.column(column)
            other = held.column(column)
            with contextlib.suppress(pa.ArrowInvalid, pa.ArrowNotImplementedError):
                other = other.cast(ours.type)
            same = pc.fill_null(pc.equal(ours, other), False).to_numpy(zero_copy_only=False)
            both_null = (pc.is_null(ours).to_numpy(zero_copy_only=False)) & (
                pc.is_null(other).to_numpy(zero_copy_only=False)
            )
            differ = (
                ~(same | both_null)
                if not pa.types.is_nested(ours.type)
                else np.array(
                    [a != b for a, b in zip(ours.to_pylist(), other.to_pylist(), strict=True)]
                )
            )
            if differ.any():
                k = int(mine[np.flatnonzero(differ)[0]])
                report.add(
                    name,
                    -1,
                    f"key {k}: replay and generator state differ in {column}",
                    column=column,
                    kind="state",
                    count=int(differ.sum()),
                    example=k,
                )
                break
