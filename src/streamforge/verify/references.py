"""Foreign keys judged in time: a row may name a key only while it lives (DESIGN §4).

A key lives from its INSERT (snapshot keys: from the start) to its DELETE. A fact is judged at its
event time, a change row at its change timestamp, a dimension row at the snapshot; a fact without an
event time must name a key that lives at some moment of its file's window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from streamforge.plural import counted
from streamforge.verify.report import Report
from streamforge.verify.timeline import EARLIEST, Timeline


@dataclass(frozen=True, slots=True)
class When:
    """The moment rows are judged at: per-row times (µs), a window, or the snapshot."""

    times: np.ndarray | None = None  # per row; only where `timed`
    timed: np.ndarray | None = None
    window: tuple[int, int] | None = None
    snapshot: bool = False


def check_reference(
    report: Report,
    table: str,
    cycle: int,
    column: str,
    entity: str,
    values: np.ndarray,
    valid: np.ndarray,
    when: When,
    timeline: Timeline,
) -> None:
    keys = values[valid]
    seen = timeline.lookup(keys)
    orphan = ~seen.found
    if orphan.any():
        example = int(keys[np.flatnonzero(orphan)[0]])
        report.add(
            table,
            cycle,
            f"{int(orphan.sum())} orphan values in {column} (e.g. {example}) never a key of "
            f"{entity}",
            column=column,
            kind="orphan",
            count=int(orphan.sum()),
            example=example,
        )
    found = seen.found
    if when.snapshot:
        early = found & (seen.born_order != EARLIEST)
        late = np.zeros(len(keys), dtype=bool)  # nothing is deleted before the snapshot
        at = None
    elif when.times is not None and when.timed is not None:
        at = when.times[valid]
        timed = when.timed[valid]
        early = found & timed & (at < seen.born_time)
        late = found & timed & (at > seen.dead_time)
    elif when.window is not None:
        start, end = when.window
        at = None
        early = found & (seen.born_time >= end)
        late = found & (seen.dead_time < start)
    else:
        return
    for mask, what, kind in (
        (early, "before its INSERT", "before_insert"),
        (late, "after its DELETE", "after_delete"),
    ):
        if mask.any():
            i = int(np.flatnonzero(mask)[0])
            moment = f" at {_iso(int(at[i]))}" if at is not None else ""
            report.add(
                table,
                cycle,
                f"{counted(int(mask.sum()), 'row')} referencing a key of {entity} {what} in "
                f"{column} "
                f"(e.g. {column} {int(keys[i])}{moment})",
                column=column,
                kind=kind,
                count=int(mask.sum()),
                example=int(keys[i]),
            )


def _iso(micros: int) -> str:
    return str(np.datetime64(micros, "us")) + "Z"
