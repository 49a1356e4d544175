"""Where in a column's [min, max] each value falls: positions t in [0, 1] for each distribution.

Working in positions (t = (value - min) / (max - min)) keeps every distribution finite for any
bounds, ±1.8e308 included, and lets exact types (long, decimal(38,s)) turn positions into integer
offsets without ever holding a value in float64. The shape is the one the column asks for: a
normal with `mean`/`stddev` in value units is a normal in positions with the same parameters
divided by the span.
"""

from __future__ import annotations

import math

import numpy as np

from streamforge.spec.model import ColumnSpec

TINY = 1e-12


def positions(
    col: ColumnSpec, rng: np.random.Generator, rows: int, low: float, high: float, step: float
) -> np.ndarray:
    """Float positions in [0, 1] following the column's distribution between `low` and `high`.

    `step` is the size of one distinct value (1 for integers) for zipf's ranks; 0 means continuous.
    """
    kind = col.distribution
    if kind == "uniform":
        return rng.random(rows)
    half = high / 2 - low / 2  # half the span: finite even when max - min overflows
    if not half > 0:
        return np.zeros(rows)

    def relative(value: float) -> float:
        return (value / 2 - low / 2) / half

    mean = relative(col.mean) if col.mean is not None else None
    std = col.stddev / 2 / half / 2 if col.stddev is not None else None
    if kind == "normal":
        t = rng.normal(0.5 if mean is None else mean, max(std or 1 / 6, TINY), rows)
    elif kind == "lognormal":
        target = max(0.2 if mean is None else mean, TINY)
        spread = std if std is not None else target
        ratio = min(spread / target, 1e150)  # beyond, every draw is past max anyway: no overflow
        sigma2 = math.log1p(ratio**2)
        t = rng.lognormal(math.log(target) - sigma2 / 2, math.sqrt(sigma2), rows)
    elif kind == "exponential":
        scale = mean if mean is not None and mean > 0 else 0.2
        t = rng.exponential(max(scale, TINY), rows)
    elif kind == "zipf":
        ranks = rng.zipf(col.skew or 2.0, rows).astype(np.float64) - 1
        unit = step if step > 0 else 1.0
        width = min(2 * (half / unit), 2.0**62)  # ranks never reach 2^62
        count = math.floor(width) + 1 if step > 0 else width
        t = np.mod(ranks, count) * unit / 2 / half
    else:
        raise ValueError(f"unknown distribution {kind!r}")
    return np.clip(t, 0.0, 1.0, out=t)  # parameters are finite (validated): t has no NaN


def between(t: np.ndarray, low: float, high: float) -> np.ndarray:
    """Float values at positions t (overwritten), without overflow for bounds near ±1.8e308."""
    span = high - low
    if np.isfinite(span):
        t *= span
        t += low
        return np.clip(t, low, high, out=t)
    return np.clip(low * (1 - t) + high * t, low, high)
