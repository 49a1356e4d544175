"""The plan: a sector's tables resolved into keys, foreign keys, change-feed roles and dependency
order, plus the facts about columns that the engine, codegen and verify share (Arrow types, time
units, capacities). Nothing here imports the engine (tests/test_layers.py)."""

from streamforge.plan.model import Entity, ForeignKey, Plan, TablePlan
from streamforge.plan.resolve import default_primary_key, plan_sector

__all__ = ["Entity", "ForeignKey", "Plan", "TablePlan", "default_primary_key", "plan_sector"]
