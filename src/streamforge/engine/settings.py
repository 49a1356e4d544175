"""The settings of one run: what the engine needs to make rows, and what the runner needs to
decide when to stop. One type for `generate`, `run`, previews and estimates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from streamforge.plan.times import MICROS

if TYPE_CHECKING:
    from streamforge.engine.scenario import Scenario
    from streamforge.plan import TablePlan
    from streamforge.spec.model import LoadProfile


@dataclass(frozen=True, slots=True)
class RunSettings:
    """Seed, start, pace and size of a run, and when a live run stops.

    The engine reads `seed`, `start_us`, `interval_s`, `scale`, `workers` and `history_years`;
    the runner also reads `cycles`, `duration_s`, `fresh`, `break_lock` and `scenario`.
    """

    seed: int
    # Event time (microseconds since the epoch) where cycle 0 begins; the engine needs it set.
    # A live run leaves it unset: its start is its clock's time when it first starts (then kept
    # in its checkpoint), and its cycles follow the clock.
    start_us: int | None = None
    interval_s: float = 30.0
    scale: float = 1.0  # multiplies every table's num_rows
    workers: int = 1  # threads making chunks; the rows do not depend on it
    history_years: int = 5  # how far before the start dimension timestamps reach
    cycles: int | None = None  # a live run stops after this many cycles of this invocation
    duration_s: float | None = None  # ... or after this many seconds
    fresh: bool = False  # clear what an earlier run wrote before starting
    break_lock: bool = False  # take over the landing's lock even if its holder may be alive
    scenario: Callable[[], Scenario] | None = None  # read before each new cycle (app controls)
    # Follow each table's `profile:` (rows per cycle, event times); off for samples (previews,
    # byte estimates), which want a table's average rows whatever the hour.
    profiles: bool = True

    def start(self) -> int:
        """`start_us`; ValueError when it was left unset (only a live run may leave it unset)."""
        if self.start_us is None:
            raise ValueError("RunSettings.start_us is unset: the engine needs the run's start")
        return self.start_us

    def window(self, cycle: int) -> tuple[int, int]:
        """Event-time window [start, end) of `cycle` in microseconds, one interval wide."""
        step = int(self.interval_s * MICROS)
        return self.start() + cycle * step, self.start() + (cycle + 1) * step

    def rows(self, table: TablePlan, cycle: int = 0, window: tuple[int, int] | None = None) -> int:
        """A dimension's rows (at least one); a fact's or change feed's rows in `cycle` over
        `window` (the cycle's own by default), shaped by its `profile:` (engine.load_profile)."""
        from streamforge.engine.load_profile import cycle_rows

        return cycle_rows(
            self.profile(table),
            table.spec.num_rows,
            self.scale,
            self.seed,
            table.name,
            cycle,
            window or self.window(cycle),
            self.start(),
        )

    def profile(self, table: TablePlan) -> LoadProfile | None:
        """The table's `profile:` when this run follows it (never a dimension's)."""
        return table.spec.profile if self.profiles and table.kind != "dimension" else None
