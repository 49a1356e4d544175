"""One app run as the pages see it: its request, state, counts per table, history and events.

The runner reports through `listen` from the run's thread; `to_json` is what `/api/runs` answers.
Counts start from the landing's manifest, so a run resumed after an app restart shows everything
its landing holds, dimensions included, not only what this process wrote.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from streamforge import api
from streamforge.engine.scenario import Scenario
from streamforge.plural import counted
from streamforge.run_events import CycleWritten, DimensionsWritten, Late, Resumed, RunEvent, Waiting

ACTIVE = ("starting", "running", "stopping")
HISTORY = 300  # points of the rows-over-time line
RATE_WINDOW = 5  # cycles over which rows/s and MB/s are averaged


@dataclass(frozen=True, slots=True)
class RunRequest:
    sector: str = "Energy"
    destination: str = "."
    fmt: str = api.DEFAULT_FORMAT
    interval: float = 30.0
    seed: int = api.DEFAULT_SEED
    scale: float = 1.0
    fresh: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunRequest:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


@dataclass(slots=True)
class RunRecord:
    id: str
    request: RunRequest
    destination: str  # resolved
    table_names: tuple[str, ...] = ()  # the folders this run owns in its landing area
    state: str = "starting"  # starting | running | stopping | stopped | finished | failed
    cycle: int = 0  # cycles completed, across restarts of the same landing area
    resumed: bool = False
    started: float = field(default_factory=time.time)
    next_cycle_at: float | None = None  # epoch seconds when the next cycle is due
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    history: deque = field(default_factory=lambda: deque(maxlen=HISTORY))  # (s, rows, bytes)
    events: deque = field(default_factory=lambda: deque(maxlen=50))
    last_error: str | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    scenario: Scenario = field(default_factory=Scenario)  # controls for the next cycles

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    def count_manifest(self, entries: Iterable[Mapping[str, Any]]) -> None:
        """Start the counts from what the landing already holds (one manifest entry a file)."""
        self.tables = {}
        last = -1
        for entry in entries:
            self._add(
                str(entry.get("table")), int(entry.get("rows", 0)), int(entry.get("bytes", 0))
            )
            last = max(last, int(entry.get("cycle", 0)))
        self.cycle = max(self.cycle, last + 1 if last > 0 else 0)

    def listen(self, event: RunEvent) -> None:
        """The runner's listener: called from the run's thread."""
        match event:
            case Resumed():
                self.resumed = True
                self._event("resumed from the checkpoint")
            case DimensionsWritten(files=files):
                self._count(files)
                self._event(f"dimensions written: {counted(len(files), 'table')}")
            case CycleWritten(report=report):
                self.state = "running" if not self.stop.is_set() else self.state
                self.cycle = report.cycle + 1
                self.next_cycle_at = None
                self._count(report.files)
                rows = sum(t["rows"] for t in self.tables.values())
                written = sum(t["bytes"] for t in self.tables.values())
                self.history.append((round(time.time() - self.started, 2), rows, written))
                late = " (took longer than the interval)" if report.overrun else ""
                self._event(f"cycle {report.cycle} written in {report.seconds:.2f}s{late}")
            case Waiting(seconds=seconds):
                self.next_cycle_at = time.time() + seconds
            case Late(seconds=seconds):
                self._event(f"cycle started {seconds:.1f}s late")

    def _count(self, files: list) -> None:
        for f in files:
            self._add(f.table, f.rows, f.bytes)

    def _add(self, table: str, rows: int, written: int) -> None:
        counts = self.tables.setdefault(table, {"rows": 0, "files": 0, "bytes": 0})
        counts["rows"] += rows
        counts["files"] += 1
        counts["bytes"] += written

    def _event(self, text: str) -> None:
        self.events.append((time.strftime("%H:%M:%S"), text))

    def rates(self) -> tuple[float | None, float | None]:
        """Rows/s and MB/s over the last few cycles of this process; None before two cycles."""
        points = list(self.history)[-RATE_WINDOW - 1 :]
        if len(points) < 2 or points[-1][0] <= points[0][0]:
            return None, None
        seconds = points[-1][0] - points[0][0]
        rows = (points[-1][1] - points[0][1]) / seconds
        megabytes = (points[-1][2] - points[0][2]) / seconds / 1e6
        return round(rows, 1), round(megabytes, 3)

    def to_json(self) -> dict[str, Any]:
        r = self.request
        rows_per_s, mb_per_s = self.rates()
        now = time.time()
        return {
            "id": self.id,
            "sector": r.sector,
            "destination": self.destination,
            "requested_destination": r.destination,
            "format": r.fmt,
            "interval": r.interval,
            "seed": r.seed,
            "scale": r.scale,
            "state": self.state,
            "active": self.active,
            "cycle": self.cycle,
            "resumed": self.resumed,
            "next_cycle_in": (
                max(0.0, round(self.next_cycle_at - now, 2)) if self.next_cycle_at else None
            ),
            "next_cycle_at": self.next_cycle_at,
            "rows": sum(t["rows"] for t in self.tables.values()),
            "bytes": sum(t["bytes"] for t in self.tables.values()),
            "rows_per_s": rows_per_s,
            "mb_per_s": mb_per_s,
            "tables": self.tables,
            "history": [p[:2] for p in self.history],
            "events": list(self.events),
            "last_error": self.last_error,
            "scenario": asdict(self.scenario),
        }
