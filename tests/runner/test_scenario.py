"""Scenario controls: fault rates, anomaly rates and a burst for the next cycles of a live run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.times import micros

from streamforge import api
from streamforge.engine.late_rows import LateOrigin
from streamforge.engine.load_profile import cycle_rows
from streamforge.engine.scenario import Scenario, apply_scenario
from streamforge.readback import read_manifest

from .conftest import START_US, FakeClock

BURST = Scenario(late_rate=0.3, duplicate_rate=0.2, anomaly_rate=0.25, burst=3.0)


def run_with(out: Path, scenarios: list[Scenario]) -> None:
    """One cycle per scenario, on a clock moved by hand (the same times in every run)."""
    asked = iter(scenarios)
    api.run(
        "Energy",
        out,
        interval=30,
        cycles=len(scenarios),
        scenario=lambda: next(asked),
        clock=FakeClock(),
    )


def test_the_next_cycles_follow_the_scenario_and_the_manifest_says_so(tmp_path: Path) -> None:
    out = tmp_path / "landing"
    run_with(out, [Scenario(), BURST, Scenario()])
    plan = api.load_plan("Energy")
    entries = [e for e in read_manifest(out) if e["kind"] == "fact"]
    by_cycle = {c: [e for e in entries if e["cycle"] == c] for c in (0, 1, 2)}
    assert all("scenario" not in e for e in by_cycle[0] + by_cycle[2])
    for entry in by_cycle[1]:
        assert entry["scenario"] == BURST.to_json()
        spec = plan.table(entry["table"]).spec
        window = (micros(entry["window_start"]), micros(entry["window_end"]))
        # The burst triples the batch, a `profile:` shaping it as usual (engine.load_profile);
        # a fact's duplicates stand in for rows of the batch.
        rule = (spec.profile, spec.num_rows, 3.0, api.DEFAULT_SEED, spec.name, 1, window)
        if spec.profile is not None:  # its late rows follow their own cycle (engine.late_rows)
            late = BURST.late_rate
            assert late is not None
            origin = LateOrigin(*rule[:5], START_US, late)
            assert entry["rows"] == origin.share(1, window).rows
        else:
            assert entry["rows"] == cycle_rows(*rule, START_US)
        assert entry["faults"].get("duplicate", 0) > 0 and entry["faults"].get("late", 0) > 0
    readings = {c: next(e for e in by_cycle[c] if e["table"] == "meter_readings") for c in (0, 1)}
    share = {c: readings[c]["anomalous_rows"] / readings[c]["rows"] for c in (0, 1)}
    assert share[1] > 2 * share[0]  # 0.25 per column against the YAML's few percent
    result = subprocess.run(
        [sys.executable, "-m", "streamforge", "verify", "Energy", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_same_scenarios_give_the_same_files(tmp_path: Path) -> None:
    # Deterministic per (seed, table, cycle): a cycle redone after a crash is the same.
    for name in ("a", "b"):
        run_with(tmp_path / name, [Scenario(), BURST])
    first, second = (read_manifest(tmp_path / n) for n in ("a", "b"))
    assert [(e["file"], e["rows"], e["faults"]) for e in first] == [
        (e["file"], e["rows"], e["faults"]) for e in second
    ]
    for entry in first:
        assert (tmp_path / "a" / entry["file"]).read_bytes() == (
            tmp_path / "b" / entry["file"]
        ).read_bytes()


def test_turning_anomalies_off_keeps_the_rule_action() -> None:
    plan = api.load_plan("Energy")
    quiet = apply_scenario(plan, Scenario(anomaly_rate=0.0))
    for table in quiet.streams:
        for before, after in zip(plan.table(table.name).columns, table.columns, strict=True):
            if before.anomaly_rate > 0:
                assert after.anomaly_rate == 0 and after.expect == (before.expect or "drop")
    assert apply_scenario(plan, Scenario()) is plan


@pytest.mark.parametrize(
    "bad", [{"late_rate": 0.9}, {"burst": 0}, {"burst": 1000}, {"anomaly_rate": float("nan")}]
)
def test_out_of_range_controls_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        Scenario(**bad)
