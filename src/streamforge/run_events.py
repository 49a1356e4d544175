"""What a live run reports while it runs: one small record per event, passed to the listener
that `api.run` was given (the CLI's status line, the app's run page). Listeners tell events apart
by their type (`match event: case CycleWritten(report=...)`), never by a string."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI matches on these records before a run loads the engine
    from streamforge.checkpoint import RunMeta
    from streamforge.landing_write import WrittenFile


@dataclass(slots=True)
class CycleReport:
    """One cycle of facts and change feeds: its event-time window (microseconds since the
    epoch), the files written, and how long it took (seconds; `overrun`: longer than the
    interval, so the next cycle starts at once)."""

    cycle: int
    window: tuple[int, int]
    files: list[WrittenFile]
    seconds: float
    overrun: bool = False


@dataclass(frozen=True, slots=True)
class LockTakenOver:
    """The landing's lock was taken from an earlier runner; `reason` says whose, and why."""

    reason: str


@dataclass(frozen=True, slots=True)
class Resumed:
    """The run continues from the landing's checkpoint."""

    meta: RunMeta


@dataclass(frozen=True, slots=True)
class DimensionsWritten:
    files: list[WrittenFile]


@dataclass(frozen=True, slots=True)
class CycleWritten:
    report: CycleReport


@dataclass(frozen=True, slots=True)
class Waiting:
    """The next cycle is due in `seconds`."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Late:
    """The cycle starts `seconds` after it was due (the previous one overran, or downtime)."""

    seconds: float


RunEvent = LockTakenOver | Resumed | DimensionsWritten | CycleWritten | Waiting | Late
Listener = Callable[[RunEvent], None]
