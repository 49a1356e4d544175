"""The settings of one run: what the engine needs to make rows, and what the runner needs to
decide when to stop. One type for `generate`, `run`, previews and estimates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from streamforge.plan.times import MICROS, iso_micros

if TYPE_CHECKING:
    from streamforge.engine.late_rows import LateShare
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

    def rows(
        self,
        table: TablePlan,
        cycle: int = 0,
        window: tuple[int, int] | None = None,
        final: bool = False,
    ) -> int:
        """A dimension's rows (at least one); a fact's or change feed's rows in `cycle` over
        `window` (the cycle's own by default), shaped by its `profile:` (engine.load_profile).
        A profiled fact with `late_rate`: its file's rows, late rows of earlier cycles included
        (engine.late_rows); `final`: the run's last cycle, where every late row still due lands."""
        from streamforge.engine.load_profile import cycle_rows

        share = self.late_share(table, cycle, window, final)
        if share is not None:
            return share.rows
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

    def late_share(
        self,
        table: TablePlan,
        cycle: int,
        window: tuple[int, int] | None = None,
        final: bool = False,
    ) -> LateShare | None:
        """How a profiled fact's file with `late_rate` splits into on-time and late rows; None
        for any other table (its late rows are drawn among the file's own, engine.event_faults)."""
        from streamforge.engine.late_rows import LateOrigin

        profile = self.profile(table)
        if profile is None or table.kind != "fact" or not table.spec.late_rate:
            return None
        spec = table.spec
        origin = LateOrigin(
            profile, spec.num_rows, self.scale, self.seed, table.name, self.start(), spec.late_rate
        )
        return origin.share(cycle, window or self.window(cycle), final)

    def run_record(
        self, table: TablePlan, cycle: int, window: tuple[int, int] | None, final: bool = False
    ) -> dict[str, object]:
        """What `verify` needs to judge a batch's row count, for its manifest line: the seed,
        the scale (a live run's scenario burst included), the run's start (a trend compounds
        from it) and `expected_rows`, the rows the table's rule expects in the cycle before
        rounding, bursts and late rows: num_rows × scale × the profile's mean intensity over
        the window × the trend (num_rows × scale without a profile); `final` (only when true):
        the last cycle of a finite run, where every late row still due landed."""
        from streamforge.engine.load_profile import expected_rows

        profile = self.profile(table)
        if table.kind == "dimension" or profile is None:
            expected = table.spec.num_rows * self.scale
        else:
            window = window or self.window(cycle)
            expected = expected_rows(profile, table.spec.num_rows, self.scale, window, self.start())
        start = self.start_us if self.start_us is not None else 0
        return {
            "seed": self.seed,
            "scale": self.scale,
            "run_start": iso_micros(start),
            "expected_rows": round(expected, 6),
            **({"final": True} if final else {}),
        }

    def profile(self, table: TablePlan) -> LoadProfile | None:
        """The table's `profile:` when this run follows it (never a dimension's)."""
        return table.spec.profile if self.profiles and table.kind != "dimension" else None
