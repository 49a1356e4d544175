"""Late rows of a fact with a `profile:`: they belong to the cycle of their event time.

A cycle *makes* `cycle_rows` rows (its origin count, shaped by the profile over its own window);
each is late with probability `late_rate` and then lands 1..MAX_LATE_CYCLES cycles later. So a
cycle's *file* holds its on-time rows plus the late rows of the cycles before it, and the rows by
event time are exactly each cycle's origin count: the quiet hours keep their share however busy
the cycle is that their late rows land in. (Drawing late rows among the landing file's own rows,
as for a flat table, gave a quiet hour the late share of the busy hours after it: +17 %.)

Pure functions of (profile, num_rows, scale, seed, table, cycle, window, run start): the count a
cycle sends k cycles ahead is drawn from that origin cycle's own stream, so the file that
receives it computes the same number. Origins before the run (cycle < 0) have their own stream.
A run's last cycle (`final`) receives every late row still due, as change feeds do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from streamforge.engine.load_profile import cycle_rows, event_clock
from streamforge.engine.seeding import LATE, LATE_BEFORE, chunk_bounds, rng_for
from streamforge.plan.times import MAX_LATE_CYCLES
from streamforge.spec.model import LoadProfile


@dataclass(frozen=True, slots=True)
class LateShare:
    """How one cycle's file of a profiled fact splits: its own rows on time, then rows whose
    event time lies k cycles back (`arriving[k - 1]`). Windows are one width apart."""

    profile: LoadProfile
    on_time: int
    arriving: tuple[int, ...]
    window: tuple[int, int]  # the file's own window [start, end), microseconds (UTC)

    @property
    def rows(self) -> int:
        return self.on_time + sum(self.arriving)

    def origin_window(self, back: int) -> tuple[int, int]:
        width = self.window[1] - self.window[0]
        return self.window[0] - back * width, self.window[1] - back * width


@dataclass(frozen=True, slots=True)
class LateOrigin:
    """The inputs of `cycle_rows` for one table: what a late share needs of every cycle."""

    profile: LoadProfile
    num_rows: int
    scale: float
    seed: int
    table: str
    run_start_us: int
    late_rate: float

    def sent(self, cycle: int, window: tuple[int, int]) -> tuple[int, np.ndarray]:
        """(rows the cycle makes, (MAX_LATE_CYCLES,) of them landing 1.. cycles later)."""
        made = cycle_rows(
            self.profile,
            self.num_rows,
            self.scale,
            self.seed,
            self.table,
            cycle,
            window,
            self.run_start_us,
        )
        rng = rng_for(self.seed, self.table, abs(cycle), 0, "", LATE if cycle >= 0 else LATE_BEFORE)
        late = int(rng.binomial(made, self.late_rate)) if made else 0
        ahead = rng.multinomial(late, [1 / MAX_LATE_CYCLES] * MAX_LATE_CYCLES)
        return made, ahead

    def share(self, cycle: int, window: tuple[int, int], final: bool = False) -> LateShare:
        """The file of `cycle` over `window`; `final`: every late row still due lands in it."""
        made, ahead = self.sent(cycle, window)
        width = window[1] - window[0]
        arriving = []
        for back in range(1, MAX_LATE_CYCLES + 1):
            origin = (window[0] - back * width, window[1] - back * width)
            _, sent = self.sent(cycle - back, origin)
            # sent[back - 1] is due now; with `final`, also what is due after this cycle.
            arriving.append(int(sent[back - 1 :].sum() if final else sent[back - 1]))
        on_time = made if final else made - int(ahead.sum())
        return LateShare(self.profile, on_time, tuple(arriving), window)


def late_rows_of_chunk(
    share: LateShare, batch_rows: int, seed: int, table: str, cycle: int, chunk: int
) -> tuple[np.ndarray, np.ndarray]:
    """(positions in the chunk, cycles back) of the chunk's late rows: a uniform random subset of
    the batch (`batch_rows`, normally `share.rows`) of exactly `sum(share.arriving)` rows (so the
    rows left on time are a thinning of the clock's placement), each origin's count exact (capped
    by the batch). O(chunks × MAX_LATE_CYCLES) per chunk."""
    bounds = chunk_bounds(batch_rows)
    lo, hi = bounds[chunk]
    room = np.array([b - a for a, b in bounds], dtype=np.int64)
    rng = rng_for(seed, table, cycle, 0, "split", LATE)
    mine = []
    for wanted in share.arriving:  # how many of each origin fall in each chunk
        count = min(wanted, int(room.sum()))
        split = rng.multivariate_hypergeometric(room, count) if count else np.zeros_like(room)
        room -= split
        mine.append(int(split[chunk]))
    local = rng_for(seed, table, cycle, chunk, "rows", LATE)
    positions = local.choice(hi - lo, sum(mine), replace=False).astype(np.int64)
    back = np.repeat(np.arange(1, len(mine) + 1, dtype=np.int64), mine)
    return positions, back


def late_times(share: LateShare, back: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Event times (µs) of late rows: each placed by the clock of its origin cycle's window
    (`uniform` in [0, 1)), so within that window they follow the profile too."""
    micros = np.zeros(len(back), dtype=np.int64)
    for k in np.unique(back):
        rows = back == k
        lo, hi = share.origin_window(int(k))
        clock = event_clock(share.profile, lo, hi)
        if clock is None:  # no intensity in that window: it made no rows to send
            micros[rows] = lo + (uniform[rows] * (hi - lo)).astype(np.int64)
        else:
            micros[rows] = clock.place(uniform[rows])
    return micros
