"""A statistical check of `round(H * f(row), d)` when the hidden draw H cannot be drawn again.

When verify cannot replay a batch's hidden draws (hidden_replay.py says why), an expression that
is a hidden draw times a factor over written columns (Energy's `round(base_kwh *
element_at(array(...), hour(reading_time) + 1), 3)`) still has a sound check: H is drawn on its
own, independent of the row, so x = column / f(row) has the same mean in every group of rows that
share a value of f. Per table and column, the rows within the column's min/max (anomalies are
pushed outside it) and with f > 0 are summed by f's value over every file; at the end each group
of at least MIN_ROWS rows must have a mean of x within Z standard errors (the pooled standard
deviation / sqrt(rows), Z from a false alarm of 1e-9 per table over its groups, Bonferroni) plus
the rounding's bound (half a unit of the last decimal, / f) of the pooled mean. A flattened curve
(the column without its factor) moves every group's mean by 1/f; a single changed value is not
caught (only a replay catches that). An expression of another form keeps the existing note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from sqlglot import exp

from streamforge.plan import TablePlan
from streamforge.plural import counted
from streamforge.verify.report import Report
from streamforge.verify.spark_sql import to_duckdb

MIN_ROWS = 100  # a group's mean of a skewed draw is near normal from about here
MAX_GROUPS = 64  # a factor with more values is no grouping (a continuous factor): not judged
FALSE_ALARM = 1e-9


@dataclass(slots=True)
class _Sums:
    form: tuple[str, str, float]  # (hidden column, factor in Spark SQL, rounding bound)
    groups: dict[float, np.ndarray] = field(default_factory=dict)  # f -> [rows, Σx, Σx²]


@dataclass(slots=True)
class ProductTally:
    """Per (table, column): sums of column / factor by the factor's value, over every file."""

    sums: dict[tuple[str, str], _Sums | None] = field(default_factory=dict)

    def add(
        self, table: TablePlan, data: pa.Table, column: str, text: str, hidden: set[str]
    ) -> bool:
        """Tally one file's rows of `column` (expression `text`); False when the expression is
        not a hidden draw times a factor over written columns (nothing tallied)."""
        key = (table.name, column)
        if key not in self.sums:
            self.sums[key] = _Sums(form) if (form := product_form(text, hidden)) else None
        sums = self.sums[key]
        if sums is None or column not in data.column_names:
            return False
        factor = _evaluate(sums.form[1], data)
        if factor is None:
            self.sums[key] = None
            return False
        values = data.column(column).combine_chunks()
        x = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
        f = np.asarray(factor, dtype=np.float64)
        col = table.spec.column(column)
        low, high = _bound(col.min if col else None, -np.inf), _bound(col.max if col else None)
        kept = ~np.isnan(x) & ~np.isnan(f) & (f > 0) & (x >= low) & (x <= high)
        ratio, f = x[kept] / f[kept], f[kept]
        for value in np.unique(f):
            rows = ratio[f == value]
            part = np.array([len(rows), rows.sum(), (rows * rows).sum()])
            sums.groups[float(value)] = sums.groups.get(float(value), np.zeros(3)) + part
        if len(sums.groups) > MAX_GROUPS:
            self.sums[key] = None
            return False
        return True

    def judge(self, report: Report) -> None:
        """A finding per column whose groups' means of column / factor differ beyond chance."""
        for (table, column), sums in self.sums.items():
            if sums is None:
                continue
            hidden, factor, rounding = sums.form
            big = {f: s for f, s in sums.groups.items() if s[0] >= MIN_ROWS}
            if len(big) < 2:
                continue
            total = np.sum(list(big.values()), axis=0)
            mean = total[1] / total[0]
            sd = float(np.sqrt(max(total[2] / total[0] - mean * mean, 0.0)))
            z = NormalDist().inv_cdf(1 - FALSE_ALARM / (2 * len(big)))
            slack_all = rounding / min(big)
            off = {
                f: s
                for f, s in big.items()
                if abs(s[1] / s[0] - mean) > z * sd / np.sqrt(s[0]) + rounding / f + slack_all
            }
            if not off:
                continue
            f, s = max(off.items(), key=lambda kv: abs(kv[1][1] / kv[1][0] - mean))
            rows = int(sum(s[0] for s in off.values()))
            report.add(
                table,
                -1,
                f"{counted(rows, 'row')} of {column} not following its expression: {column} / "
                f"({factor}) "
                f"should average the same in every group of rows ({hidden} is drawn on its own), "
                f"but where the factor is {f:g} it averages {s[1] / s[0]:.4g} against "
                f"{mean:.4g} over all {counted(int(total[0]), 'row')} ({len(off)} of {len(big)} "
                "groups "
                f"beyond {z:.1f} standard errors; judged by statistics: {hidden} could not be "
                "drawn again)",
                column=column,
                kind="expr_stats",
                count=rows,
                example=f,
            )
        for (table, column), sums in self.sums.items():
            if sums is not None and any(s[0] >= MIN_ROWS for s in sums.groups.values()):
                report.statistical.add(f"{table}.{column}")


def product_form(text: str, hidden: set[str]) -> tuple[str, str, float] | None:
    """(hidden column, factor as Spark SQL, rounding bound) when `text` is `H * f` or
    `round(H * f, d)` with H one of `hidden` and f naming none of them; else None."""
    try:
        tree = sqlglot.parse_one(text, read="spark")
    except sqlglot.errors.ParseError:
        return None
    rounding = 0.0
    if isinstance(tree, exp.Round):
        places = tree.args.get("decimals")
        if not isinstance(places, exp.Literal) or places.is_string:
            return None
        rounding = 0.5 * 10.0 ** -int(places.this)
        tree = tree.this
    if not isinstance(tree, exp.Mul):
        return None
    for draw, factor in ((tree.left, tree.right), (tree.right, tree.left)):
        named = {c.name for c in factor.find_all(exp.Column)}
        if isinstance(draw, exp.Column) and draw.name in hidden and not named & hidden:
            return draw.name, factor.sql(dialect="spark"), rounding
    return None


def _evaluate(spark: str, data: pa.Table) -> np.ndarray | None:
    """The factor over the landed rows as float64 (NaN for NULL); None when it cannot run."""
    rows = data.select([f.name for f in data.schema if not pa.types.is_nested(f.type)])
    naive = [
        c.cast(pa.timestamp(c.type.unit)) if pa.types.is_timestamp(c.type) else c
        for c in rows.columns
    ]
    rows = pa.table(naive, names=rows.column_names)
    con = duckdb.connect(config={"threads": 1})
    try:
        con.register("landed", rows)
        sql = f"SELECT CAST(({to_duckdb(spark, rows)}) AS DOUBLE) FROM landed"
        result = con.sql(sql).to_arrow_table().column(0)
    except (duckdb.Error, ValueError, sqlglot.errors.SqlglotError):
        return None  # a factor the oracle cannot run (e.g. it names a lookup): not judged
    finally:
        con.close()
    return pc.fill_null(result, float("nan")).to_numpy()


def _bound(value: float | str | None, default: float = np.inf) -> float:
    return float(value) if isinstance(value, int | float) else default
