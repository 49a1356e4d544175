"""The shared pool: calls run by priority, then in order; results and errors reach the caller."""

from __future__ import annotations

import threading

import pytest

from streamforge.threads import ENCODE, GENERATE, POOL, PriorityPool


def test_encoding_runs_before_generation_queued_earlier() -> None:
    pool = PriorityPool(1)
    gate, order = threading.Event(), []
    blocker = pool.submit(GENERATE, gate.wait)  # holds the only thread while the queue fills
    later = [pool.submit(GENERATE, order.append, f"generate-{i}") for i in range(3)]
    first = [pool.submit(ENCODE, order.append, f"encode-{i}") for i in range(2)]
    gate.set()
    for future in [blocker, *later, *first]:
        future.result(timeout=10)
    assert order == ["encode-0", "encode-1", "generate-0", "generate-1", "generate-2"]


def test_results_and_errors_reach_whoever_waits() -> None:
    assert POOL.submit(ENCODE, sum, [1, 2, 3]).result(timeout=10) == 6

    def fail() -> None:
        raise ValueError("broken chunk")

    with pytest.raises(ValueError, match="broken chunk"):
        POOL.submit(GENERATE, fail).result(timeout=10)
    assert POOL.submit(ENCODE, len, "still works").result(timeout=10) == 11  # thread survived


def test_threads_start_on_first_use_only() -> None:
    pool = PriorityPool(3)
    before = set(threading.enumerate())
    assert pool.submit(ENCODE, threading.current_thread).result(timeout=10).daemon
    started = set(threading.enumerate()) - before
    assert len(started) == 3
    pool.submit(ENCODE, int).result(timeout=10)
    assert set(threading.enumerate()) - before == started
