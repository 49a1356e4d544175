"""Change feeds (DESIGN §5): live keys, ordering, changed_fields, and the facts after them."""

from __future__ import annotations

import itertools
from collections import Counter

import pyarrow.compute as pc
import pytest
from tests.times import at

FEED_COLUMNS = {
    "change_id": "long",
    "change_type": {"type": "string", "format": "INSERT|UPDATE|DELETE"},
    "change_timestamp": "datetime",
    "sequence_num": "long",
    "changed_fields": {"type": "array", "items": "string"},
}
ITEM = {
    "type": "dimension",
    "num_rows": 60,
    "columns": {
        "item_id": "int",
        "flag": "bool",
        "size": {"type": "string", "format": "S|M|L"},
        "price": {"type": "float", "min": 1, "max": 100},
        "label": "string",
    },
}
ITEM_ATTRS = ["flag", "size", "price", "label"]
TRACKED = {
    "item": ITEM,
    "item_changes": {
        "type": "change_feed",
        "num_rows": 25,
        "columns": {"item_id": "int", **FEED_COLUMNS},
    },
    "sale": {
        "type": "fact",
        "num_rows": 400,
        "columns": {"sale_id": "long", "item_id": "int", "sold_at": "datetime"},
    },
}
OWNED = {
    "account_changes": {
        "type": "change_feed",
        "num_rows": 30,
        "columns": {
            "account_id": "int",
            **FEED_COLUMNS,
            "status": {"type": "string", "format": "OPEN|FROZEN|CLOSED"},
            "limit": {"type": "int", "min": 1, "max": 5},
            "owner_name": "string",
        },
    },
    "payment": {
        "type": "fact",
        "num_rows": 300,
        "columns": {"payment_id": "long", "account_id": "int", "paid_at": "datetime"},
    },
}
OWNED_ATTRS = ["status", "limit", "owner_name"]
CYCLES = 8


def replay(run, feed: str, key: str, attrs: list[str], initial: dict[int, dict]):
    """Yield (cycle, rows, state before, state after) applying each batch like AUTO CDC does."""
    state = dict(initial)
    for cycle in range(CYCLES):
        before = dict(state)
        rows = run.rows(feed, cycle)
        for row in rows:
            if row["change_type"] == "DELETE":
                del state[row[key]]
            else:
                state[row[key]] = {key: row[key], **{a: row[a] for a in attrs}}
        yield cycle, rows, before, dict(state)


@pytest.fixture(scope="module")
def tracked(run_lab):
    return run_lab(TRACKED, cycles=CYCLES, seed=3)


@pytest.fixture(scope="module")
def owned(run_lab):
    return run_lab(OWNED, cycles=CYCLES, seed=5)


SCENARIOS = {
    # name: (feed, entity key, attributes, fact)
    "tracked": ("item_changes", "item_id", ITEM_ATTRS, "sale"),
    "owned": ("account_changes", "account_id", OWNED_ATTRS, "payment"),
}


def scenario(request, which: str):
    """(run, batches, feed, key, attrs, fact) of one scenario; only its own run is made."""
    run = request.getfixturevalue(which)
    batches = tracked_batches(run) if which == "tracked" else owned_batches(run)
    return (run, batches, *SCENARIOS[which])


def tracked_batches(run):
    initial = {r["item_id"]: r for r in run.rows("item")}
    return list(replay(run, "item_changes", "item_id", ITEM_ATTRS, initial))


def owned_batches(run):
    return list(replay(run, "account_changes", "account_id", OWNED_ATTRS, {}))


def test_first_batch_of_an_owned_entity_inserts_keys_from_1(owned) -> None:
    rows = owned.rows("account_changes", 0)
    assert {r["change_type"] for r in rows} == {"INSERT"}
    assert [r["account_id"] for r in rows] == list(range(1, 31))
    later = Counter(
        r["change_type"] for c in range(1, CYCLES) for r in owned.rows("account_changes", c)
    )
    assert later["UPDATE"] > 0 and later["DELETE"] > 0 and later["INSERT"] > 0


@pytest.mark.parametrize("which", list(SCENARIOS))
def test_updates_and_deletes_touch_live_keys_once_per_batch(request, which) -> None:
    _, batches, _, key, _, _ = scenario(request, which)
    for cycle, rows, before, _ in batches:
        keys = [r[key] for r in rows]
        assert len(keys) == len(set(keys)), f"cycle {cycle}: a key changed twice"
        for row in rows:
            live = row[key] in before
            assert live == (row["change_type"] != "INSERT"), (cycle, row)
        inserted = sorted(r[key] for r in rows if r["change_type"] == "INSERT")
        if inserted:
            assert inserted[0] > max(before, default=0)  # fresh keys, never reused


@pytest.mark.parametrize("which", list(SCENARIOS))
def test_timestamps_and_sequences_strictly_increase(request, which) -> None:
    run, _, feed, _, _, _ = scenario(request, which)
    stamps, sequences, change_ids = [], [], []
    for cycle in range(CYCLES):
        table = run.table(feed, cycle)
        stamps += table.column("change_timestamp").cast("int64").to_pylist()
        sequences += table.column("sequence_num").to_pylist()
        change_ids += table.column("change_id").to_pylist()
        window = run.config.window(cycle)
        first, last = pc.min_max(table.column("change_timestamp").cast("int64")).values()
        assert window[0] <= first.as_py() and last.as_py() < window[1]
    assert all(a < b for a, b in itertools.pairwise(stamps))
    assert all(a < b for a, b in itertools.pairwise(sequences))
    assert len(set(change_ids)) == len(change_ids)


@pytest.mark.parametrize("which", list(SCENARIOS))
def test_changed_fields_name_exactly_what_changed(request, which) -> None:
    _, batches, _, key, attrs, _ = scenario(request, which)
    wrong = []
    for cycle, rows, before, _ in batches:
        for row in rows:
            named = sorted(row["changed_fields"])
            if row["change_type"] == "INSERT":
                assert named == sorted(attrs)
            elif row["change_type"] == "DELETE":
                assert named == []
            else:
                differ = sorted(a for a in attrs if before[row[key]][a] != row[a])
                if differ != named:
                    wrong.append((cycle, row[key], named, differ))
    assert not wrong, f"{len(wrong)} UPDATEs misname their changes, e.g. {wrong[:3]}"


@pytest.mark.parametrize("which", list(SCENARIOS))
def test_replaying_the_feed_rebuilds_the_entity_state(request, which) -> None:
    run, batches, _, key, _, _ = scenario(request, which)
    final = batches[-1][3]
    held = run.session.state.entities[key.removesuffix("_id")]
    assert sorted(final.values(), key=lambda r: r[key]) == held.table.to_pylist()
    assert held.keys.tolist() == sorted(final)


@pytest.mark.parametrize("which", list(SCENARIOS))
def test_facts_never_reference_a_deleted_key(request, which) -> None:
    run, batches, _, key, _, fact = scenario(request, which)
    deleted: set[int] = set()
    for cycle, rows, _, after in batches:
        deleted |= {r[key] for r in rows if r["change_type"] == "DELETE"}
        used = set(run.table(fact, cycle).column(key).to_pylist())
        assert used <= set(after), f"cycle {cycle}: {sorted(used - set(after))[:5]}"
        assert not used & deleted
    assert deleted  # the scenario did delete keys


def test_a_self_reference_never_points_at_a_deleted_key(run_lab) -> None:
    """DESIGN §2: every foreign key stays valid across the run, change feeds included."""
    tables = {
        "employee": {
            "type": "dimension",
            "num_rows": 40,
            "columns": {
                "employee_id": "int",
                "manager_ref": {"type": "int", "references": "employee.employee_id"},
            },
        },
        "employee_changes": {
            "type": "change_feed",
            "num_rows": 10,
            "columns": {"employee_id": "int", **FEED_COLUMNS},
        },
    }
    run = run_lab(tables, cycles=CYCLES)
    state = run.session.state.entities["employee"].table.to_pylist()
    live = {r["employee_id"] for r in state}
    dangling = [r for r in state if r["manager_ref"] is not None and r["manager_ref"] not in live]
    assert not dangling, f"{len(dangling)} employees report to a deleted manager"


def test_unique_attributes_stay_unique_through_changes(run_lab) -> None:
    columns = {
        "member_id": "int",
        "code": {"type": "string", "format": "C-####", "unique": True},
        "serial": {"type": "int", "min": 1, "max": 1_000_000, "unique": True},
        "email": {"type": "string", "unique": True},
    }
    tables = {
        "member": {"type": "dimension", "num_rows": 200, "columns": columns},
        "member_changes": {
            "type": "change_feed",
            "num_rows": 40,
            "columns": {"member_id": "int", **FEED_COLUMNS},
        },
    }
    run = run_lab(tables, cycles=CYCLES)
    state = run.session.state.entities["member"].table
    for name in ("code", "serial", "email"):
        values = state.column(name).to_pylist()
        assert len(set(values)) == len(values), f"{name}: {len(values) - len(set(values))} repeats"


def test_anomalies_carried_into_a_feed_file_are_counted(run_lab, lab_dir, new_dir) -> None:
    """An after-image that keeps an anomalous value still breaks the rule in the feed's file."""
    from streamforge import api

    item = {
        **ITEM,
        "columns": {
            **ITEM["columns"],
            "price": {"type": "float", "min": 1, "max": 100, "anomaly_rate": 0.3},
        },
    }
    tables = {"item": item, "item_changes": TRACKED["item_changes"]}
    schema_dir, out = lab_dir(tables), new_dir("carried") / "landing"
    api.generate("lab", out, schema_dir=schema_dir, cycles=4, start=at("2026-01-01T00:00:00Z"))
    assert api.verify("lab", out, schema_dir=schema_dir).findings == []


def test_a_run_with_two_linked_tracked_dimensions_verifies(lab_dir, new_dir) -> None:
    """A region feed deletes regions that stores still name; the store feed repeats them."""
    from streamforge import api

    feed = {"type": "change_feed", "num_rows": 6, "operations": {"UPDATE": 1, "DELETE": 1}}
    tables = {
        "region": {"type": "dimension", "num_rows": 12, "columns": {"region_id": "int"}},
        "store": {
            "type": "dimension",
            "num_rows": 30,
            "columns": {"store_id": "int", "region_id": "int", "label": "string"},
        },
        "region_changes": {**feed, "columns": {"region_id": "int", **FEED_COLUMNS}},
        "store_changes": {**feed, "columns": {"store_id": "int", **FEED_COLUMNS}},
    }
    schema_dir, out = lab_dir(tables), new_dir("linked") / "landing"
    api.generate("lab", out, schema_dir=schema_dir, cycles=4, start=at("2026-01-01T00:00:00Z"))
    assert api.verify("lab", out, schema_dir=schema_dir).findings == []
