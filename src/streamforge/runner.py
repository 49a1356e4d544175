"""The live run: dimensions once, then a batch of every fact and change feed each interval.

State is checkpointed before a cycle starts (with the tick it will use) and after it ends, so a
restart redoes an interrupted cycle with the same rows and file names, and never repeats or skips
one. The clock and the stop event are injected, so tests drive time without sleeping.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from streamforge import checkpoint
from streamforge.checkpoint import RunMeta
from streamforge.engine.scenario import Scenario, apply_scenario
from streamforge.engine.session import Session
from streamforge.engine.settings import RunSettings
from streamforge.engine.state import RunState
from streamforge.errors import StorageError, StreamForgeError
from streamforge.landing_write import OutputWriter, WriteStopped, WrittenFile, write_output
from streamforge.plan import Plan
from streamforge.plan.times import MICROS
from streamforge.run_events import CycleReport as CycleReport
from streamforge.run_events import (
    CycleWritten,
    DimensionsWritten,
    Late,
    Listener,
    LockTakenOver,
    Resumed,
    Waiting,
)
from streamforge.sinks.formats import FileFormat
from streamforge.sinks.landing import Landing, LandingLocked


class Clock(Protocol):
    def now_us(self) -> int: ...

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        """Wait up to `seconds`; True when `stop` was set meanwhile."""
        ...


class SystemClock:
    def now_us(self) -> int:
        return time.time_ns() // 1000

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        return stop.wait(max(seconds, 0.0))


@dataclass(slots=True)
class RunSummary:
    resumed: bool
    cycles: list[CycleReport] = field(default_factory=list)
    dimensions: list[WrittenFile] = field(default_factory=list)
    stopped: bool = False  # by a signal or stop event, rather than by --cycles / --duration

    @property
    def rows(self) -> int:
        return sum(f.rows for c in self.cycles for f in c.files) + sum(
            f.rows for f in self.dimensions
        )


class Runner:
    def __init__(
        self,
        plan: Plan,
        landing: Landing,
        fmt: FileFormat,
        settings: RunSettings,
        clock: Clock | None = None,
        stop: threading.Event | None = None,
        listener: Listener | None = None,
        write: OutputWriter | None = None,
    ):
        self.plan, self.landing, self.fmt, self.settings = plan, landing, fmt, settings
        self.write = write or write_output  # the Spark engine passes its own writer
        self.clock = clock or SystemClock()
        self.stop = stop or threading.Event()
        self.listener = listener or (lambda event: None)

    def run(self) -> RunSummary:
        """Write the dimensions (unless the checkpoint says they are), then one batch of every
        fact and change feed per cycle, checkpointing after each, until the settings' cycles or
        duration are done or `stop` is set.

        Returns:
            A RunSummary: the files written this run (dimensions and per cycle), whether it
            resumed from a checkpoint and whether it was stopped.

        Raises:
            StreamForgeError: another runner holds the landing's lock; the landing was written
                by `generate` and has no checkpoint; the checkpoint belongs to another run
                (sector, seed or format differ); a unique column ran out of values.
            StorageError: the landing could not be read or written (nothing is half-written:
                running again continues).
        """
        owner = f"pid {os.getpid()} on {socket.gethostname()}"
        if self.stop.is_set():  # stopped during start-up: nothing was written yet
            return RunSummary(resumed=False, stopped=True)
        try:
            with self.landing.lock(owner, self.settings.break_lock) as taken_over:
                if taken_over:
                    self.listener(LockTakenOver(taken_over))
                if self.settings.fresh:
                    self.landing.clear()
                return self._run()
        except LandingLocked as exc:
            raise StreamForgeError(f"{exc}; one runner per landing area") from None
        except StorageError as exc:
            # Every write is atomic and the checkpoint names the cycle in progress, so nothing
            # needs repairing: the next start redoes that cycle.
            raise StorageError(
                f"{exc}; nothing is half-written: once that is fixed, run the same command "
                "again to continue"
            ) from exc

    def _run(self) -> RunSummary:
        loaded = checkpoint.load(self.landing)
        if loaded is None and self.landing.read_manifest():
            raise StreamForgeError(
                "this landing area was written by `streamforge generate` and has no checkpoint "
                "to continue from; pass --fresh to start a live run over it, or choose another "
                "destination"
            )
        if loaded is None:
            state, meta = RunState(), self._new_meta()
            checkpoint.save(self.landing, state, meta, entities_changed=False)
        else:
            state, meta = loaded
            self._check_compatible(meta)
            meta.interval_s, meta.scale = self.settings.interval_s, self.settings.scale
        summary = RunSummary(resumed=loaded is not None)
        engine_settings = replace(
            self.settings,
            seed=meta.seed,
            start_us=meta.start_us,
            interval_s=meta.interval_s,
            scale=meta.scale,
        )
        session = Session(self.plan, engine_settings, state)
        if loaded is not None:
            self.listener(Resumed(meta))
        if not state.dimensions_written:
            self._drop_manifest_entries(lambda e: e.get("kind") == "dimension")
            window = (meta.start_us, meta.start_us)
            for output in session.dimensions():
                if self.stop.is_set():  # the next start writes the dimensions again, whole
                    summary.stopped = True
                    return summary
                try:
                    written = self.write(
                        self.landing, output, self.fmt, meta.seed, window, stop=self.stop
                    )
                except WriteStopped:
                    summary.stopped = True
                    return summary
                summary.dimensions.append(written)
            checkpoint.save(self.landing, state, meta, entities_changed=True)
            self.listener(DimensionsWritten(summary.dimensions))
        began = self.clock.now_us()
        interval_us = int(meta.interval_s * MICROS)
        while not self.stop.is_set():
            if self.settings.cycles is not None and len(summary.cycles) >= self.settings.cycles:
                break
            elapsed = (self.clock.now_us() - began) / MICROS
            if self.settings.duration_s is not None and elapsed >= self.settings.duration_s:
                break
            cycle = state.next_cycle
            tick: int | None
            if meta.pending_cycle == cycle and meta.pending_tick_us is not None:
                tick = meta.pending_tick_us
                self._drop_manifest_entries(_stream_entries_from(cycle))
            else:
                tick = self._next_tick(meta, interval_us)
                if tick is None:
                    break
                scenario = self.settings.scenario() if self.settings.scenario else Scenario()
                meta.pending_cycle, meta.pending_tick_us = cycle, tick
                meta.pending_scenario = scenario.to_json() or None
                checkpoint.save(self.landing, state, meta, entities_changed=False)
            report = self._cycle(
                session, meta, cycle, tick, interval_us, Scenario.from_json(meta.pending_scenario)
            )
            if report is None:
                summary.stopped = True
                return summary  # stopped mid-cycle: the pending checkpoint redoes it next time
            meta.pending_cycle = meta.pending_tick_us = meta.pending_scenario = None
            meta.last_tick_us = tick
            checkpoint.save(self.landing, state, meta, entities_changed=True)
            summary.cycles.append(report)
            self.listener(CycleWritten(report))
        summary.stopped = self.stop.is_set()
        return summary

    def _cycle(
        self,
        session: Session,
        meta: RunMeta,
        cycle: int,
        tick: int,
        interval_us: int,
        scenario: Scenario,
    ) -> CycleReport | None:
        started = time.perf_counter()
        window = (tick - interval_us, tick)  # the interval that just passed: no future events
        files = []
        base_plan, base_settings = session.plan, session.settings
        session.plan = apply_scenario(base_plan, scenario)
        session.settings = replace(base_settings, scale=base_settings.scale * scenario.burst)
        try:
            for output in session.cycle(cycle, window):
                if self.stop.is_set():
                    return None
                try:
                    files.append(
                        self.write(
                            self.landing,
                            output,
                            self.fmt,
                            meta.seed,
                            window,
                            stop=self.stop,
                            scenario=scenario.to_json(),
                        )
                    )
                except WriteStopped:
                    return None  # the pending checkpoint redoes the whole cycle
        finally:
            session.plan, session.settings = base_plan, base_settings
        seconds = time.perf_counter() - started
        return CycleReport(cycle, window, files, seconds, overrun=seconds > meta.interval_s)

    def _next_tick(self, meta: RunMeta, interval_us: int) -> int | None:
        """When the next cycle runs: an interval after the last, or now if that has passed."""
        now = self.clock.now_us()
        if meta.last_tick_us is None:
            return now
        due = meta.last_tick_us + interval_us
        if now >= due:
            if now - due > interval_us // 10:
                self.listener(Late((now - due) / MICROS))
            return now
        self.listener(Waiting((due - now) / MICROS))
        if self.clock.wait((due - now) / MICROS, self.stop):
            return None
        return due

    def _new_meta(self) -> RunMeta:
        now = self.clock.now_us()
        return RunMeta(
            sector=self.plan.sector.name,
            seed=self.settings.seed,
            format=self.fmt.name,
            start_us=now - now % MICROS,
            interval_s=self.settings.interval_s,
            scale=self.settings.scale,
            fingerprint=checkpoint.fingerprint(self.plan),
        )

    def _check_compatible(self, meta: RunMeta) -> None:
        """Refuse to continue a landing area that the current schemas or options would break."""
        problems = []
        if meta.sector != self.plan.sector.name:
            problems.append(f"it holds sector {meta.sector}, not {self.plan.sector.name}")
        if meta.format != self.fmt.name:
            problems.append(f"its files are {meta.format}, not {self.fmt.name}")
        if meta.seed != self.settings.seed:
            problems.append(f"it was started with --seed {meta.seed}")
        now = checkpoint.fingerprint(self.plan)
        for table, old in meta.fingerprint.items():
            if table not in now:
                problems.append(f"table {table} was removed")
            elif now[table].split("|")[:2] != old.split("|")[:2]:
                problems.append(f"the kind or key of table {table} changed")
            elif now[table] != old:
                problems.append(f"the columns of table {table} changed")
        for table in sorted(now.keys() - meta.fingerprint.keys()):
            if self.plan.table(table).kind != "fact":
                problems.append(f"{self.plan.table(table).kind} {table} was added")
        if problems:
            raise StreamForgeError(
                "cannot resume this landing area: "
                + "; ".join(problems)
                + ". Pass --fresh to start over (removes what StreamForge wrote there)"
            )
        meta.fingerprint.update(now)  # a new fact simply starts at key 1

    def _drop_manifest_entries(self, doomed: Callable[[dict], bool]) -> None:
        entries = self.landing.read_manifest()
        kept = [e for e in entries if not doomed(e)]
        if len(kept) != len(entries):
            self.landing.rewrite_manifest(kept)


def _stream_entries_from(cycle: int) -> Callable[[dict], bool]:
    """Manifest entries of facts and change feeds written for `cycle` or later (a redone cycle
    writes them again)."""
    return lambda entry: entry.get("kind") != "dimension" and entry.get("cycle", -1) >= cycle
