"""Fixtures for engine tests: a sector written from dicts, and a run driven in memory or to disk.

Helpers are handed out by session-scoped fixtures (they are pure functions), so hypothesis tests
can use them without the function-scoped-fixture health check.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pytest
import yaml
from tests.times import at, micros

from streamforge import sectors
from streamforge.engine.session import Session
from streamforge.engine.settings import RunSettings
from streamforge.landing_write import WrittenFile, write_output
from streamforge.plan import Plan
from streamforge.sinks.formats import get_format
from streamforge.sinks.local import LocalLanding

START = at("2026-01-01T00:00:00Z")
START_US = micros("2026-01-01T00:00:00Z")
SECTOR = "lab"

Tables = dict[str, dict]


@dataclass
class Output:
    """One table's batch of one cycle, collected from its chunks."""

    data: pa.Table
    anomalies: dict[str, int]
    anomalous_rows: int
    chunk_anomalies: list[dict[str, int]]
    faults: dict[str, int] = field(default_factory=dict)  # late / duplicate / out_of_order


@dataclass
class Run:
    plan: Plan
    session: Session
    config: RunSettings
    outputs: dict[tuple[str, int], Output] = field(default_factory=dict)
    files: list[WrittenFile] = field(default_factory=list)

    def table(self, name: str, cycle: int = 0) -> pa.Table:
        return self.outputs[(name, cycle)].data

    def rows(self, name: str, cycle: int = 0) -> list[dict]:
        return self.table(name, cycle).to_pylist()


def write_sector(root: Path, tables: Tables) -> Path:
    """Write each table dict as `<root>/lab/<name>.yml`; returns the schema folder (`root`)."""
    folder = root / SECTOR
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in tables.items():
        document = {"table": name, **body}
        (folder / f"{name}.yml").write_text(yaml.safe_dump(document, sort_keys=False))
    return root


def load_lab_plan(schema_dir: Path) -> Plan:
    check = sectors.check_sector(schema_dir, SECTOR)
    assert check.plan is not None, "\n".join(str(i) for i in check.errors)
    return check.plan


def collect(output) -> Output:
    batches, chunk_anomalies = [], []
    totals: dict[str, int] = {}
    flagged = 0
    faults: Counter[str] = Counter()
    for chunk in output.chunks:
        batches.append(chunk.batch)
        faults.update(chunk.faults)
        chunk_anomalies.append(dict(chunk.anomalies))
        for name, count in chunk.anomalies.items():
            totals[name] = totals.get(name, 0) + count
        flagged += chunk.anomalous_rows
    data = pa.Table.from_batches(batches, output.schema)
    return Output(data, totals, flagged, chunk_anomalies, dict(faults))


def drive(
    plan: Plan,
    cycles: int = 1,
    seed: int = 7,
    scale: float = 1.0,
    interval: float = 30.0,
    workers: int = 1,
    out: Path | None = None,
    fmt: str = "json",
) -> Run:
    """Run dimensions then `cycles` cycles, as api.generate does; with `out`, also write files."""
    config = RunSettings(
        seed=seed, start_us=START_US, interval_s=interval, scale=scale, workers=workers
    )
    session = Session(plan, config)
    run = Run(plan, session, config)
    landing = LocalLanding(out) if out is not None else None
    file_format = get_format(fmt)

    def consume(outputs, window):
        for output in outputs:
            if landing is None:
                run.outputs[(output.table.name, output.cycle)] = collect(output)
                continue
            written = write_output(landing, output, file_format, seed, window)
            run.files.append(written)

    consume(session.dimensions(), (START_US, START_US))
    for cycle in range(cycles):
        consume(session.cycle(cycle, final=cycle == cycles - 1), config.window(cycle))
    return run


_counter = itertools.count()


@pytest.fixture(scope="session", autouse=True)
def _no_fsync():
    """Landing files here are read back at once, never after a crash: skip fsync (it is the
    slowest part of a small run, and durability is the sink tests' subject, not ours)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: None)
        yield


@pytest.fixture(scope="session")
def lab_dir(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Tables], Path]:
    """tables -> a fresh schema folder holding them as sector `lab`."""

    def make(tables: Tables) -> Path:
        return write_sector(tmp_path_factory.mktemp(f"schema{next(_counter)}"), tables)

    return make


@pytest.fixture(scope="session")
def lab_plan(lab_dir) -> Callable[[Tables], Plan]:
    """tables -> the validated plan of sector `lab` (fails the test on schema errors)."""
    return lambda tables: load_lab_plan(lab_dir(tables))


@pytest.fixture(scope="session")
def run_lab(lab_plan) -> Callable[..., Run]:
    """tables, cycles=1, seed=7, ... -> a Run whose outputs hold every batch in memory."""

    def run(tables: Tables, **options) -> Run:
        return drive(lab_plan(tables), **options)

    return run


@pytest.fixture(scope="session")
def column_values(run_lab) -> Callable[..., pa.Table]:
    """One-column dimension: `column_values({"type": "int"}, rows=1000)` -> its data table.

    With `fact=True` the column lives in a fact (event times, row keys continue across cycles).
    """

    def make(spec, rows: int = 2000, name: str = "value", fact: bool = False, **options):
        kind = "fact" if fact else "dimension"
        tables = {"t": {"type": kind, "num_rows": rows, "columns": {"t_id": "long", name: spec}}}
        run = run_lab(tables, **options)
        return run.table("t", 0)

    return make


@pytest.fixture(scope="session")
def new_dir(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    return lambda stem="out": tmp_path_factory.mktemp(stem)


@pytest.fixture(scope="session")
def start_us() -> int:
    """Event time where cycle 0 begins (also the end of dimension history)."""
    return START_US


@pytest.fixture(scope="session", name="drive")
def drive_fixture() -> Callable[..., Run]:
    """plan, cycles=1, seed=7, scale=1.0, out=None, fmt="json" -> a Run (files written to `out`)."""
    return drive
