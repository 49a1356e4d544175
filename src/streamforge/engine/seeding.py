"""Every random stream is a pure function of (seed, table, cycle, chunk, column, purpose)."""

from __future__ import annotations

import zlib

import numpy as np

# The generation of values, as a number: bump it in the commit that makes the same seed and YAML
# draw other values (the commit message says "generated values for a seed change"). Each landed
# file records it, so `verify` tells an upgrade (its hidden draws cannot be replayed) from a
# landing that was edited or broken.
VALUES_VERSION = 1

# Rows per chunk. Part of the determinism contract: changing it changes every generated value.
CHUNK_ROWS = 1 << 16

VALUES, NULLS, ANOMALIES, ROWS, STABLE, FAULTS, KEYS, PROFILE = 0, 1, 2, 3, 4, 5, 6, 7
# Late rows of a profiled fact (engine/late_rows.py); *_BEFORE: cycles before the run (< 0),
# for the random streams' cycle numbers must not be negative.
LATE, LATE_BEFORE, PROFILE_BEFORE = 8, 9, 10


def name_code(name: str) -> int:
    """A stable 32-bit code for a name (never Python's salted hash())."""
    return zlib.crc32(name.encode("utf-8"))


def rng_for(
    seed: int, table: str, cycle: int, chunk: int, column: str = "", purpose: int = VALUES
) -> np.random.Generator:
    sequence = np.random.SeedSequence(
        entropy=seed, spawn_key=(name_code(table), cycle, chunk, name_code(column), purpose)
    )
    return np.random.Generator(np.random.PCG64(sequence))


def stable_rng(seed: int, table: str, column: str) -> np.random.Generator:
    """A stream that is the same in every cycle and chunk (e.g. a permutation for unique values)."""
    return rng_for(seed, table, 0, 0, column, STABLE)


def chunk_bounds(rows: int) -> list[tuple[int, int]]:
    """[start, stop) of each fixed-size chunk of a batch of `rows` rows."""
    return [(lo, min(lo + CHUNK_ROWS, rows)) for lo in range(0, rows, CHUNK_ROWS)]
