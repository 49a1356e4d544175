"""The three YAML examples of the original README load unchanged (DESIGN §3) and plan (§4-§5)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from streamforge.engine.unique import unique_capacity
from streamforge.plan import plan_sector
from streamforge.spec.load import load_sector

from .conftest import dimension, errors_of

ROOT = Path(__file__).resolve().parents[2]
README = ROOT.parent / "shared" / "original-readme.md"
EXAMPLES = ("equipment", "electricity_production", "customer_changes")
FEED_COLUMNS = ("change_id", "customer_id", "change_type", "change_timestamp", "changed_fields")


def readme_examples() -> dict[str, str]:
    """`{table: yaml}` for every ```yaml block that opens with its `# schema/Energy/x.yml` path."""
    if not README.exists():
        pytest.skip(f"{README} is not available here")
    text = README.read_text(encoding="utf-8")
    found = {}
    for block in re.findall(r"^```yaml\n(.*?)^```", text, flags=re.M | re.S):
        head = re.match(r"# schema/Energy/(\w+)\.yml\n", block)
        if head:
            found[head[1]] = block
    return found


@pytest.fixture(scope="module")
def examples() -> dict[str, str]:
    return readme_examples()


@pytest.fixture
def readme_sector(tmp_path: Path, examples: dict[str, str]) -> Path:
    folder = tmp_path / "Energy"
    folder.mkdir()
    for name, text in examples.items():
        (folder / f"{name}.yml").write_text(text, encoding="utf-8")
    return folder


def test_readme_has_exactly_the_three_examples(examples):
    assert sorted(examples) == sorted(EXAMPLES)
    for name, text in examples.items():
        assert f"table: {name}\n" in text


# What the shipped Energy sector adds to the README's examples, and nothing else: the end-to-end
# proof needs a change feed that arrives late, twice and out of order (DESIGN §3, §5).
ADDED = {"customer_changes": {"late_rate", "duplicate_rate", "out_of_order_rate"}}


@pytest.mark.parametrize("name", EXAMPLES)
def test_shipped_schema_file_is_the_readme_example_plus_documented_rates(examples, name):
    shipped = (ROOT / "schema" / "Energy" / f"{name}.yml").read_text(encoding="utf-8")
    added = ADDED.get(name, set())
    # Every line of the example is there, unchanged and in order; the rest are the added keys
    # (and comments about them).
    kept = [
        line
        for line in shipped.splitlines()
        if not line.startswith("#") or line == examples[name].splitlines()[0]
        if line.split(":", 1)[0] not in added
    ]
    assert kept == examples[name].splitlines()
    assert set(yaml.safe_load(shipped)) - set(yaml.safe_load(examples[name])) == added


def test_readme_examples_load_without_any_issue(readme_sector):
    spec, issues = load_sector(readme_sector)
    assert issues == []
    assert spec.name == "Energy"
    assert sorted(t.name for t in spec.tables) == sorted(EXAMPLES)


def test_equipment_dimension(readme_sector):
    spec, _ = load_sector(readme_sector)
    t = spec.table("equipment")
    assert (t.kind, t.num_rows) == ("dimension", 500)
    assert t.column_names == ("equipment_id", "equipment_name", "equipment_type", "status")
    assert t.column("equipment_id").type == "int"
    name = t.column("equipment_name")
    assert (name.type, name.format, name.choices) == ("string", "e######", None)
    assert t.column("equipment_type").choices == (
        "GAS_TURBINE",
        "STEAM_TURBINE",
        "WIND_TURBINE",
        "SOLAR_PANEL",
    )
    assert t.column("status").choices == ("OPERATIONAL", "MAINTENANCE", "OFFLINE", "DECOMMISSIONED")
    # line numbers point into the file (line 1 is the `# schema/...` comment)
    assert t.line == 2
    assert t.column("equipment_name").line == 7


def test_electricity_production_fact(readme_sector):
    spec, _ = load_sector(readme_sector)
    t = spec.table("electricity_production")
    assert (t.kind, t.num_rows) == ("fact", 1000)
    types = {c.name: c.type for c in t.columns}
    assert types == {
        "production_id": "int",
        "plant_id": "int",
        "equipment_id": "int",
        "timestamp": "datetime",
        "generation_mwh": "float",
        "weather_conditions": "string",
    }
    assert t.column("weather_conditions").choices == ("CLEAR", "CLOUDY", "RAINY", "STORMY", "SNOWY")
    # no min/max written: none stored (the engine applies the defaults 1..9999 / 0..1000)
    assert t.column("generation_mwh").min is None and t.column("generation_mwh").max is None


def test_customer_changes_feed(readme_sector):
    spec, _ = load_sector(readme_sector)
    t = spec.table("customer_changes")
    assert (t.kind, t.num_rows) == ("change_feed", 100)
    assert t.column_names == FEED_COLUMNS
    assert t.column("change_type").choices == ("INSERT", "UPDATE", "DELETE")
    assert t.column("change_timestamp").type == "datetime"
    changed = t.column("changed_fields")
    assert changed.type == "array"
    assert changed.items is not None and changed.items.type == "string"
    assert t.tracks is None and not t.operations_given


def test_readme_examples_plan_alone(readme_sector):
    """Without a customer dimension, customer_changes owns the `customer` entity (DESIGN §5)."""
    plan, issues = plan_sector(load_sector(readme_sector)[0], unique_capacity)
    assert plan is not None, "\n".join(map(str, issues))
    assert not errors_of(issues)
    # plant_id matches no dimension: sequential values, and a warning that names the column
    warnings = [str(i) for i in issues]
    assert any("plant_id" in w and "electricity_production.yml:7" in w for w in warnings)

    equipment = plan.table("equipment")
    assert equipment.primary_key == "equipment_id" and dict(equipment.foreign_keys) == {}

    production = plan.table("electricity_production")
    assert production.primary_key == "production_id"
    assert set(production.foreign_keys) == {"equipment_id"}
    assert production.foreign_keys["equipment_id"].entity == "equipment"
    assert production.sequential == ("plant_id",)

    changes = plan.table("customer_changes")
    roles = changes.feed
    assert roles is not None and roles.owns_entity
    assert (roles.entity, roles.entity_key, roles.row_key) == (
        "customer",
        "customer_id",
        "change_id",
    )
    assert (roles.type_column, roles.timestamp_column) == ("change_type", "change_timestamp")
    assert roles.changed_fields_column == "changed_fields"
    customer = plan.entities["customer"]
    assert (customer.source, customer.tracked_by) == ("customer_changes", "customer_changes")

    order = [t.name for t in plan.tables]
    assert order.index("equipment") < order.index("electricity_production")


def test_readme_feed_tracks_a_customer_dimension_when_there_is_one(readme_sector):
    (readme_sector / "customer.yml").write_text(
        dimension("customer", ["customer_id: int", "name: string", "city: string"])
    )
    plan, issues = plan_sector(load_sector(readme_sector)[0], unique_capacity)
    assert plan is not None, "\n".join(map(str, issues))
    roles = plan.table("customer_changes").feed
    assert roles is not None and not roles.owns_entity
    assert (roles.entity, roles.entity_key) == ("customer", "customer_id")
    assert [a.name for a in roles.attributes] == ["name", "city"]
    customer = plan.entities["customer"]
    assert (customer.source, customer.tracked_by) == ("customer", "customer_changes")
    order = [t.name for t in plan.tables]
    assert order.index("customer") < order.index("customer_changes")
    # the feed writes the dimension's after-image: its attribute columns follow the listed ones
    names = [c.name for c in plan.table("customer_changes").columns]
    assert tuple(names) == (*FEED_COLUMNS, "name", "city")
