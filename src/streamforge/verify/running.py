"""Running totals judged over the whole landing: the oracle recomputes each chain (DESIGN §3).

A `running: {sum, by, start}` column must equal, on each row (a duplicate copy counted once),
`start` as it stood at the key's most recent posting plus the `sum` of the key's earlier rows
since that posting, the rows of a key taken in posting order (the cycle the row landed in, event
time, primary key). A posting is the snapshot's value of `start`, or a change-feed row of the
key whose value differs from the key's value before it; "since that posting": the rows that read
it (the last posting stamped at or before their event time). The rule is read from the YAML
here, the postings from the landed dimension and change-feed files (lookups.History) and the
rows from every landed file of the fact: none of the generator's ledger code runs. A finding
names the table, the column, how many rows differ and one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from streamforge.plan import TablePlan
from streamforge.plural import counted
from streamforge.verify.absent import absent
from streamforge.verify.lookups import History
from streamforge.verify.report import Report


@dataclass(frozen=True, slots=True)
class Running:
    column: str
    sum: str
    by: str
    start: tuple[str, str] | None  # (dimension, column), None: from 0
    places: int  # decimal places of the column


@dataclass(slots=True)
class Ledger:
    """A fact's rows as landed, file by file, for the chains judged at the end."""

    parts: list[dict[str, np.ndarray]] = field(default_factory=list)


def read_running(file: Path, table: TablePlan) -> list[Running]:
    """The `running:` columns of the table's YAML file."""
    root = yaml.safe_load(Path(file).read_text(encoding="utf-8")) or {}
    found = []
    for name, spec in (root.get("columns") or {}).items():
        rule = spec.get("running") if isinstance(spec, dict) else None
        if not isinstance(rule, dict) or table.primary_key is None:
            continue
        start = None
        if rule.get("start") and rule.get("by") in table.foreign_keys:
            start = (table.foreign_keys[rule["by"]].entity, str(rule["start"]).split(".")[1])
        kind = str(spec.get("type", ""))
        places = int(kind.split(",")[1].rstrip(") ")) if "," in kind else 0
        found.append(Running(str(name), str(rule["sum"]), str(rule["by"]), start, places))
    return found


def collect(
    report: Report,
    table: TablePlan,
    cycle: int,
    data: pa.Table,
    rules: list[Running],
    ledger: Ledger,
) -> None:
    """Keep what the chains need of one landed file."""
    event, pk = table.event_time, table.primary_key
    for rule in rules:
        needed = [c for c in (event, pk, rule.by, rule.sum, rule.column) if c]
        if event is None or pk is None:
            continue
        if absent(report, table.name, f"running total {rule.column}", needed, data):
            return
    if event is None or pk is None:
        return
    part = {
        "cycle": np.full(data.num_rows, cycle, np.int64),
        "pk": _ints(data.column(pk)),
        "time": _ints(data.column(event)),
    }
    for rule in rules:
        key = data.column(rule.by)
        part[f"{rule.column}:by"] = _ints(key)
        part[f"{rule.column}:by_valid"] = key.is_valid().to_numpy(zero_copy_only=False)
        part[f"{rule.column}:sum"] = _units(data.column(rule.sum), rule.places)
        landed = data.column(rule.column)
        part[f"{rule.column}:landed"] = _units(landed, rule.places)
        part[f"{rule.column}:landed_valid"] = landed.is_valid().to_numpy(zero_copy_only=False)
    ledger.parts.append(part)


def judge_running(
    report: Report,
    table: TablePlan,
    rules: list[Running],
    ledger: Ledger,
    histories: dict[tuple[str, str], History],
) -> None:
    """Every row whose running total differs from the chain recomputed over the landing."""
    if not ledger.parts or table.primary_key is None:
        return
    rows = {name: np.concatenate([p[name] for p in ledger.parts]) for name in ledger.parts[0]}
    _, first = np.unique(rows["pk"], return_index=True)  # a duplicate copy: its original again
    rows = {name: values[first] for name, values in rows.items()}
    for rule in rules:
        keys = rows[f"{rule.column}:by"]
        judged = rows[f"{rule.column}:by_valid"].copy()
        segment = np.zeros(len(keys), np.int64)
        start = np.zeros(len(keys), np.int64)
        if rule.start is not None:
            history = histories.get(rule.start)
            if history is None:
                continue
            found, segment, start = _posting(history, keys, rows["time"], rule.places)
            judged &= found
        idx = np.flatnonzero(judged)
        order = idx[np.lexsort((rows["pk"][idx], rows["time"][idx], rows["cycle"][idx]))]
        order = order[np.lexsort((segment[order], keys[order]))]  # stable: posting order kept
        k, s = keys[order], segment[order]
        amounts = rows[f"{rule.column}:sum"][order]
        head = np.ones(len(order), bool)
        head[1:] = (k[1:] != k[:-1]) | (s[1:] != s[:-1])
        earlier = np.cumsum(amounts) - amounts
        group_first = np.maximum.accumulate(np.where(head, np.arange(len(order)), 0))
        expected = start[order] + earlier - earlier[group_first]
        landed = rows[f"{rule.column}:landed"][order]
        wrong = (expected != landed) | ~rows[f"{rule.column}:landed_valid"][order]
        if wrong.any():
            i = int(np.flatnonzero(wrong)[0])
            scale = 10**rule.places
            source = f"{rule.start[0]}.{rule.start[1]} as posted" if rule.start else "0"
            report.add(
                table.name,
                int(rows["cycle"][order][i]),
                f"{counted(int(wrong.sum()), 'row')} of {rule.column} breaking the running total "
                f"({source} "
                f"plus the earlier {rule.sum} of the same {rule.by} since that posting), e.g. "
                f"{table.primary_key} {int(rows['pk'][order][i])}: "
                f"{landed[i] / scale:.{rule.places}f}, the chain gives "
                f"{expected[i] / scale:.{rule.places}f}",
                column=rule.column,
                kind="running",
                count=int(wrong.sum()),
                example=int(rows["pk"][order][i]),
            )


def _posting(
    history: History, keys: np.ndarray, times: np.ndarray, places: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(found, posting time, start units) per row: the key's last posting at or before its time.
    Postings: the history's versions whose value differs from the key's previous one."""
    if history.values is None or not len(history.keys):
        none = np.zeros(len(keys), np.int64)
        return np.zeros(len(keys), bool), none, none
    k, t = history.keys, history.times
    values = _units(history.values, places)
    valid = history.values.is_valid().to_numpy(zero_copy_only=False)
    posts = np.ones(len(k), bool)
    posts[1:] = (k[1:] != k[:-1]) | (values[1:] != values[:-1]) | (valid[1:] != valid[:-1])
    k, t, values = k[posts], t[posts], values[posts]
    every, rank = np.unique(np.concatenate([t, times]), return_inverse=True)
    span = len(every) + 1
    mine = k * span + rank[: len(t)]
    at = np.searchsorted(mine, keys * span + rank[len(t) :], side="right") - 1
    safe = np.maximum(at, 0)
    found = (at >= 0) & (k[safe] == keys) & valid[posts][safe]
    return found, t[safe], values[safe]


def _ints(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return pc.cast(column, pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)


def _units(column: pa.ChunkedArray | pa.Array, places: int) -> np.ndarray:
    """value × 10**places as int64 (exact below 2**53 units); nulls 0."""
    floats = pc.cast(column, pa.float64()).fill_null(0).to_numpy(zero_copy_only=False)
    return np.rint(floats * 10**places).astype(np.int64)
