"""Scenario controls of a live run: event-time fault rates, anomaly rates and a burst, changed
for the next cycles without touching the YAML.

A scenario is applied to a copy of the plan for one cycle: the rates of every fact and change feed
(None keeps the YAML's), the anomaly rate of every column that declares one, and a burst that
multiplies the rows of the cycle. The runner checkpoints the scenario of a cycle before writing
it, so a cycle redone after a crash is the same, and the manifest records it beside the files.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

from streamforge.plan import Entity, Plan, TablePlan
from streamforge.spec.model import ColumnSpec

RATES = ("late_rate", "duplicate_rate", "out_of_order_rate", "anomaly_rate")
MAX_BURST = 100.0


@dataclass(frozen=True, slots=True)
class Scenario:
    """Overrides for the next cycles; None keeps what the YAML says."""

    late_rate: float | None = None
    duplicate_rate: float | None = None
    out_of_order_rate: float | None = None
    anomaly_rate: float | None = None
    burst: float = 1.0  # rows of every fact and change feed are multiplied by this

    def __post_init__(self) -> None:
        for name in RATES:
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and 0 <= value <= 0.5):
                raise ValueError(f"{name}: {value} is not a share between 0 and 0.5")
        if not (math.isfinite(self.burst) and 0 < self.burst <= MAX_BURST):
            raise ValueError(f"burst: {self.burst} is not a multiplier in (0, {MAX_BURST:g}]")

    @property
    def neutral(self) -> bool:
        return self == Scenario()

    def to_json(self) -> dict[str, Any]:
        """Only what differs from the YAML (the manifest and the checkpoint keep this)."""
        data = asdict(self)
        return {k: v for k, v in data.items() if v is not None and not (k == "burst" and v == 1)}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Scenario:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


def apply_scenario(plan: Plan, scenario: Scenario) -> Plan:
    """`plan` with the scenario's rates on its facts and change feeds (dimensions are written
    once, before any scenario). The same plan object when the scenario changes nothing."""
    if scenario.neutral or (scenario.burst != 1 and scenario.to_json().keys() == {"burst"}):
        return plan
    tables = tuple(_table(t, scenario) if t.kind != "dimension" else t for t in plan.tables)
    entities = {name: _entity(e, scenario) for name, e in plan.entities.items()}
    return replace(plan, tables=tables, entities=entities)


def _column(col: ColumnSpec, scenario: Scenario) -> ColumnSpec:
    if scenario.anomaly_rate is None or col.anomaly_rate <= 0:
        return col
    # The rule's action stays what the YAML implies (a column with anomalies drops), even when
    # the scenario turns its anomalies off for a while: the pipeline is not regenerated.
    return replace(col, anomaly_rate=scenario.anomaly_rate, expect=col.expect or "drop")


def _table(table: TablePlan, scenario: Scenario) -> TablePlan:
    rates = {
        name: getattr(scenario, name)
        for name in ("late_rate", "duplicate_rate", "out_of_order_rate")
        if getattr(scenario, name) is not None
    }
    columns = tuple(_column(c, scenario) for c in table.columns)
    spec = replace(
        table.spec, columns=tuple(_column(c, scenario) for c in table.spec.columns), **rates
    )
    return replace(table, spec=spec, columns=columns)


def _entity(entity: Entity, scenario: Scenario) -> Entity:
    return replace(entity, attributes=tuple(_column(c, scenario) for c in entity.attributes))
