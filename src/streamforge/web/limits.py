"""Bounds on what one app run may ask for, checked before it starts.

A shared app (a Databricks App serves everyone with workspace access) must not let one form submit
fill the Volume or pin the CPU: the interval, the scale and the rows a run writes are bounded, and
a local destination must have room for the dimensions and a first cycle. Each bound has a default
and an environment variable to change it.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from streamforge.errors import StreamForgeError
from streamforge.estimate import RunEstimate

MIB = 1024 * 1024


class RunTooLarge(StreamForgeError):
    """A run beyond the app's limits or the destination's free space (the web API answers 400)."""


@dataclass(frozen=True, slots=True)
class RunLimits:
    min_interval_s: float = 1.0
    max_scale: float = 1_000.0
    max_rows_per_cycle: int = 10_000_000  # facts and change feeds, every cycle
    max_dimension_rows: int = 50_000_000  # every dimension, written once

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RunLimits:
        """`STREAMFORGE_MAX_SCALE`, `STREAMFORGE_MAX_ROWS_PER_CYCLE`,
        `STREAMFORGE_MAX_DIMENSION_ROWS`, `STREAMFORGE_MIN_INTERVAL` (seconds); defaults otherwise.

        Raises:
            StreamForgeError: a setting that is not a positive number.
        """
        default = cls()
        return cls(
            min_interval_s=_positive(env, "STREAMFORGE_MIN_INTERVAL", default.min_interval_s),
            max_scale=_positive(env, "STREAMFORGE_MAX_SCALE", default.max_scale),
            max_rows_per_cycle=int(
                _positive(env, "STREAMFORGE_MAX_ROWS_PER_CYCLE", default.max_rows_per_cycle)
            ),
            max_dimension_rows=int(
                _positive(env, "STREAMFORGE_MAX_DIMENSION_ROWS", default.max_dimension_rows)
            ),
        )

    def check(self, interval: float, scale: float, estimate: RunEstimate) -> None:
        """Raise RunTooLarge naming the first bound the run breaks."""
        if interval < self.min_interval_s:
            raise RunTooLarge(
                f"interval: {interval:g} s is below the minimum {self.min_interval_s:g} s"
            )
        if scale > self.max_scale:
            raise RunTooLarge(f"scale: {scale:g} is above the maximum {self.max_scale:g}")
        if estimate.peak_cycle_rows > self.max_rows_per_cycle:  # a busy hour, a burst
            raise RunTooLarge(
                f"scale: {estimate.peak_cycle_rows:,} rows in the busiest cycle is above the "
                f"limit of "
                f"{self.max_rows_per_cycle:,} (STREAMFORGE_MAX_ROWS_PER_CYCLE); lower the scale"
            )
        if estimate.dimension_rows > self.max_dimension_rows:
            raise RunTooLarge(
                f"scale: {estimate.dimension_rows:,} dimension rows is above the limit of "
                f"{self.max_dimension_rows:,} (STREAMFORGE_MAX_DIMENSION_ROWS); lower the scale"
            )


def check_free_space(destination: Path, estimate: RunEstimate) -> None:
    """Refuse a local run whose dimensions and busiest cycle do not fit on its disk."""
    needed = estimate.dimension_bytes + estimate.peak_cycle_bytes
    existing = destination
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    if needed > free:
        raise RunTooLarge(
            f"{destination}: the dimensions and one cycle need about {needed / MIB:,.1f} MiB, "
            f"but only {free / MIB:,.1f} MiB are free there; lower the scale or free space"
        )


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name)
    if text is None or text == "":
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise StreamForgeError(f"{name}={text!r}: expected a positive number")
    return value
