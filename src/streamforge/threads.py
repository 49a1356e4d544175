"""One pool of threads for all the CPU work of a process: making chunks and encoding them.

A run has two kinds of work: generating chunks ahead of the writer, and encoding chunks that
are ready to be written. Two pools (one each) ran up to four busy threads on a 2-core machine,
and encoding - which frees memory and feeds the file - waited behind generation that was only
running ahead. One pool with as many threads as cores, where encoding goes first, keeps every
core busy with the work that ends soonest.
"""

from __future__ import annotations

import itertools
import math
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

Result = TypeVar("Result")

ENCODE, GENERATE = 0, 1  # priorities: lower runs first


class PriorityPool:
    """Daemon threads that run submitted calls by priority, first come first served within one.

    The threads start on first use and live as long as the process; calls must not wait for
    other calls of the pool (they never do here: only the caller's thread waits on futures).
    """

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._queue: queue.PriorityQueue[tuple[int, int, Callable[[], None]]] = (
            queue.PriorityQueue()
        )
        self._order = itertools.count()
        self._started = 0
        self._lock = threading.Lock()
        if hasattr(os, "register_at_fork"):
            # A forked child has none of the parent's threads: start afresh there.
            os.register_at_fork(after_in_child=self._forget_threads)

    def _forget_threads(self) -> None:
        self._queue = queue.PriorityQueue()
        self._started = 0
        self._lock = threading.Lock()

    def submit(self, priority: int, fn: Callable[..., Result], *args: Any) -> Future[Result]:
        future: Future[Result] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args))
            except BaseException as error:  # handed to whoever waits on the future
                future.set_exception(error)

        self._start_threads()
        self._queue.put((priority, next(self._order), run))
        return future

    def _start_threads(self) -> None:
        if self._started == self.threads:
            return
        with self._lock:
            while self._started < self.threads:
                self._started += 1
                name = f"streamforge-{self._started}"
                threading.Thread(target=self._work, name=name, daemon=True).start()

    def _work(self) -> None:
        while True:
            _, _, run = self._queue.get()
            run()


def usable_cpus(cgroup_root: Path = Path("/sys/fs/cgroup")) -> int:
    """CPUs this process may use: its CPU affinity, capped by a cgroup CPU quota.

    A container (a Databricks App, a Kubernetes pod) often sees every CPU of its host while its
    quota allows two; a thread per host CPU would only take turns on those two.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    quota = _cgroup_quota(cgroup_root)
    return max(1, min(cpus, math.ceil(quota))) if quota else cpus


def _cgroup_quota(root: Path) -> float | None:
    """The CPU quota in CPUs (cgroup v2 `cpu.max`, else v1 `cpu.cfs_quota_us`), or None."""
    try:
        quota, every = (root / "cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(every)
    except (OSError, ValueError):
        pass
    try:
        limit = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return None if limit <= 0 or period <= 0 else limit / period
    except (OSError, ValueError):
        return None


def _pool_threads() -> int:
    """One thread per usable CPU (at least 2), or STREAMFORGE_THREADS if set."""
    configured = os.environ.get("STREAMFORGE_THREADS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(2, usable_cpus())


POOL = PriorityPool(_pool_threads())
