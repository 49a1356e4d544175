"""Running totals carry across cycles in the checkpoint: a run that dies after writing a cycle's
files but before its checkpoint (what kill -9 leaves: the older checkpoint), or that is stopped
and started again, continues with the balances a straight run writes."""

from __future__ import annotations

import pytest

from streamforge import api, checkpoint

from .conftest import FakeClock


def _transactions(dest) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((dest / "transactions").iterdir())}


def _run(dest, schema_dir, clock, cycles):
    return api.run(
        "Finance",
        dest,
        schema_dir=schema_dir,
        interval=30,
        cycles=cycles,
        clock=clock,
        fmt="parquet",
    )


def test_a_killed_run_resumes_with_the_straight_runs_balances(tmp_path, schema_dir, monkeypatch):
    straight = tmp_path / "straight"
    _run(straight, schema_dir, FakeClock(), 4)
    killed, clock = tmp_path / "killed", FakeClock()
    real_save = checkpoint.save

    def die_before_checkpoint(landing, state, meta, entities_changed):
        if entities_changed and meta.pending_cycle is None and state.next_cycle == 3:
            raise RuntimeError("kill -9")  # cycle 2's files are written, its checkpoint is not
        real_save(landing, state, meta, entities_changed)

    monkeypatch.setattr(checkpoint, "save", die_before_checkpoint)
    with pytest.raises(RuntimeError):
        _run(killed, schema_dir, clock, 4)
    monkeypatch.setattr(checkpoint, "save", real_save)
    summary = _run(killed, schema_dir, clock, 2)
    assert summary.resumed and [c.cycle for c in summary.cycles] == [2, 3]
    assert _transactions(killed) == _transactions(straight)
    report = api.verify("Finance", killed, schema_dir)
    assert report.ok, [str(f) for f in report.findings[:5]]


def test_a_stopped_run_continues_the_chain(tmp_path, schema_dir):
    straight = tmp_path / "straight"
    _run(straight, schema_dir, FakeClock(), 4)
    stopped, clock = tmp_path / "stopped", FakeClock()
    _run(stopped, schema_dir, clock, 2)
    clock.advance(30)  # what the straight run waits before its third cycle
    assert [c.cycle for c in _run(stopped, schema_dir, clock, 2).cycles] == [2, 3]
    assert _transactions(stopped) == _transactions(straight)
