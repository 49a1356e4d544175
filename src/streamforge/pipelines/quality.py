"""Closed-loop data quality: what the landing injected beside what the pipeline's rules caught.

The manifest counts, per landing file, the rows made anomalous in each column and the event-time
faults (duplicates, late and out-of-order rows). Each rule of the pipeline checks one column (or,
for `unique_<key>`, repeated keys), so the rows a rule should fail are exactly the rows injected
into its column: zero for a rule whose column got none. A Databricks pipeline records what each
rule passed and failed in its event log; the `spark` target writes the same numbers into its
`expectations` materialized view (a row per dataset and rule), which `read_spark_metrics` reads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streamforge.pipelines.expectations import RESCUED
from streamforge.pipelines.model import METRICS, PipelineModel

DUPLICATE = "duplicate"  # the manifest's fault that `unique_<key>` catches


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """One rule of one dataset: rows injected to break it, and rows it failed (None: no metric
    for it, e.g. the dataset has not run yet)."""

    dataset: str
    rule: str
    action: str
    injected: int
    caught: int | None
    passed: int | None

    @property
    def ok(self) -> bool:
        return self.caught == self.injected


@dataclass(frozen=True, slots=True)
class RuleSource:
    """Where a rule's injected count comes from: a landing table's anomalies in one column, or
    one of its faults."""

    dataset: str
    rule: str
    action: str
    table: str
    anomaly: str | None  # the column whose anomalies the rule catches
    fault: str | None  # or the fault it catches

    @property
    def cause(self) -> str:
        """The manifest count this rule should catch: a column name, or `fault:<name>`."""
        return f"fault:{self.fault}" if self.fault else str(self.anomaly)


def rule_sources(
    model: PipelineModel, unique: bool = True, rescued: bool = False
) -> list[RuleSource]:
    """Every rule of every checked dataset, in the order the pipeline declares them; `unique`:
    with the de-duplication on the key as a rule (the `spark` target counts it as one);
    `rescued`: with the Databricks targets' rescued-data rule on each silver dataset."""
    sources = []
    for e in model.expectations:
        extra = (RESCUED,) if rescued and e.silver else ()
        for r in (*e.rules, *extra):
            sources.append(RuleSource(e.dataset, r.name, r.action, e.table, r.column, None))
        if unique and e.unique is not None:
            sources.append(RuleSource(e.dataset, e.unique, "drop", e.table, None, DUPLICATE))
    return sources


def injected_counts(manifest: Iterable[Mapping[str, Any]]) -> Counter[tuple[str, str]]:
    """(table, column) -> anomalous rows and (table, "fault:<name>") -> faulty rows, summed over
    every file the manifest lists."""
    counts: Counter[tuple[str, str]] = Counter()
    for entry in manifest:
        for column, rows in (entry.get("anomalies") or {}).items():
            counts[(entry["table"], column)] += int(rows)
        for fault, rows in (entry.get("faults") or {}).items():
            counts[(entry["table"], f"fault:{fault}")] += int(rows)
    return counts


def compare(
    model: PipelineModel,
    manifest: Iterable[Mapping[str, Any]],
    metrics: Iterable[Mapping[str, Any]],
) -> list[RuleCheck]:
    """Injected vs caught for every rule; `metrics` rows have dataset, rule, passed_records and
    failed_records (the event log's names), summed when a rule appears more than once."""
    injected = injected_counts(manifest)
    failed: Counter[tuple[str, str]] = Counter()
    passed: Counter[tuple[str, str]] = Counter()
    for row in metrics:
        key = (row["dataset"], row["rule"])
        failed[key] += int(row["failed_records"])
        passed[key] += int(row["passed_records"])
    checks = []
    for s in rule_sources(model):
        key = (s.dataset, s.rule)
        seen = key in failed or key in passed
        checks.append(
            RuleCheck(
                s.dataset,
                s.rule,
                s.action,
                injected[(s.table, s.cause)],
                failed[key] if seen else None,
                passed[key] if seen else None,
            )
        )
    return checks


def read_spark_metrics(work_dir: Path) -> list[dict[str, Any]]:
    """The rows of the `expectations` view a local `spark` target run materialized; [] before
    the first run (every rule then shows as not run)."""
    from streamforge.pipelines.local_spark import read_table

    try:
        return read_table(work_dir, METRICS).to_pylist()
    except FileNotFoundError:
        return []
