"""Event-time faults on change feeds, and the state a pipeline with drop rules must end with.

The expected values come from the rules (README, Change feeds), recomputed here in plain Python:
a late row lands in a later file with its own timestamp and sequence, a duplicate is an exact copy,
an out-of-order row keeps its values; replaying by sequence rebuilds the generator's state; the
pipeline state is the replay of the rows that pass the drop rules, DELETEs judged on keys only.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.times import at

from streamforge.engine.feed_faults import DUE, MAX_LATE_CYCLES
from streamforge.engine.pipeline_state import current_rows

FEED_COLUMNS = {
    "change_id": "long",
    "item_id": "int",
    "change_type": {"type": "string", "format": "INSERT|UPDATE|DELETE"},
    "change_timestamp": "datetime",
    "sequence_num": "long",
    "changed_fields": {"type": "array", "items": "string"},
}
ATTRS = ["size", "price", "label"]
PRICE = (1, 100)


def tables(late=0.2, duplicate=0.1, out_of_order=0.3, anomaly=0.0) -> dict:
    price = {"type": "float", "min": PRICE[0], "max": PRICE[1]}
    if anomaly:
        price.update(anomaly_rate=anomaly, expect="drop")
    return {
        "item": {
            "type": "dimension",
            "num_rows": 80,
            "columns": {
                "item_id": "int",
                "size": {"type": "string", "format": "S|M|L"},
                "price": price,
                "label": "string",
            },
        },
        "item_changes": {
            "type": "change_feed",
            "num_rows": 40,
            "late_rate": late,
            "duplicate_rate": duplicate,
            "out_of_order_rate": out_of_order,
            "operations": {"INSERT": 2, "UPDATE": 6, "DELETE": 2},
            "columns": FEED_COLUMNS,
        },
    }


def feed_files(run, cycles: int) -> list[pa.Table]:
    return [run.table("item_changes", c) for c in range(cycles)]


def replay(initial: dict[int, dict], rows: list[dict], passes=lambda row: True) -> dict:
    """AUTO CDC in plain Python: rows by sequence, the latest version of a key wins."""
    newest: dict[int, tuple[int, dict]] = {k: (0, r) for k, r in initial.items()}
    for row in rows:
        if not passes(row):
            continue
        key, seq = row["item_id"], row["sequence_num"]
        if key not in newest or newest[key][0] < seq:
            newest[key] = (seq, row)
    return {
        k: {"item_id": k, **{a: r[a] for a in ATTRS}}
        for k, (_, r) in newest.items()
        if r.get("change_type") != "DELETE"
    }


def test_each_fault_is_counted_as_it_shows_in_the_file(run_lab) -> None:
    cycles = 8
    run = run_lab(tables(), cycles=cycles, seed=11)
    seen_late = seen_dup = seen_moved = 0
    for cycle, data in enumerate(feed_files(run, cycles)):
        faults = run.outputs[("item_changes", cycle)]
        ids = data.column("change_id").to_numpy()
        stamps = pc.cast(data.column("change_timestamp"), pa.int64()).to_numpy()
        start, _ = run.config.window(cycle)
        late = int((stamps < start).sum())
        duplicates = len(ids) - len(np.unique(ids))
        counts = faults.faults
        assert counts["late"] == late and counts["duplicate"] == duplicates, cycle
        # Rows out of order: some timestamp is smaller than one before it.
        if counts["out_of_order"]:
            assert (np.diff(stamps) < 0).any(), cycle
        seen_late, seen_dup = seen_late + late, seen_dup + duplicates
        seen_moved += counts["out_of_order"]
        # A duplicate is an exact copy of a row of the same file.
        rows = data.to_pylist()
        for change_id, n in Counter(ids.tolist()).items():
            if n > 1:
                copies = [r for r in rows if r["change_id"] == change_id]
                assert all(c == copies[0] for c in copies)
    assert seen_late and seen_dup and seen_moved  # the rates above make each fault happen


@settings(max_examples=12)
@given(
    seed=st.integers(0, 2**31),
    late=st.sampled_from([0.0, 0.1, 0.5]),
    duplicate=st.sampled_from([0.0, 0.2]),
    out_of_order=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_replaying_landed_and_held_rows_by_sequence_rebuilds_the_state(
    run_lab, seed, late, duplicate, out_of_order
) -> None:
    cycles = 6
    run = run_lab(tables(late, duplicate, out_of_order), cycles=cycles, seed=seed)
    held = run.session.state.held.get("item_changes")
    landed = [r for data in feed_files(run, cycles) for r in data.to_pylist()]
    in_flight = held.drop_columns([DUE]).to_pylist() if held is not None else []
    changes = {r["change_id"]: r for r in landed + in_flight}
    # Every change row the feed made lands once (copies aside) or is still in flight.
    made = run.session.state.next_row_key["item_changes"] - 1
    assert sorted(changes) == list(range(1, made + 1))
    assert len({r["change_id"] for r in landed} & {r["change_id"] for r in in_flight}) == 0
    # Held rows are due within MAX_LATE_CYCLES of now.
    if held is not None:
        due = held.column(DUE).to_numpy()
        assert (due >= cycles).all() and (due < cycles + MAX_LATE_CYCLES).all()
    # Sequence and timestamp agree, whatever the arrival order.
    ordered = sorted(changes.values(), key=lambda r: r["sequence_num"])
    stamps = [r["change_timestamp"] for r in ordered]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    initial = {r["item_id"]: r for r in run.rows("item")}
    state = run.session.state.entities["item"].table
    expected = {r["item_id"]: r for r in state.to_pylist()}
    assert replay(initial, ordered) == expected


@settings(max_examples=10)
@given(seed=st.integers(0, 2**31), late=st.sampled_from([0.0, 0.3]))
def test_expected_pipeline_state_is_the_replay_of_the_rows_that_pass(run_lab, seed, late) -> None:
    """A row whose price is out of bounds is dropped, unless it is a DELETE; what lands is
    applied by sequence after the snapshot rows that pass the same rule."""
    cycles = 5
    run = run_lab(tables(late=late, anomaly=0.3), cycles=cycles, seed=seed)

    def passes(row: dict) -> bool:
        price = row["price"]
        in_bounds = price is not None and PRICE[0] <= price <= PRICE[1]
        return row.get("change_type") == "DELETE" or in_bounds

    snapshot = {r["item_id"]: r for r in run.rows("item") if passes(r)}
    landed = [r for data in feed_files(run, cycles) for r in data.to_pylist()]
    want = replay(snapshot, landed, passes)
    got = {r["item_id"]: r for r in current_rows(run.session.state.expected["item"]).to_pylist()}
    assert got == want
    # The rule removes rows here, so the pipeline state differs from the source state.
    source = {r["item_id"] for r in run.session.state.entities["item"].table.to_pylist()}
    assert source != set(got)


def test_manifest_anomalies_leave_out_delete_rows(run_lab) -> None:
    run = run_lab(tables(anomaly=0.3), cycles=4, seed=2)
    deletes_with_anomaly = 0
    for cycle in range(4):
        output = run.outputs[("item_changes", cycle)]
        data = output.data
        price = data.column("price").to_numpy(zero_copy_only=False)
        ops = data.column("change_type").to_numpy(zero_copy_only=False)
        out = (price < PRICE[0]) | (price > PRICE[1])
        assert output.anomalies["price"] == int((out & (ops != "DELETE")).sum())
        deletes_with_anomaly += int((out & (ops == "DELETE")).sum())
    assert deletes_with_anomaly  # precondition: the case the rule is about happened


def test_a_finite_generate_lands_every_held_row(lab_dir, new_dir) -> None:
    from streamforge import api
    from streamforge.readback import read_landing

    schema_dir, out = lab_dir(tables(late=0.5)), new_dir("flush") / "landing"
    api.generate("lab", out, schema_dir=schema_dir, cycles=4, start=at("2026-01-01T00:00:00Z"))
    landed = read_landing(out, api.load_plan("lab", schema_dir))["item_changes"]
    ids = np.unique(np.concatenate([f.data.column("change_id").to_numpy() for f in landed]))
    assert ids.tolist() == list(range(1, 4 * 40 + 1))
    assert landed[-1].manifest["faults"]["late"] > 0
    assert api.verify("lab", out, schema_dir=schema_dir).findings == []
