"""Live runs inside the app process: `api.run` in a thread each, keyed by destination.

A page reload finds a run again; an app restart too, through the RunStore: runs that were active
start again and resume from their checkpoints, stopped and failed ones stay listed until removed.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
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
from streamforge.web.run_record import RunRecord, RunRequest
from streamforge.web.run_store import RunStore


def run_id(destination: str) -> str:
    return hashlib.sha256(destination.encode()).hexdigest()[:12]


class RunRegistry:
    def __init__(
        self,
        landing_root: Path,
        schema_dir: Path | str | None = None,
        runner: Callable[..., Any] = api.run,
        limits: RunLimits | None = None,
        store: RunStore | None = None,
    ):
        self.landing_root, self.schema_dir, self.runner = Path(landing_root), schema_dir, runner
        self.limits = limits or RunLimits()
        self.store = store or RunStore(None)
        self.store_problem: str | None = None  # shown on the Run page when runs cannot be saved
        self._runs: dict[str, RunRecord] = {}  # by resolved destination
        self._lock = threading.Lock()
        self._closing = False  # the server is stopping: its runs stay "active" in the store

    def restore(self) -> None:
        """Start the runs that were active when the app last stopped; list the others."""
        for saved in self.store.load():
            if saved.state in ("starting", "running"):  # not "stopping": a user asked
                try:
                    self.start(saved.request)
                except StreamForgeError as exc:
                    record = self._listed(saved.request, saved.destination, "failed")
                    self._fail(record, f"could not resume after the app restarted: {exc}")
            else:
                record = self._listed(saved.request, saved.destination, saved.state)
                record.last_error = saved.last_error
                self._count_landing(record)
        self._persist()

    def _listed(self, request: RunRequest, destination: str, state: str) -> RunRecord:
        record = RunRecord(run_id(destination), request, destination, state=state)
        with self._lock:
            self._runs.setdefault(destination, record)
        return self._runs[destination]

    def _count_landing(self, record: RunRecord) -> None:
        """Counts from the landing's manifest: what earlier processes wrote shows too."""
        try:
            record.count_manifest(api.open_landing(record.destination).read_manifest())
        except Exception as exc:  # a Volume out of reach: the counts start at zero, said so
            record._event(f"could not read the earlier counts: {exc}")

    def _persist(self) -> None:
        if not self._closing:
            self.store_problem = self.store.save(list(self._runs.values()))

    def remove(self, record: RunRecord) -> None:
        """Forget a run that is not active (its files stay where they are).

        Raises:
            RunConflict: the run is still active: stop it first.
        """
        if record.active:
            raise RunConflict(f"the run writing to {record.destination} is active; stop it first")
        with self._lock:
            self._runs.pop(record.destination, None)
        self._persist()

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
        api.check_destination(destination, request.fmt)  # delta cannot go to a Volume
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
        if not request.fresh:
            self._count_landing(record)
        self._persist()
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
        record.next_cycle_at = None
        record._event(f"failed: {message}")
        self._persist()

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
                scenario=lambda: record.scenario,
            )
            record.state = "stopped" if summary.stopped else "finished"
            self._persist()
        except Exception as exc:  # the page shows it; the server keeps serving
            self._fail(record, str(exc) or type(exc).__name__)
        record.next_cycle_at = None

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
        """Stop every run because the server stops: they start again with the next server."""
        self._persist()
        self._closing = True
        for record in list(self._runs.values()):
            self.stop(record, wait)


__all__ = ["BadDestination", "RunConflict", "RunRecord", "RunRegistry", "RunRequest", "run_id"]
