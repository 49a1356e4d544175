"""Hierarchies stay trees (DESIGN §4, issue 9.5): a self-reference is a forest in the snapshot and
after every change-feed batch, and a DELETE never orphans a child.

The repro sector lives in fixtures/hierarchy/lab (a department reporting to a department, and an
UPDATE-heavy feed that re-parents them); hypothesis varies the seed and the operation mix.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIXTURE = Path(__file__).parent / "fixtures" / "hierarchy" / "lab"
KEY, PARENT, FEED, DIM = "department_id", "parent_department_id", "department_changes", "department"
CYCLES = 12


def fixture_tables() -> dict[str, dict]:
    tables = {}
    for path in sorted(FIXTURE.glob("*.yml")):
        body = yaml.safe_load(path.read_text())
        tables[body.pop("table")] = body
    return tables


def tree_problems(parent: dict[int, int | None]) -> list[str]:
    """Walk every key up to its root: a key met twice is a loop, a parent not present an orphan."""
    problems = []
    for key in parent:
        seen, node = {key}, parent[key]
        while node is not None:
            if node not in parent:
                problems.append(f"{key}: ancestor {node} does not exist")
                break
            if node in seen:
                problems.append(f"{key}: loop through {node}")
                break
            seen.add(node)
            node = parent[node]
    return problems


def check_every_batch(run) -> int:
    """Apply each feed batch like AUTO CDC does and check the forest after each; returns UPDATEs
    that changed the parent (so a test can tell the feed really re-parented)."""
    state = {r[KEY]: r[PARENT] for r in run.rows(DIM)}
    assert not tree_problems(state), "snapshot"
    reparented = 0
    for cycle in range(CYCLES):
        for row in run.rows(FEED, cycle):
            if row["change_type"] == "DELETE":
                del state[row[KEY]]
                continue
            if row["change_type"] == "UPDATE" and state[row[KEY]] != row[PARENT]:
                reparented += 1
            state[row[KEY]] = row[PARENT]
        problems = tree_problems(state)
        assert not problems, f"cycle {cycle}: {problems[:5]}"
    return reparented


def test_the_repro_feed_keeps_a_forest_after_every_batch(lab_plan, drive) -> None:
    run = drive(lab_plan(fixture_tables()), cycles=CYCLES, seed=7)
    assert check_every_batch(run) > 20  # the UPDATE-heavy feed did move departments around
    state = run.session.state.entities[DIM].table.to_pylist()
    assert not any(r[KEY] == r[PARENT] for r in state)


weights = st.integers(0, 10)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    ops=st.tuples(weights, weights, weights).filter(lambda w: w[1] > 0 or w[0] > 0),
    rows=st.integers(1, 30),
)
def test_any_seed_and_operation_mix_keeps_a_forest(lab_plan, drive, seed, ops, rows) -> None:
    tables = fixture_tables()
    feed = tables[FEED]
    feed["operations"] = dict(zip(("INSERT", "UPDATE", "DELETE"), ops, strict=True))
    feed["num_rows"] = rows
    check_every_batch(drive(lab_plan(tables), cycles=CYCLES, seed=seed))


OWNED = {
    "category_changes": {
        "type": "change_feed",
        "num_rows": 15,
        "operations": {"INSERT": 3, "UPDATE": 6, "DELETE": 1},
        "columns": {
            "category_id": "int",
            "change_type": {"type": "string", "format": "INSERT|UPDATE|DELETE"},
            "change_timestamp": "datetime",
            "sequence_num": "long",
            "parent_category_id": {"type": "int", "references": "category.category_id"},
        },
    }
}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_a_feed_owned_hierarchy_stays_a_forest(lab_plan, drive, seed) -> None:
    """The entity exists only in its feed (no dimension file): the same rule holds."""
    run = drive(lab_plan(OWNED), cycles=CYCLES, seed=seed)
    state: dict[int, int | None] = {}
    parented = 0
    for cycle in range(CYCLES):
        for row in run.rows("category_changes", cycle):
            if row["change_type"] == "DELETE":
                del state[row["category_id"]]
            else:
                state[row["category_id"]] = row["parent_category_id"]
        problems = tree_problems(state)
        assert not problems, f"cycle {cycle}: {problems[:5]}"
        parented += sum(p is not None for p in state.values())
    assert parented  # the hierarchy is not all roots
