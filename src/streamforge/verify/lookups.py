"""Point-in-time lookups judged on each landed file, by the oracle's own replay of the dimension.

A column whose `expr:` is a bare lookup (`account.current_balance_usd`, or `<fk_column>.<column>`)
must equal that column of the referenced row *as it stood at the row's event time*: the
dimension's snapshot, then every change-feed INSERT or UPDATE of that key stamped at or before it
(DESIGN §3). The expression is read from the YAML nodes here, and the history from the landed
dimension and change-feed files (late change rows included), not from the generator's versions.
A lookup column with an `anomaly_rate` must differ on exactly the rows the manifest counts for it
(its anomalies are values other than the lookup's; a NULL where the lookup is NULL is none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
import yaml

from streamforge.plan import TablePlan
from streamforge.plural import counted
from streamforge.verify.absent import absent
from streamforge.verify.lookup_exprs import (
    ExprLookup,
    judge_expr_lookups,
    parse_expr_lookup,
    resolve_fk,
)
from streamforge.verify.report import Report, shown

BARE = re.compile(r"^\s*([A-Za-z_]\w*)\.([A-Za-z_]\w*)\s*$")
EARLIEST = np.iinfo(np.int64).min


@dataclass(frozen=True, slots=True)
class Lookup:
    column: str  # the fact's column
    fk: str  # the fact's foreign-key column it looks through
    entity: str  # the dimension
    source: str  # the dimension's column
    nullable: bool  # the column has a null_rate: its nulls are not judged


def read_lookups(file: Path, table: TablePlan) -> list[Lookup | ExprLookup]:
    """The table's `expr:` columns, from `columns:` of its YAML file: bare lookups (`store.region`)
    as Lookup, every other expression (with lookups or over the row alone) as ExprLookup
    (lookup_exprs.py)."""
    root = yaml.compose(Path(file).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    columns = _get(root, "columns")
    if not isinstance(columns, yaml.MappingNode):
        return []
    found: list[Lookup | ExprLookup] = []
    broken = _broken_by(root)
    for key, node in columns.value:
        expr = _get(node, "expr")
        if not isinstance(expr, yaml.ScalarNode):
            continue
        hidden = _get(node, "hidden")
        if isinstance(hidden, yaml.ScalarNode) and hidden.value.lower() == "true":
            continue  # not written: nothing to judge
        anomalous = _number(node, "anomaly_rate") > 0
        nullable = _number(node, "null_rate") > 0
        match = BARE.match(str(expr.value))
        if match is None or anomalous:  # anomalous: counted by lookup_exprs
            computed = parse_expr_lookup(str(key.value), str(expr.value), table, nullable)
            if computed is not None:
                names = tuple(n for n, cols in broken.items() if str(key.value) in cols)
                found.append(replace(computed, broken_by=names, anomalous=anomalous))
            continue
        fk = resolve_fk(table, match.group(1))
        if fk is not None:
            entity = table.foreign_keys[fk].entity
            found.append(Lookup(str(key.value), fk, entity, match.group(2), nullable))
    return found


def _broken_by(root: yaml.Node) -> dict[str, set[str]]:
    """Check name -> the columns its rule names, for `checks:` with an anomaly_rate."""
    checks = _get(root, "checks")
    found: dict[str, set[str]] = {}
    if not isinstance(checks, yaml.MappingNode):
        return found
    for key, node in checks.value:
        rule = _get(node, "rule")
        if _number(node, "anomaly_rate") > 0 and isinstance(rule, yaml.ScalarNode):
            try:
                tree = sqlglot.parse_one(str(rule.value), read="spark")
            except sqlglot.errors.ParseError:
                continue
            found[str(key.value)] = {c.name for c in tree.find_all(sqlglot.exp.Column)}
    return found


def wanted_columns(lookups: list[Lookup | ExprLookup]) -> set[tuple[str, str]]:
    """(entity, column) of every dimension column the lookups read."""
    wanted = set()
    for look in lookups:
        if isinstance(look, Lookup):
            wanted.add((look.entity, look.source))
        else:
            wanted |= {(ref.entity, ref.source) for ref in look.refs}
    return wanted


@dataclass(slots=True)
class History:
    """One dimension column's values by (key, valid-from µs, replay order)."""

    _parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, pa.Array]] = field(default_factory=list)
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    times: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    values: pa.Array | None = None

    def add(self, keys: np.ndarray, times: np.ndarray, order: np.ndarray, values) -> None:
        self._parts.append((keys, times, order, pa.chunked_array([values]).combine_chunks()))

    def seal(self) -> None:
        if not self._parts:
            return
        keys, times, order = (np.concatenate([p[i] for p in self._parts]) for i in range(3))
        types = {p[3].type for p in self._parts}
        target = next(iter(types)) if len(types) == 1 else pa.string()
        values = pa.concat_arrays([p[3].cast(target) for p in self._parts])
        by = np.lexsort((order, times, keys))
        self.keys, self.times, self.values = keys[by], times[by], values.take(pa.array(by))
        self._parts = []

    def as_of(self, keys: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, pa.Array | None]:
        """(found, value) per query: the key's last version with valid-from <= time."""
        if self.values is None or not len(self.keys):
            return np.zeros(len(keys), dtype=bool), None
        # one sort key for (key, time): times replaced by their rank among every time seen
        every, rank = np.unique(np.concatenate([self.times, times]), return_inverse=True)
        span = len(every) + 1
        mine = self.keys * span + rank[: len(self.times)]
        asked = keys * span + rank[len(self.times) :]
        at = np.searchsorted(mine, asked, side="right") - 1
        safe = np.maximum(at, 0)
        found = (at >= 0) & (self.keys[safe] == keys)
        return found, self.values.take(pa.array(safe))


def judge_lookups(
    report: Report,
    table: TablePlan,
    cycle: int,
    data: pa.Table,
    lookups: list[Lookup | ExprLookup],
    histories: dict[tuple[str, str], History],
    announced: dict | None = None,
) -> None:
    """Rows of one file whose lookup column differs from the dimension as it stood then (bare
    lookups here, every other expression by lookup_exprs.judge_expr_lookups)."""
    computed = [one for one in lookups if isinstance(one, ExprLookup)]
    if computed:  # lookup-free expressions need no event time; the others skip without one
        judge_expr_lookups(report, table, cycle, data, computed, histories, announced)
    if not any(isinstance(one, Lookup) or one.refs for one in lookups):
        return
    event = table.event_time
    # a hidden event time leaves the table without one: the as-of moment is then unknown
    when = [event or "an event time column"]
    if event is None or absent(report, table.name, "lookups (as of the event time)", when, data):
        absent(report, table.name, "lookups (as of the event time)", when, data)  # None: say so
        return
    times = pc.cast(data.column(event), pa.int64()).to_numpy(zero_copy_only=False)
    timed = data.column(event).is_valid().to_numpy(zero_copy_only=False)
    for look in (one for one in lookups if isinstance(one, Lookup)):
        history = histories.get((look.entity, look.source))
        needed = (look.column, look.fk)
        if history is None or absent(report, table.name, f"lookup {look.column}", needed, data):
            continue
        fk = data.column(look.fk)
        judged = timed & fk.is_valid().to_numpy(zero_copy_only=False)
        landed = data.column(look.column).combine_chunks()
        if look.nullable:
            judged &= landed.is_valid().to_numpy(zero_copy_only=False)
        keys = pc.cast(fk, pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
        found, stood = history.as_of(keys, np.where(timed, times, EARLIEST))
        judged &= found  # a key the dimension never had is an orphan, reported elsewhere
        if stood is None or not judged.any():
            continue
        expected = stood.cast(landed.type, safe=False)
        same = pc.fill_null(pc.equal(landed, expected), False).to_numpy(zero_copy_only=False)
        both_null = pc.and_(landed.is_null(), expected.is_null()).to_numpy(zero_copy_only=False)
        wrong = judged & ~(same | both_null)
        if wrong.any():
            i = int(np.flatnonzero(wrong)[0])
            report.add(
                table.name,
                cycle,
                f"{counted(int(wrong.sum()), 'row')} of {look.column} differing from {look.entity}."
                f"{look.source} as it stood at {event} (e.g. {look.fk} {int(keys[i])}: "
                f"{shown(landed[i].as_py())}, the dimension then {shown(expected[i].as_py())})",
                column=look.column,
                kind="lookup",
                count=int(wrong.sum()),
                example=int(keys[i]),
            )


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next(
        (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None
    )


def _number(node: yaml.Node, key: str) -> float:
    value = _get(node, key)
    try:
        return float(value.value) if isinstance(value, yaml.ScalarNode) else 0.0
    except ValueError:
        return 0.0
