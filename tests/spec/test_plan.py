"""DESIGN §4: primary keys, foreign keys, change-feed entities, dependency order, their errors."""

from __future__ import annotations

import pytest

from .conftest import dimension, errors_of, fact, feed

CUSTOMER = dimension("customer", ["customer_id: int", "name: string", "tier: string"])


def messages(issues, severity="error"):
    return [str(i) for i in issues if i.severity == severity]


def order_of(plan):
    return [t.name for t in plan.tables]


# --- primary keys -------------------------------------------------------------------------------


def test_primary_key_explicit_beats_naming_rules(plan):
    p, _ = plan(
        {"a": dimension("tariff", ["tariff_id: int", "code: int"], extra="primary_key: code\n")}
    )
    assert p.table("tariff").primary_key == "code"
    assert p.entities["tariff"].key == "code"


def test_primary_key_is_table_id_even_when_not_first(plan):
    p, _ = plan({"s": dimension("store", ["region_id: int", "store_id: int", "name: string"])})
    assert p.table("store").primary_key == "store_id"


def test_primary_key_falls_back_to_first_id_column(plan):
    p, issues = plan({"a": dimension("tariff", ["code: string", "rate_id: int", "zone_id: int"])})
    assert p.table("tariff").primary_key == "rate_id"
    assert p.table("tariff").sequential == ("zone_id",)
    assert any("zone_id" in m for m in messages(issues, "warning"))


def test_dimension_without_any_key_is_an_error(plan):
    p, issues = plan({"a": dimension("tariff", ["code: string", "rate: float"])})
    assert p is None
    assert messages(issues) == [
        f"{issues[0].file}:1: dimension 'tariff' has no key column; "
        "add a column 'tariff_id: int' or set primary_key:"
    ]


def test_dimension_key_must_be_an_integer(plan):
    p, issues = plan({"a": dimension("tariff", ["tariff_id: string"])})
    assert p is None
    assert "key 'tariff_id' of 'tariff' must be int or long" in messages(issues)[0]
    assert issues[0].line == 5  # the line of `tariff_id: string`


def test_primary_key_that_is_not_a_column_is_refused_at_load(load):
    _, issues = load(
        {"a": dimension("tariff", ["tariff_id: int"], extra="primary_key: tarif_id\n")}
    )
    assert [(i.line, i.message, i.hint) for i in errors_of(issues)] == [
        (4, "primary_key 'tarif_id' is not a column of 'tariff'", "did you mean 'tariff_id'?")
    ]


# --- foreign keys -------------------------------------------------------------------------------


def test_foreign_key_by_column_name(plan):
    p, issues = plan({"c": CUSTOMER, "o": fact("orders", ["order_id: int", "customer_id: int"])})
    assert issues == []
    fk = p.table("orders").foreign_keys["customer_id"]
    assert (fk.entity, fk.target_column) == ("customer", "customer_id")
    assert p.table("orders").primary_key == "order_id"


def test_first_id_fallback_skips_a_column_that_is_a_dimension_key(plan):
    """`customer_id` listed first in a fact is still the FK to customer, not the fact's own key:
    taking it as the row key would give it sequential values and orphan every later batch."""
    p, issues = plan({"c": CUSTOMER, "o": fact("orders", ["customer_id: int", "order_id: int"])})
    assert p is not None
    assert "customer_id" in p.table("orders").foreign_keys, messages(issues, "warning")
    assert p.table("orders").primary_key == "order_id"


def test_two_dimensions_with_the_same_key_name_are_not_resolved_silently(plan):
    p, issues = plan(
        {
            "c": CUSTOMER,
            "s": dimension("segment", ["customer_id: int", "segment_code: string"]),
            "o": fact("orders", ["order_id: int", "customer_id: int"]),
        }
    )
    reported = [m for m in messages(issues) + messages(issues, "warning") if "segment" in m]
    linked = p.table("orders").foreign_keys["customer_id"].entity if p else None
    assert linked == "customer" or reported, f"customer_id silently linked to {linked!r}"


def test_foreign_key_by_references(plan):
    buyer = "buyer: {type: int, references: customer.customer_id}"
    p, issues = plan({"c": CUSTOMER, "o": fact("orders", ["order_id: int", buyer])})
    assert issues == []
    assert p.table("orders").foreign_keys["buyer"].entity == "customer"


def test_self_reference_is_allowed(plan):
    manager = "manager_id: {type: int, references: employee.employee_id}"
    p, issues = plan({"e": dimension("employee", ["employee_id: int", manager, "name: string"])})
    assert p is not None and errors_of(issues) == []
    fk = p.table("employee").foreign_keys["manager_id"]
    assert (fk.entity, fk.target_column) == ("employee", "employee_id")


def test_cycle_between_two_dimensions_names_both(plan):
    head = "head_id: {type: int, references: employee.employee_id}"
    p, issues = plan(
        {
            "d": dimension("department", ["department_id: int", head]),
            "e": dimension("employee", ["employee_id: int", "department_id: int"]),
        }
    )
    assert p is None
    (cycle,) = messages(issues)
    assert "cycle between tables" in cycle
    assert "department" in cycle and "employee" in cycle
    assert issues[0].file.endswith(("department.yml", "d.yml", "e.yml"))
    assert issues[0].line >= 1


def test_cycle_through_three_dimensions(plan):
    p, issues = plan(
        {
            "a": dimension("a", ["a_id: int", "b_id: int"]),
            "b": dimension("b", ["b_id: int", "c_id: int"]),
            "c": dimension("c", ["c_id: int", "a_id: int"]),
        }
    )
    assert p is None
    (cycle,) = messages(issues)
    assert all(name in cycle for name in ("a", "b", "c")) and " -> " in cycle


def test_reference_to_a_missing_table_suggests_the_closest(plan):
    buyer = "buyer_id: {type: int, references: customers.customer_id}"
    p, issues = plan({"c": CUSTOMER, "o": fact("orders", ["order_id: int", buyer])})
    assert p is None
    (error,) = errors_of(issues)
    assert error.file.endswith("o.yml") and error.line == 6
    assert error.message == "column 'buyer_id' references missing table 'customers'"
    assert error.hint == "did you mean 'customer'?"


def test_reference_to_a_missing_column(plan):
    buyer = "buyer_id: {type: int, references: customer.custmer_id}"
    p, issues = plan({"c": CUSTOMER, "o": fact("orders", ["order_id: int", buyer])})
    assert p is None
    (error,) = errors_of(issues)
    assert (error.file.endswith("o.yml"), error.line) == (True, 6)
    assert "customer.custmer_id" in error.message
    assert error.hint == "did you mean 'customer_id'?"


def test_reference_to_a_non_key_column(plan):
    buyer = "buyer_id: {type: int, references: customer.name}"
    p, issues = plan({"c": CUSTOMER, "o": fact("orders", ["order_id: int", buyer])})
    assert p is None
    (error,) = errors_of(issues)
    assert "not the key of 'customer'" in error.message
    assert error.hint == "reference the key: customer.customer_id"


def test_fact_referencing_a_fact_is_an_error(plan):
    ref = "order_ref: {type: int, references: orders.order_id}"
    p, issues = plan(
        {
            "o": fact("orders", ["order_id: int", "amount: float"]),
            "r": fact("returns", ["return_id: int", ref]),
        }
    )
    assert p is None
    (error,) = errors_of(issues)
    assert error.file.endswith("r.yml") and error.line == 6
    assert "references fact 'orders'" in error.message


def test_foreign_key_must_be_an_integer(plan):
    p, issues = plan({"c": CUSTOMER, "o": fact("orders", ["order_id: int", "customer_id: string"])})
    assert p is None
    assert "foreign key 'customer_id' must be int or long" in messages(issues)[0]


def test_id_column_matching_no_dimension_is_a_warning_not_an_error(plan):
    p, issues = plan({"o": fact("orders", ["order_id: int", "warehouse_id: int"])})
    assert p is not None
    assert p.table("orders").sequential == ("warehouse_id",)
    (warning,) = issues
    assert warning.severity == "warning" and warning.line == 6
    assert "'warehouse_id' looks like a foreign key" in warning.message
    assert str(warning).startswith(f"{warning.file}:6: warning: ")


# --- change feeds: which entity they change -----------------------------------------------------

FEED_COLUMNS = [
    'change_type: {type: string, format: "INSERT|UPDATE|DELETE"}',
    "changed_at: datetime",
]


def test_feed_entity_from_tracks(plan):
    cols = ["change_id: int", "customer_id: int", "tier: string", *FEED_COLUMNS]
    p, issues = plan({"c": CUSTOMER, "f": feed("tier_feed", cols, extra="tracks: customer\n")})
    assert errors_of(issues) == []
    roles = p.table("tier_feed").feed
    assert (roles.entity, roles.entity_key, roles.owns_entity) == ("customer", "customer_id", False)
    assert (roles.row_key, roles.timestamp_column) == ("change_id", "changed_at")
    assert p.entities["customer"].tracked_by == "tier_feed"


def test_feed_entity_from_a_dimension_key_column(plan):
    cols = ["event_id: int", "customer_id: int", *FEED_COLUMNS]
    p, _ = plan({"c": CUSTOMER, "f": feed("account_events", cols, extra="primary_key: event_id\n")})
    roles = p.table("account_events").feed
    assert (roles.entity, roles.owns_entity, roles.row_key) == ("customer", False, "event_id")


@pytest.mark.parametrize("suffix", ["_changes", "_cdc", "_updates"])
def test_feed_entity_from_its_name_suffix(plan, suffix):
    cols = ["change_id: int", "meter_id: int", "status: string", *FEED_COLUMNS]
    p, issues = plan({"f": feed(f"meter{suffix}", cols)})
    assert errors_of(issues) == []
    roles = p.table(f"meter{suffix}").feed
    assert (roles.entity, roles.entity_key, roles.owns_entity) == ("meter", "meter_id", True)
    assert [a.name for a in roles.attributes] == ["status"]
    meter = p.entities["meter"]
    assert (meter.source, meter.tracked_by, meter.key) == (f"meter{suffix}",) * 2 + ("meter_id",)


def test_feed_that_cannot_tell_its_entity_asks_for_tracks(plan):
    p, issues = plan({"f": feed("price_feed", ["change_id: int", "tariff: string", *FEED_COLUMNS])})
    assert p is None
    (error,) = errors_of(issues)
    assert error.line == 1 and error.file.endswith("f.yml")
    assert "price_feed" in error.message and error.hint == "add `tracks: <dimension>`"


def test_feed_tracking_a_dimension_without_key_reports_instead_of_crashing(plan):
    cols = ["change_id: int", "name: string", *FEED_COLUMNS]
    tracked = feed("client_changes", cols, extra="tracks: client\n")
    p, issues = plan({"c": dimension("client", ["name: string"]), "f": tracked})
    assert p is None
    assert "dimension 'client' has no key column" in messages(issues)[0]


def test_feed_tracking_an_unknown_dimension(plan):
    cols = ["change_id: int", "customer_id: int", *FEED_COLUMNS]
    p, issues = plan({"c": CUSTOMER, "f": feed("cc", cols, extra="tracks: customers\n")})
    assert p is None
    assert errors_of(issues)[0].hint == "did you mean 'customer'?"


def test_owned_entity_is_a_foreign_key_target_for_facts(plan):
    cols = ["change_id: int", "meter_id: int", "status: string", *FEED_COLUMNS]
    p, issues = plan(
        {
            "f": feed("meter_changes", cols),
            "r": fact("readings", ["reading_id: int", "meter_id: int"]),
        }
    )
    assert errors_of(issues) == []
    assert p.table("readings").foreign_keys["meter_id"].entity == "meter"
    assert order_of(p).index("meter_changes") < order_of(p).index("readings")


# --- dependency order ---------------------------------------------------------------------------


def test_parents_come_before_children(plan):
    p, issues = plan(
        {
            "1": fact("orders", ["order_id: int", "store_id: int", "customer_id: int"]),
            "2": dimension("store", ["store_id: int", "region_id: int"]),
            "3": dimension("region", ["region_id: int", "name: string"]),
            "4": CUSTOMER,
            "5": feed("customer_changes", ["change_id: int", "customer_id: int", *FEED_COLUMNS]),
        }
    )
    assert errors_of(issues) == []
    order = order_of(p)
    assert sorted(order) == ["customer", "customer_changes", "orders", "region", "store"]
    assert order.index("region") < order.index("store") < order.index("orders")
    assert order.index("customer") < order.index("customer_changes") < order.index("orders")
    assert [t.kind for t in p.streams] == ["change_feed", "fact"]
    assert {t.name for t in p.dimensions} == {"customer", "region", "store"}


def test_plan_table_unknown_name_is_a_key_error_with_a_hint(plan):
    """Issue 12.7: an unknown table is a KeyError that names it and hints, not StopIteration."""
    result, _ = plan(
        {
            "c": dimension("customer", ["customer_id: int"]),
            "o": fact("orders", ["order_id: int", "customer_id: int"]),
        }
    )
    assert result is not None
    assert result.table("orders").name == "orders"
    with pytest.raises(KeyError, match=r"no table 'order' in sector .*did you mean 'orders'"):
        result.table("order")
    with pytest.raises(KeyError, match="available tables: customer, orders"):
        result.table("zzz")
