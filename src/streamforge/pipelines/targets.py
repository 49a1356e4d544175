"""Pipeline targets: what a target is, and how to find one by name.

A target is one module `target_<name>.py` in this package that calls `register` on import (its
templates, the names its API uses, and what it can do); importing this module imports every such
module, so adding a target never means editing a list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from streamforge.errors import StreamForgeError


@dataclass(frozen=True, slots=True)
class Target:
    """A pipeline target: what it is, what it can do, and what its templates call things."""

    name: str
    description: str
    templates: dict[str, tuple[str, ...]]  # language -> templates (one output file each)
    names: dict[str, object] = field(default_factory=dict)  # what the templates call things
    bundle: bool = True  # writes a databricks.yml
    unity_catalog: bool = True  # bundle: catalog + schema, serverless; else Hive `target`, clusters
    default_landing: str = "/Volumes/main/streamforge/landing"  # where the generator writes
    # Runs here on local pyspark (`pipeline --run`); its landing is a local folder or a URI.
    runs_locally: bool = False

    @property
    def deployable(self) -> bool:
        """Runs in a Databricks workspace: it ships a databricks.yml bundle to deploy."""
        return self.bundle


EXPECT = {"warn": "expect_all", "drop": "expect_all_or_drop", "fail": "expect_all_or_fail"}
VIOLATION = {"warn": "", "drop": " ON VIOLATION DROP ROW", "fail": " ON VIOLATION FAIL UPDATE"}

# Databricks targets: Auto Loader ingests a backlog in batches of at most this many files (one
# file per table per cycle: a batch is up to 100 cycles); their silver counts rescued values
# (the templates check `rescued_rule`, which rendering provides).
PRODUCTION = {"max_files_per_trigger": 100}

TARGETS: dict[str, Target] = {}


def register(target: Target) -> Target:
    """Make `target` available under its name; returns it."""
    TARGETS[target.name] = target
    return target


def get_target(name: str) -> Target:
    if name not in TARGETS:
        raise StreamForgeError(f"unknown pipeline target '{name}'; use {', '.join(TARGETS)}")
    return TARGETS[name]


def _discover() -> None:
    """Import every `target_*.py` beside this file, in name order (the order choices list)."""
    import importlib
    import pkgutil
    from pathlib import Path

    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.name.startswith("target_"):
            importlib.import_module(f"{__package__}.{module.name}")


_discover()
