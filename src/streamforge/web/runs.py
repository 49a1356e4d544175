"""Live runs inside the app process: `api.run` in a thread each, keyed by destination.

A run lives as long as the server, so a page reload finds it again; the listener records what the
runner reports (resumed, dimensions, cycles, waits) for the status the pages poll.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamforge import api
from streamforge.errors import StreamForgeError
from streamforge.web.destinations import (
    BadDestination,
    RunConflict,
    check_overlap,
    resolve_destination,
)
from streamforge.web.limits import RunLimits, check_free_space

ACTIVE = ("starting", "running", "stopping")
HISTORY = 300  # points of the rows-over-time line


def run_id(destination: str) -> str:
    return hashlib.sha256(destination.encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class RunRequest:
    sector: str = "Energy"
    destination: str = "."
    fmt: str = "json"
    interval: float = 30.0
    seed: int = api.DEFAULT_SEED
    scale: float = 1.0
    fresh: bool = False


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
    next_cycle_in: float | None = None
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    history: deque = field(default_factory=lambda: deque(maxlen=HISTORY))
    events: deque = field(default_factory=lambda: deque(maxlen=50))
    last_error: str | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    def listen(self, event: str, payload: Any) -> None:
        """The runner's listener: called from the run's thread."""
        if event == "resumed":
            self.resumed = True
            self._event("resumed from the checkpoint")
        elif event == "dimensions":
            self._count(payload)
            self._event(f"dimensions written: {len(payload)} tables")
        elif event == "cycle":
            self.state = "running" if not self.stop.is_set() else self.state
            self.cycle = payload.cycle + 1
            self.next_cycle_in = None
            self._count(payload.files)
            total = sum(t["rows"] for t in self.tables.values())
            self.history.append((round(time.time() - self.started, 2), total))
            late = " (took longer than the interval)" if payload.overrun else ""
            self._event(f"cycle {payload.cycle} written in {payload.seconds:.2f}s{late}")
        elif event == "waiting":
            self.next_cycle_in = float(payload)
        elif event == "late":
            self._event(f"cycle started {float(payload):.1f}s late")

    def _count(self, files: list) -> None:
        for f in files:
            counts = self.tables.setdefault(f.table, {"rows": 0, "files": 0})
            counts["rows"] += f.rows
            counts["files"] += 1

    def _event(self, text: str) -> None:
        self.events.append((time.strftime("%H:%M:%S"), text))

    def to_json(self) -> dict[str, Any]:
        r = self.request
        return {
            "id": self.id,
            "sector": r.sector,
            "destination": self.destination,
            "format": r.fmt,
            "interval": r.interval,
            "seed": r.seed,
            "scale": r.scale,
            "state": self.state,
            "active": self.active,
            "cycle": self.cycle,
            "resumed": self.resumed,
            "next_cycle_in": self.next_cycle_in,
            "rows": sum(t["rows"] for t in self.tables.values()),
            "tables": self.tables,
            "history": list(self.history),
            "events": list(self.events),
            "last_error": self.last_error,
        }


class RunRegistry:
    def __init__(
        self,
        landing_root: Path,
        schema_dir: Path | str | None = None,
        runner: Callable[..., Any] = api.run,
        limits: RunLimits | None = None,
    ):
        self.landing_root, self.schema_dir, self.runner = Path(landing_root), schema_dir, runner
        self.limits = limits or RunLimits()
        self._runs: dict[str, RunRecord] = {}  # by resolved destination
        self._lock = threading.Lock()

    def start(self, request: RunRequest) -> RunRecord:
        """Check the request, then start the run on a thread of its own.

        Raises:
            BadDestination: a destination we cannot or may not write.
            RunConflict: another run writes there, or its landing area nests with this one.
            RunTooLarge: beyond the limits, or more than the local destination's free space.
            StreamForgeError: an unknown or invalid sector, an unknown format.
        """
        destination = resolve_destination(request.destination, self.landing_root)
        if request.fmt not in api.landing_formats():
            raise StreamForgeError(
                f"format: unknown format '{request.fmt}' "
                f"(known: {', '.join(api.landing_formats())})"
            )
        plan = api.load_plan(request.sector, self.schema_dir)  # unknown or invalid sector: refuse
        estimate = api.estimate(plan, request.fmt, request.scale, request.seed)
        self.limits.check(request.interval, request.scale, estimate)
        tables = tuple(t.name for t in plan.tables)
        with self._lock:
            current = self._runs.get(destination)
            if current is not None and current.active:
                raise RunConflict(
                    f"a run of {current.request.sector} is already writing to {destination}; "
                    "stop it first"
                )
            others = [
                (r.destination, r.table_names, f"the {r.request.sector} run ({r.state})")
                for r in self._runs.values()
                if r.destination != destination
            ]
            try:
                check_overlap(destination, tables, others, self.landing_root)
                if not destination.startswith("/Volumes/"):
                    check_free_space(Path(destination), estimate)
            except OSError as exc:  # a name the file system refuses, a folder we may not read
                raise BadDestination(f"cannot create {destination}: {exc.strerror}") from None
            record = RunRecord(run_id(destination), request, destination, tables)
            self._runs[destination] = record
        try:
            if not destination.startswith("/Volumes/"):
                Path(destination).mkdir(parents=True, exist_ok=True)
            record.thread = threading.Thread(
                target=self._work, args=(record,), name=f"streamforge-run-{record.id}", daemon=True
            )
            record.thread.start()
        except OSError as exc:  # a file where the folder should be, a name the disk refuses
            message = f"cannot create {destination}: {exc.strerror or exc}"
            self._fail(record, message)  # listed as failed; its destination is free again
            raise BadDestination(message) from None
        return record

    def _fail(self, record: RunRecord, message: str) -> None:
        """Mark a run failed: it frees its destination and the page shows why."""
        record.last_error = message
        record.state = "failed"
        record.next_cycle_in = None
        record._event(f"failed: {message}")

    def _work(self, record: RunRecord) -> None:
        r = record.request
        record.state = "running"
        try:
            summary = self.runner(
                r.sector,
                record.destination,
                schema_dir=self.schema_dir,
                fmt=r.fmt,
                seed=r.seed,
                interval=r.interval,
                scale=r.scale,
                fresh=r.fresh,
                stop=record.stop,
                listener=record.listen,
            )
            record.state = "stopped" if summary.stopped else "finished"
        except Exception as exc:  # the page shows it; the server keeps serving
            self._fail(record, str(exc) or type(exc).__name__)
        record.next_cycle_in = None

    def get(self, ident: str) -> RunRecord | None:
        return next((r for r in self._runs.values() if r.id == ident), None)

    def all(self) -> list[RunRecord]:
        return sorted(self._runs.values(), key=lambda r: r.started, reverse=True)

    def stop(self, record: RunRecord, wait: float = 0.0) -> RunRecord:
        if record.active:
            record.state = "stopping"
            record.stop.set()
        if wait and record.thread is not None:
            record.thread.join(wait)
        return record

    def stop_all(self, wait: float = 10.0) -> None:
        for record in list(self._runs.values()):
            self.stop(record, wait)


__all__ = ["BadDestination", "RunConflict", "RunRecord", "RunRegistry", "RunRequest", "run_id"]
