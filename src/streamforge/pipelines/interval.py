"""The interval and format a landing area was written with, and the watermark that follows from it.

A fact row arrives in the file of its cycle with an event time in that cycle's window (one
interval wide), or, when it is late, up to MAX_LATE_CYCLES intervals earlier. A watermark of
(MAX_LATE_CYCLES + 1) intervals therefore keeps every row the generator writes; one derived from
another interval drops late rows (a 30 s guess over a 120 s run lost 43 keys).
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

from streamforge.plan.times import MAX_LATE_CYCLES
from streamforge.readback import read_manifest
from streamforge.sinks.landing import STATE_PATH

DEFAULT_INTERVAL = 30.0
MIN_WATERMARK_SECONDS = 60


def watermark_seconds(interval: float) -> int:
    """The event-time delay (seconds) a pipeline waits for late rows of a run at `interval` s."""
    if not interval > 0:
        raise ValueError(f"the interval must be positive, not {interval}")
    return max(math.ceil((MAX_LATE_CYCLES + 1) * interval), MIN_WATERMARK_SECONDS)


def landing_interval(landing: str | Path | None) -> float | None:
    """The interval (seconds) of the run that wrote a local landing area: the checkpoint's, else
    the width of a fact's or change feed's event-time window in the manifest; None when the
    landing is not a local folder or says nothing."""
    if landing is None or "://" in str(landing) or not Path(landing).is_dir():
        return None
    root = Path(landing)
    try:
        interval = float(json.loads((root / STATE_PATH).read_text())["meta"]["interval_s"])
        if interval > 0:
            return interval
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no checkpoint (`generate` writes none): the manifest tells
    for entry in read_manifest(root):
        if entry.get("kind") not in ("fact", "change_feed"):
            continue
        try:
            start = datetime.fromisoformat(str(entry["window_start"]).replace("Z", "+00:00"))
            end = datetime.fromisoformat(str(entry["window_end"]).replace("Z", "+00:00"))
        except (KeyError, ValueError):
            continue
        if (seconds := (end - start).total_seconds()) > 0:
            return seconds
    return None


def landing_format(landing: str | Path | None) -> str | None:
    """The file format (csv, json or parquet) a local landing area was written in: the
    checkpoint's, else the manifest's first line; None when the landing is not a local folder or
    says nothing. A pipeline reading another format than the landing's finds no rows."""
    if landing is None or "://" in str(landing) or not Path(landing).is_dir():
        return None
    root = Path(landing)
    try:
        fmt = json.loads((root / STATE_PATH).read_text())["meta"]["format"]
        if isinstance(fmt, str) and fmt:
            return fmt
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no checkpoint (`generate` writes none): the manifest tells
    for entry in read_manifest(root):
        if isinstance(fmt := entry.get("format"), str) and fmt:
            return fmt
    return None
