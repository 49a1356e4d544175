"""The live runner: cadence, resume, compatibility checks, the lock, and Delta idempotency."""

from __future__ import annotations

import itertools
import json
import threading

import pytest
from deltalake import DeltaTable

from streamforge import api, checkpoint
from streamforge.errors import StreamForgeError
from streamforge.run_events import CycleWritten, Late, RunEvent
from streamforge.sinks.local import LocalLanding

from .conftest import START_US


def _state(dest) -> dict:
    return json.loads((dest / "_streamforge" / "state.json").read_text())


def _verify_clean(dest, schema_dir, sector: str = "Energy") -> None:
    report = api.verify(sector, dest, schema_dir)
    assert report.ok, [str(f) for f in report.findings[:5]]


def test_cycles_follow_the_interval_and_windows_are_contiguous(tmp_path, clock, schema_dir):
    summary = api.run("Energy", tmp_path, schema_dir=schema_dir, interval=30, cycles=4, clock=clock)
    assert [c.cycle for c in summary.cycles] == [0, 1, 2, 3]
    windows = [c.window for c in summary.cycles]
    assert all(end - start == 30_000_000 for start, end in windows)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
    assert windows[0][1] == START_US  # the first cycle covers the interval that just ended
    assert clock.waits == [30.0, 30.0, 30.0]  # waited between cycles, not before the first
    _verify_clean(tmp_path, schema_dir)


def test_a_second_run_continues_without_reusing_keys(tmp_path, clock, schema_dir):
    api.run("Energy", tmp_path, schema_dir=schema_dir, interval=30, cycles=2, clock=clock)
    first = _state(tmp_path)
    clock.advance(5)
    summary = api.run("Energy", tmp_path, schema_dir=schema_dir, interval=30, cycles=2, clock=clock)
    assert summary.resumed
    assert [c.cycle for c in summary.cycles] == [2, 3]
    assert not summary.dimensions, "dimensions are written once per landing area"
    second = _state(tmp_path)
    for table, key in first["next_row_key"].items():
        assert second["next_row_key"][table] > key
    dimension_files = list((tmp_path / "customer").iterdir())
    assert len(dimension_files) == 1
    _verify_clean(tmp_path, schema_dir)


def test_resume_after_downtime_does_not_backfill(tmp_path, clock, schema_dir):
    api.run("Energy", tmp_path, schema_dir=schema_dir, interval=30, cycles=1, clock=clock)
    clock.advance(3600)
    events = []
    summary = api.run(
        "Energy",
        tmp_path,
        schema_dir=schema_dir,
        interval=30,
        cycles=1,
        clock=clock,
        listener=events.append,
    )
    assert any(isinstance(e, Late) for e in events)
    assert summary.cycles[0].window[1] == clock.now  # the current window, not an hour ago


def test_stop_event_ends_the_run_between_cycles(tmp_path, clock, schema_dir):
    stop = threading.Event()

    def listener(event: RunEvent) -> None:
        if isinstance(event, CycleWritten) and event.report.cycle == 1:
            stop.set()

    summary = api.run(
        "Energy",
        tmp_path,
        schema_dir=schema_dir,
        interval=30,
        clock=clock,
        stop=stop,
        listener=listener,
    )
    assert summary.stopped
    assert [c.cycle for c in summary.cycles] == [0, 1]
    assert _state(tmp_path)["next_cycle"] == 2


def test_changed_seed_or_removed_table_is_refused_with_a_hint(tmp_path, clock, schema_dir):
    api.run("Energy", tmp_path, schema_dir=schema_dir, interval=30, cycles=1, clock=clock)
    with pytest.raises(StreamForgeError, match=r"--seed 42.*--fresh"):
        api.run("Energy", tmp_path, schema_dir=schema_dir, seed=7, cycles=1, clock=clock)
    sector = tmp_path.parent / "schema_copy" / "Energy"
    sector.mkdir(parents=True)
    for f in (schema_dir / "Energy").iterdir():
        if f.name != "outage_events.yml":
            (sector / f.name).write_bytes(f.read_bytes())
    with pytest.raises(StreamForgeError, match=r"outage_events was removed.*--fresh"):
        api.run("Energy", tmp_path, schema_dir=sector.parent, cycles=1, clock=clock)
    summary = api.run(
        "Energy", tmp_path, schema_dir=sector.parent, cycles=1, clock=clock, fresh=True
    )
    assert not summary.resumed and summary.dimensions
    assert not (tmp_path / "outage_events").exists()


def test_second_runner_on_the_same_landing_is_refused(tmp_path, clock, schema_dir):
    with (
        LocalLanding(tmp_path).lock("a test holding the lock"),
        pytest.raises(StreamForgeError, match="in use by a test holding the lock"),
    ):
        api.run("Energy", tmp_path, schema_dir=schema_dir, cycles=1, clock=clock)


def test_crash_after_files_before_checkpoint_redoes_the_cycle_identically(
    tmp_path, clock, schema_dir, monkeypatch
):
    api.run("Energy", tmp_path, schema_dir=schema_dir, interval=30, cycles=1, clock=clock)
    real_save = checkpoint.save

    def crash_after_cycle(landing, state, meta, entities_changed):
        if entities_changed and meta.pending_cycle is None and state.next_cycle == 2:
            raise RuntimeError("power cut")
        real_save(landing, state, meta, entities_changed)

    monkeypatch.setattr(checkpoint, "save", crash_after_cycle)
    with pytest.raises(RuntimeError):
        api.run("Energy", tmp_path, schema_dir=schema_dir, interval=30, cycles=1, clock=clock)
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*/*-c000001-*")}
    assert len(before) == 4  # every stream table of cycle 1 was written before the crash
    monkeypatch.setattr(checkpoint, "save", real_save)
    clock.advance(600)  # the redo must use the recorded window, not the current time
    summary = api.run("Energy", tmp_path, schema_dir=schema_dir, interval=30, cycles=1, clock=clock)
    assert [c.cycle for c in summary.cycles] == [1]
    after = {p.name: p.read_bytes() for p in tmp_path.glob("*/*-c000001-*")}
    assert after == before
    manifest = LocalLanding(tmp_path).read_manifest()
    assert sum(1 for e in manifest if e["cycle"] == 1) == 4  # no duplicate entries
    # The redone change-feed file holds change rows held back in cycle 0 (from the checkpoint).
    (feed,) = (e for e in manifest if e["table"] == "customer_changes" and e["cycle"] == 1)
    assert feed["faults"]["late"] > 0
    _verify_clean(tmp_path, schema_dir)


def test_delta_redo_is_not_appended_twice(tmp_path, clock, schema_dir, monkeypatch):
    real_save = checkpoint.save

    def crash_after_cycle(landing, state, meta, entities_changed):
        if entities_changed and meta.pending_cycle is None and state.next_cycle == 2:
            raise RuntimeError("power cut")
        real_save(landing, state, meta, entities_changed)

    monkeypatch.setattr(checkpoint, "save", crash_after_cycle)
    with pytest.raises(RuntimeError):
        api.run(
            "Energy",
            tmp_path,
            schema_dir=schema_dir,
            fmt="delta",
            interval=30,
            cycles=3,
            clock=clock,
        )
    monkeypatch.setattr(checkpoint, "save", real_save)
    api.run(
        "Energy", tmp_path, schema_dir=schema_dir, fmt="delta", interval=30, cycles=2, clock=clock
    )
    table = DeltaTable(str(tmp_path / "electricity_production"))
    assert table.transaction_version("streamforge") == 2
    assert table.to_pyarrow_table().num_rows == 3 * 1000  # cycles 0, 1, 2: cycle 1 once
    _verify_clean(tmp_path, schema_dir)


def test_late_change_rows_survive_a_restart(tmp_path, schema_dir):
    """Energy's customer_changes holds late rows back: a run stopped and restarted writes the
    same files, byte for byte, as one that never stopped, and the held rows land on time."""
    from streamforge.verify import compare_entities, verify_landing

    from .conftest import FakeClock

    whole, split = tmp_path / "whole", tmp_path / "split"
    api.run("Energy", whole, schema_dir=schema_dir, cycles=6, clock=FakeClock())
    clock = FakeClock()
    api.run("Energy", split, schema_dir=schema_dir, cycles=3, clock=clock)
    held = _state(split)["held"]
    assert held == ["customer_changes"]  # precondition: rows are in flight across the restart
    state, _ = checkpoint.load(LocalLanding(split))
    in_flight = set(state.held["customer_changes"].column("change_id").to_pylist())
    # verify needs the rows in flight: the landed rows alone do not rebuild the source state.
    _verify_clean(split, schema_dir)
    report = verify_landing(split, api.load_plan("Energy", schema_dir))
    compare_entities(
        report, {"customer": state.entities["customer"].table}, {"customer": "customer_id"}
    )
    assert not report.ok
    api.run("Energy", split, schema_dir=schema_dir, cycles=3, clock=clock)
    files = sorted(p.relative_to(whole) for p in whole.glob("[!_]*/*.*"))
    assert files == sorted(p.relative_to(split) for p in split.glob("[!_]*/*.*"))
    for path in files:
        assert (whole / path).read_bytes() == (split / path).read_bytes(), path
    landed = set()
    for path in (split / "customer_changes").glob("*-c00000[3-5]-*"):
        landed |= {json.loads(line)["change_id"] for line in path.read_text().splitlines()}
    assert in_flight and in_flight <= landed
    _verify_clean(split, schema_dir)
