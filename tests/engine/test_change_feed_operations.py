"""The operation mix of a change feed: weights, allowed operations, and what they exclude."""

from __future__ import annotations

from collections import Counter

import pytest

FEED_COLUMNS = {
    "change_id": "long",
    "change_type": {"type": "string", "format": "INSERT|UPDATE|DELETE"},
    "change_timestamp": "datetime",
}
ITEM = {
    "type": "dimension",
    "num_rows": 60,
    "columns": {"item_id": "int", "size": {"type": "string", "format": "S|M|L"}, "label": "string"},
}


def operation_mix(
    run_lab, format_: str, operations: dict | None, cycles: int = 6, items: int = 5000
) -> Counter:
    columns = {**FEED_COLUMNS, "change_type": {"type": "string", "format": format_}}
    feed = {"type": "change_feed", "num_rows": 200, "columns": {"item_id": "int", **columns}}
    if operations is not None:
        feed["operations"] = operations
    run = run_lab({"item": {**ITEM, "num_rows": items}, "item_changes": feed}, cycles=cycles)
    return Counter(r["change_type"] for c in range(cycles) for r in run.rows("item_changes", c))


def test_a_feed_without_delete_never_deletes(run_lab) -> None:
    mix = operation_mix(run_lab, "INSERT|UPDATE", None)
    assert set(mix) == {"INSERT", "UPDATE"}


def test_operation_weights_are_roughly_respected(run_lab) -> None:
    mix = operation_mix(run_lab, "INSERT|UPDATE|DELETE", {"INSERT": 1, "UPDATE": 6, "DELETE": 3})
    total = sum(mix.values())
    assert abs(mix["INSERT"] / total - 0.1) < 0.03
    assert abs(mix["UPDATE"] / total - 0.6) < 0.04
    assert abs(mix["DELETE"] / total - 0.3) < 0.04


def test_insert_only_feed_only_inserts(run_lab) -> None:
    assert set(operation_mix(run_lab, "INSERT|UPDATE|DELETE", {"INSERT": 1})) == {"INSERT"}


def test_value_weights_on_the_change_type_pick_the_mix(run_lab) -> None:
    feed_type = {
        "type": "string",
        "values": ["INSERT", "UPDATE", "DELETE"],
        "weights": [0.0, 0.5, 0.5],
    }
    columns = {**FEED_COLUMNS, "change_type": feed_type}
    feed = {"type": "change_feed", "num_rows": 100, "columns": {"item_id": "int", **columns}}
    run = run_lab({"item": {**ITEM, "num_rows": 5000}, "item_changes": feed}, cycles=3)
    mix = Counter(r["change_type"] for c in range(3) for r in run.rows("item_changes", c))
    assert set(mix) == {"UPDATE", "DELETE"} and abs(mix["DELETE"] / 300 - 0.5) < 0.1


def test_a_feed_without_update_never_updates(run_lab) -> None:
    """Deletes beyond what the live keys allow must not turn into an operation the feed lacks."""
    mix = operation_mix(run_lab, "INSERT|DELETE", {"INSERT": 1, "DELETE": 9}, cycles=3, items=20)
    assert set(mix) == {"INSERT", "DELETE"}


@pytest.mark.parametrize(
    "change_type",
    [{"type": "string", "values": ["INSERT"]}, {"type": "string", "format": "INSERT"}],
    ids=["values", "format"],
)
def test_a_single_operation_feed_only_does_that(run_lab, change_type) -> None:
    feed = {
        "type": "change_feed",
        "num_rows": 10,
        "columns": {"item_id": "int", **FEED_COLUMNS, "change_type": change_type},
    }
    run = run_lab({"item": ITEM, "item_changes": feed}, cycles=3)
    ops = {r["change_type"] for c in range(3) for r in run.rows("item_changes", c)}
    assert ops == {"INSERT"}
