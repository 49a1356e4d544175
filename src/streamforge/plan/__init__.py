"""The plan: a sector's tables resolved into keys, foreign keys, change-feed roles and dependency
order, plus the facts about columns that the engine, codegen and verify share (Arrow types, time
units, capacities). Nothing here imports the engine (tests/test_layers.py).

`plan_sector` (plan/resolve.py) loads on first use: a plan read from the disk cache
(check_cache.py) needs only the model classes, not the planner and the checks it imports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from streamforge.plan.model import Entity, ForeignKey, Plan, TablePlan

if TYPE_CHECKING:
    from streamforge.plan.resolve import default_primary_key, plan_sector

__all__ = ["Entity", "ForeignKey", "Plan", "TablePlan", "default_primary_key", "plan_sector"]


def __getattr__(name: str) -> Any:
    if name in ("default_primary_key", "plan_sector"):
        from streamforge.plan import resolve

        return getattr(resolve, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
