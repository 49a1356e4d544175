"""Faker's word lists and drawn values, kept on disk once per Faker version and locale.

Building the pools costs more than generating a shipped sector: importing Faker, making an
instance, then thousands of seeded calls per provider. The values are a pure function of the
Faker version, the locale and the pool's name (the draws are seeded), so they are cached on disk,
not shipped: a shipped copy would be wrong for any other Faker version a user installs, and a
user's `faker: <provider>` may name any of Faker's hundreds of providers.

One Arrow IPC file per (Faker version, locale) under the user cache dir (cache_dir.py:
$STREAMFORGE_CACHE_DIR, else $XDG_CACHE_HOME/streamforge, else ~/.cache/streamforge): a row per
pool (name, values, weights or null). It is rewritten atomically (temp file, then rename) when a
pool is added; a file that cannot be read is ignored and rebuilt; a folder that cannot be written
only costs the time to build the pools again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import pyarrow as pa

from streamforge.cache_dir import LOCALE, cache_dir, discard, faker_version, temp_name

Values = tuple[Sequence[str], Sequence[float] | None]  # a pool's values and weights (or None)
Cached = tuple[pa.StringArray, list[float] | None]
SCHEMA = pa.schema(
    [("name", pa.string()), ("values", pa.list_(pa.string())), ("weights", pa.list_(pa.float64()))]
)

_lock = threading.Lock()  # chunks are made on worker threads; one builds a missing pool at a time
_loaded: dict[Path, dict[str, Cached]] = {}


def cache_file() -> Path:
    return cache_dir() / f"pools-{faker_version()}-{LOCALE}.arrow"


def pool_values(name: str, build: Callable[[], Values]) -> Cached:
    """The values (and weights) of the pool `name`: from the cache file, else `build()`, which
    is then added to the file. Identical either way: the file holds exactly what `build` made."""
    path = cache_file()
    with _lock:
        pools = _loaded.get(path)
        if pools is None:
            pools = _loaded[path] = _read(path)
        if name not in pools:
            values, weights = build()
            pools[name] = (
                pa.array(list(values), pa.string()),
                None if weights is None else [float(w) for w in weights],
            )
            _write(path, {**_read(path), **pools})  # keep what another process added meanwhile
        return pools[name]


def _read(path: Path) -> dict[str, Cached]:
    """Every pool in the file; empty when it is missing or unreadable (it is then rebuilt)."""
    try:
        table = pa.ipc.open_file(pa.py_buffer(path.read_bytes())).read_all()
        if not table.schema.equals(SCHEMA):
            return {}
        names = table.column("name").to_pylist()
        values = table.column("values")
        weights = table.column("weights").to_pylist()
        return {n: (values[i].values.cast(pa.string()), weights[i]) for i, n in enumerate(names)}
    except (OSError, pa.ArrowException, ValueError, IndexError, TypeError):
        return {}


def _write(path: Path, pools: dict[str, Cached]) -> None:
    names = sorted(pools)
    table = pa.table(
        {
            "name": pa.array(names, pa.string()),
            "values": pa.array([pools[n][0].to_pylist() for n in names], pa.list_(pa.string())),
            "weights": pa.array([pools[n][1] for n in names], pa.list_(pa.float64())),
        },
        schema=SCHEMA,
    )
    temp = temp_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with pa.OSFile(str(temp), "wb") as sink, pa.ipc.new_file(sink, SCHEMA) as writer:
            writer.write_table(table)
        os.replace(temp, path)  # readers see the old file or the new one, never half of one
    except OSError:
        discard(temp)  # a read-only or full cache dir (or a file in its place): build again
