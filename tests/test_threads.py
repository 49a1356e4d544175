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


def test_a_cgroup_cpu_quota_caps_the_threads(tmp_path, monkeypatch) -> None:
    import os

    from streamforge import threads

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert threads.usable_cpus(tmp_path) == 64  # no cgroup files: the affinity counts
    (tmp_path / "cpu.max").write_text("250000 100000\n")  # v2: 2.5 CPUs
    assert threads.usable_cpus(tmp_path) == 3
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert threads.usable_cpus(tmp_path) == 64
    (tmp_path / "cpu.max").unlink()
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("200000\n")  # v1: 2 CPUs
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert threads.usable_cpus(tmp_path) == 2
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")  # v1: no quota
    assert threads.usable_cpus(tmp_path) == 64


def test_the_thread_count_can_be_set(monkeypatch) -> None:
    from streamforge import threads

    monkeypatch.setenv("STREAMFORGE_THREADS", "5")
    assert threads._pool_threads() == 5
    monkeypatch.setenv("STREAMFORGE_THREADS", "lots")  # not a count: the default
    assert threads._pool_threads() == max(2, threads.usable_cpus())


def test_a_forked_child_gets_threads_of_its_own() -> None:
    import multiprocessing

    POOL.submit(ENCODE, int).result(timeout=10)  # the parent's threads are running
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as children:
        assert children.apply(_sum_on_the_pool, ([1, 2, 3],)) == 6


def _sum_on_the_pool(numbers: list[int]) -> int:
    return POOL.submit(GENERATE, sum, numbers).result(timeout=10)
