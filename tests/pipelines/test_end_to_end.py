"""Proof that the generated `spark` pipeline ingests what the generator wrote, exactly.

Three cycles of Energy (anomalies, duplicates, late rows and a change feed with deletes) are run
through the generated pipeline on a real local Spark, then two more cycles and an incremental run.
Every layer is compared with what the generator knows: the landing files, the manifest, and the
checkpointed expected pipeline state. Energy's change feed has all three event-time faults (late
rows land cycles later, duplicates, rows out of order) and its dimension an attribute with an
anomaly rate and `expect: drop`, so the pipeline must apply the change-feed rule of the README:
snapshot and change rows obey the same drop rules, DELETE rows are judged on keys and sequence
only, and `SEQUENCE BY` orders whatever arrives.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from tests.times import FakeClock

from streamforge import api, checkpoint
from streamforge.engine.pipeline_state import current_rows
from streamforge.engine.rules import violations
from streamforge.pipelines.local_spark import read_table, run_pipeline, spark_available
from streamforge.pipelines.model import build_model
from streamforge.pipelines.quality import compare, read_spark_metrics
from streamforge.readback import read_landing, read_manifest
from streamforge.sinks.local import LocalLanding

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema"
FACTS = ("electricity_production", "meter_readings", "outage_events")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not spark_available(), reason="needs pyspark[pipelines] and Java"),
]


def generate(landing: Path, clock: FakeClock, cycles: int) -> None:
    api.run(
        "Energy", landing, schema_dir=SCHEMA, interval=30, cycles=cycles, scale=0.3, clock=clock
    )


@pytest.mark.parametrize("language", ["python", "sql"])
def test_generated_spark_pipeline_ingests_exactly_what_was_generated(tmp_path, language):
    landing, project, work = tmp_path / "landing", tmp_path / "project", tmp_path / "work"
    clock = FakeClock()
    generate(landing, clock, 3)
    api.pipeline(
        "Energy",
        project,
        schema_dir=SCHEMA,
        target="spark",
        language=language,
        landing=str(landing),
        scd=2,
    )
    run_pipeline(project, work)
    check_layers(landing, work)
    generate(landing, clock, 2)  # two more cycles, then an incremental run
    run_pipeline(project, work)
    check_layers(landing, work)
    check_the_run_exercises_the_rules(landing)
    reland_snapshot(landing / "plant")  # a dimension without a change feed lands again
    run_pipeline(project, work)
    check_relanded(landing / "plant", work)


def reland_snapshot(folder: Path) -> None:
    """Write the plant snapshot again under a new name, every operator renamed: what a second
    landing of a dimension (a re-export, a fix) looks like to the pipeline."""
    (first,) = sorted(folder.glob("*.json"))
    rows = [json.loads(line) for line in first.read_text(encoding="utf-8").splitlines()]
    lines = [json.dumps({**row, "operator": f"relanded {row['plant_id']}"}) for row in rows]
    (folder / "plant-c000000-relanded.json").write_text("\n".join(lines) + "\n", "utf-8")


def check_relanded(folder: Path, work: Path) -> None:
    """One row per key, from the newest landing; gold joins count each fact once."""
    plant = read_table(work, "plant")
    keys = plant.column("plant_id").to_pylist()
    assert len(keys) == len(set(keys)), "a snapshot landing again duplicated dimension keys"
    first = next(p for p in sorted(folder.glob("*.json")) if "relanded" not in p.name)
    assert len(keys) == len(first.read_text(encoding="utf-8").splitlines())
    assert all(r["operator"] == f"relanded {r['plant_id']}" for r in plant.to_pylist())
    facts = read_table(work, "silver_electricity_production").num_rows
    by_type = read_table(work, "gold_electricity_production_by_plant_type")
    assert sum(by_type.column("events").to_pylist()) == facts


def check_layers(landing: Path, work: Path) -> None:
    plan = api.load_plan("Energy", SCHEMA)
    landed = read_landing(landing, plan)
    for table in plan.tables:
        rows = sum(f.data.num_rows for f in landed[table.name])
        assert read_table(work, f"bronze_{table.name}").num_rows == rows, table.name
    for name in (*FACTS, "customer_changes", "customer"):
        check_silver(plan, landed, work, name)
    check_dimension(plan, landed, landing, work)
    check_gold(plan, landed, work)
    check_quality(plan, landing, work)


def check_quality(plan, landing: Path, work: Path) -> None:
    """Closed loop: every rule failed exactly the rows the manifest says were made to break it
    (anomalies of its column, duplicates for unique_<key>), and zero where none were injected."""
    model = build_model(plan)
    checks = compare(model, read_manifest(landing), read_spark_metrics(work))
    assert checks and all(c.caught is not None for c in checks), "a dataset has no metrics"
    drop = [c for c in checks if c.action == "drop"]
    assert any(c.injected for c in drop), "the landing injected nothing a drop rule catches"
    wrong = [c for c in checks if not c.ok]
    assert not wrong, wrong


def expected_silver(plan, landed, name: str) -> tuple[pa.Table, Counter]:
    """Silver and quarantine computed with pyarrow from the landing files."""
    table = plan.table(name)
    data = pa.concat_tables([f.data for f in landed[name]])
    drop = [c for c in table.columns if c.anomaly_rate > 0 and (c.expect or "drop") == "drop"]
    failed = np.zeros(data.num_rows, dtype=bool)
    for col in drop:
        broken = violations(col, data.column(col.name).combine_chunks(), col.null_rate == 0)
        if table.feed is not None and col.name not in table.feed.role_columns:
            # README, Change feeds: a DELETE row is judged on its keys and sequence only.
            broken &= data.column(table.feed.type_column).to_numpy(zero_copy_only=False) != "DELETE"
        failed |= broken
    passing = data.filter(pa.array(~failed))
    keys = passing.column(table.primary_key).to_numpy()
    _, first = np.unique(keys, return_index=True)
    silver = passing.take(pa.array(np.sort(first)))
    reasons = Counter({"duplicate": passing.num_rows - silver.num_rows})
    if failed.any():
        reasons["rules"] = int(failed.sum())
    bad_keys = data.filter(pa.array(failed)).column(table.primary_key).to_numpy()
    reasons["duplicates_of_failed"] = len(bad_keys) - len(np.unique(bad_keys))
    return silver, reasons


def check_silver(plan, landed, work: Path, name: str) -> None:
    silver, reasons = expected_silver(plan, landed, name)
    actual = read_table(work, f"silver_{name}")
    key = plan.table(name).primary_key
    assert actual.num_rows == silver.num_rows, name
    assert sorted(actual.column(key).to_pylist()) == sorted(silver.column(key).to_pylist())
    key_rule = f"unique_{key}"
    failed = read_table(work, f"quarantine_{name}").column("_failed_rules").to_pylist()
    assert all(failed), f"{name}: a quarantined row must name the rules it failed"
    repeated = sum(key_rule in rules for rules in failed)
    assert repeated == reasons["duplicate"] + reasons["duplicates_of_failed"], name
    assert sum(any(r != key_rule for r in rules) for rules in failed) == reasons.get("rules", 0)
    # Exactly what the manifest announced: every duplicate is quarantined (a copy of an
    # anomalous row under its rule), and the rule rows are the anomalies of drop columns.
    manifest = [f.manifest for f in landed[name]]
    announced = sum(m.get("faults", {}).get("duplicate", 0) for m in manifest)
    assert reasons["duplicate"] + reasons["duplicates_of_failed"] == announced, name
    drop = [
        c.name
        for c in plan.table(name).columns
        if c.anomaly_rate > 0 and (c.expect or "drop") == "drop"
    ]
    if len(drop) == 1:  # one drop column: its anomaly count is the number of rows it fails
        anomalies = sum(m.get("anomalies", {}).get(drop[0], 0) for m in manifest)
        assert reasons.get("rules", 0) == anomalies, name


def check_dimension(plan, landed, landing: Path, work: Path) -> None:
    """The pipeline's dimension is the generator's expected pipeline state, row for row."""
    state, _ = checkpoint.load(LocalLanding(landing))
    expected = current_rows(state.expected["customer"])
    current = read_table(work, "customer")
    assert sorted(current.column("customer_id").to_pylist()) == sorted(
        expected.column("customer_id").to_pylist()
    )
    by_key = {r["customer_id"]: r for r in expected.to_pylist()}
    for row in current.to_pylist():
        assert row == {k: by_key[row["customer_id"]][k] for k in row}, row["customer_id"]
    history = read_table(work, "customer_history")
    open_rows = history.filter(pc.is_null(history.column("__END_AT")))
    assert sorted(open_rows.column("customer_id").to_pylist()) == sorted(by_key)


def check_the_run_exercises_the_rules(landing: Path) -> None:
    """Preconditions: without them the comparisons above could pass by luck."""
    plan = api.load_plan("Energy", SCHEMA)
    landed = read_landing(landing, plan)
    state, _ = checkpoint.load(LocalLanding(landing))
    faults = Counter()
    for f in landed["customer_changes"]:
        faults.update(f.manifest.get("faults", {}))
    assert faults["late"] and faults["duplicate"] and faults["out_of_order"], faults
    assert state.held.get("customer_changes") is not None  # late rows still in flight
    # The drop rule removes rows, so the pipeline's dimension is not the source dimension.
    source = set(state.entities["customer"].table.column("customer_id").to_pylist())
    pipeline = set(current_rows(state.expected["customer"]).column("customer_id").to_pylist())
    assert source != pipeline
    col = plan.table("customer").spec.column("billing_cycle_day")
    data = pa.concat_tables([f.data for f in landed["customer_changes"]])
    broken = violations(col, data.column(col.name).combine_chunks(), True)
    ops = data.column("change_type").to_numpy(zero_copy_only=False)
    assert {"INSERT", "UPDATE", "DELETE"} <= set(ops[broken]), Counter(ops[broken])


def check_gold(plan, landed, work: Path) -> None:
    silver, _ = expected_silver(plan, landed, "meter_readings")
    hourly = read_table(work, "gold_meter_readings_hourly")
    hours = pc.floor_temporal(silver.column("reading_time"), unit="hour")
    expected = (
        pa.table({"hour": hours, "kwh": silver.column("kwh_consumed")})
        .group_by("hour")
        .aggregate([("kwh", "count"), ("kwh", "sum")])
    )
    got = {r["hour"]: (r["events"], r["total_kwh_consumed"]) for r in hourly.to_pylist()}
    want = {r["hour"]: (r["kwh_count"], r["kwh_sum"]) for r in expected.to_pylist()}
    assert got.keys() == want.keys()
    for hour, (events, total) in want.items():
        assert got[hour][0] == events
        assert got[hour][1] == pytest.approx(total)
    state_customers = read_table(work, "customer")
    segment = dict(
        zip(
            state_customers.column("customer_id").to_pylist(),
            state_customers.column("customer_segment").to_pylist(),
            strict=True,
        )
    )
    counts = Counter(segment.get(k) for k in silver.column("customer_id").to_pylist())
    by_segment = read_table(work, "gold_meter_readings_by_customer_segment")
    got_counts = {r["customer_segment"]: r["events"] for r in by_segment.to_pylist()}
    assert got_counts == dict(counts)
    # As of the reading time (--scd 2): every reading once, beside exactly one customer version,
    # through late, repeated, out-of-order and deleting changes.
    as_of = read_table(work, "gold_meter_readings_as_of")
    readings = silver.column("reading_id").to_pylist()
    assert sorted(as_of.column("reading_id").to_pylist()) == sorted(readings)
    assert as_of.column("customer_segment").null_count < as_of.num_rows // 10


@pytest.mark.parametrize("language", ["python", "sql"])
def test_spark_target_passes_dry_run(tmp_path, language):
    for sector in ("Retail", "Finance"):
        project, landing = tmp_path / sector, tmp_path / f"landing-{sector}"
        api.generate(sector, landing, schema_dir=SCHEMA, fmt="csv", scale=0.05)
        api.pipeline(
            sector,
            project,
            schema_dir=SCHEMA,
            target="spark",
            language=language,
            landing=str(landing),
            scd=2,
            fmt="csv",
        )
        run = run_pipeline(project, tmp_path / f"work-{sector}", dry_run=True)
        assert run.returncode == 0
