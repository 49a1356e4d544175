"""One DuckDB connection per thread, closed before a fork (no pyarrow here: `validate` binds
expressions through it, see expr/bind.py).

Each thread has its own single-threaded connection: the engine already runs chunks in parallel.
"""

from __future__ import annotations

import os
import threading

import duckdb

_local = threading.local()


def connection() -> duckdb.DuckDBPyConnection:
    """This thread's connection (made on first use, and again after a fork)."""
    held = getattr(_local, "held", None)
    if held is None or held[0] != _opened.generation:
        con = duckdb.connect(config={"threads": 1})
        with _opened.lock:
            _opened.connections.append(con)
            held = _local.held = (_opened.generation, con)
    return held[1]


class _Opened:
    """Every open connection, so that a fork can close them first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connections: list[duckdb.DuckDBPyConnection] = []
        self.generation = 0

    def close_all(self) -> None:
        # A child forked while DuckDB connections are open in other threads dies with a
        # segmentation fault (multiprocessing's fork pool, pyspark starting its JVM through a
        # preexec_fn). Closing them before the fork avoids it; each thread then opens a new one.
        with self.lock:
            self.generation += 1
            for con in self.connections:
                con.close()
            self.connections.clear()


_opened = _Opened()
os.register_at_fork(before=_opened.close_all)
