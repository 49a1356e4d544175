"""Every `expr:` column judged on each landed file, lookups as of the event time (issue 13.1, 13.2).

A column such as `lower(shop.region)`, `round(quantity * product.unit_price_usd, 2)` or
`coalesce(note, customer.segment)` must equal its expression evaluated over the row, each lookup
being the dimension's column *as it stood at the row's event time* (lookups.History: the oracle's
own replay of the landed snapshot and change feed). The expression is read from the YAML here,
parsed by sqlglot as Spark SQL (translated with Spark's exact decimals, verify/spark_sql.py) and
run by the oracle's own DuckDB query over the landed columns plus the as-of values,
then cast to the landed column's type: none of the generator's expression code runs. An
expression without lookups (`round(amount * 0.9, 2)`) is the degenerate case: no as-of values, no
event time needed. An expression naming a column that is not written (hidden) cannot be evaluated
and is not judged (one note per column); a column with an `anomaly_rate` must differ on exactly
the rows the manifest counts for it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from sqlglot import exp

from streamforge.plan import TablePlan
from streamforge.plural import counted
from streamforge.verify.absent import absent
from streamforge.verify.report import Report, shown
from streamforge.verify.spark_sql import to_duckdb

EARLIEST = np.iinfo(np.int64).min
TOLERANCE = 1e-9  # relative, for floating-point results (DuckDB and Spark may round the last bit)


@dataclass(frozen=True, slots=True)
class Ref:
    """One lookup inside an expression: `<prefix>.<source>` through the fact's `fk` column."""

    fk: str
    entity: str
    source: str
    alias: str  # the name its as-of value takes in the evaluated table


@dataclass(frozen=True, slots=True)
class ExprLookup:
    """One `expr:` column; `refs` is empty for an expression over the row alone."""

    column: str  # the fact's column
    sql: str  # the expression in Spark SQL, lookups renamed to their aliases
    refs: tuple[Ref, ...]
    inputs: frozenset[str]  # the row's own columns it reads
    nullable: bool  # the column has a null_rate: its nulls are not judged
    # `checks:` with an anomaly_rate that name the column: their broken rows (the manifest
    # counts them under the check's name) may differ from the expression on purpose
    broken_by: tuple[str, ...] = ()
    # the column has an anomaly_rate: exactly the manifest's count of its rows differ
    anomalous: bool = False


def parse_expr_lookup(
    column: str, text: str, table: TablePlan, nullable: bool
) -> ExprLookup | None:
    """The expression with its lookups (if any) resolved through the table's foreign keys; None
    when it names a prefix that is no foreign key or dimension, or does not parse."""
    try:
        tree = sqlglot.parse_one(text, read="spark")
    except sqlglot.errors.ParseError:
        return None
    refs: dict[tuple[str, str], Ref] = {}
    inputs = set()
    for node in list(tree.find_all(exp.Column)):
        prefix = node.table
        if not prefix:
            inputs.add(node.name)
            continue
        fk = resolve_fk(table, prefix)
        if fk is None:
            return None
        key = (fk, node.name)
        if key not in refs:
            alias = f"__lookup_{len(refs)}"
            refs[key] = Ref(fk, table.foreign_keys[fk].entity, node.name, alias)
        node.replace(exp.column(refs[key].alias, quoted=True))
    return ExprLookup(
        column, tree.sql(dialect="spark"), tuple(refs.values()), frozenset(inputs), nullable
    )


def resolve_fk(table: TablePlan, prefix: str) -> str | None:
    """The foreign-key column a lookup goes through: `<fk_column>.` or `<dimension>.` (when one
    column of the table points at that dimension)."""
    if prefix in table.foreign_keys:
        return prefix
    through = [c for c, fk in table.foreign_keys.items() if fk.entity == prefix]
    return through[0] if len(through) == 1 else None


def judge_expr_lookups(
    report: Report,
    table: TablePlan,
    cycle: int,
    data: pa.Table,
    lookups: list[ExprLookup],
    histories: dict,
    announced: dict | None = None,
) -> None:
    """Rows of one file whose column differs from its expression over the row (and the dimension
    as it stood at the row's event time, for lookups), beyond the rows the manifest says checks
    broke on purpose (`announced`: the file's anomalies). `histories`: (entity, column) ->
    lookups.History. Expressions with lookups are skipped when the file has no event time (the
    caller notes it); lookup-free ones need none."""
    event = table.event_time
    timed = np.ones(data.num_rows, dtype=bool)
    asked = np.full(data.num_rows, EARLIEST, dtype=np.int64)
    has_event = event is not None and event in data.column_names
    if has_event:
        assert event is not None
        times = pc.cast(data.column(event), pa.int64()).to_numpy(zero_copy_only=False)
        timed = data.column(event).is_valid().to_numpy(zero_copy_only=False)
        asked = np.where(timed, times, EARLIEST)
    for look in lookups:
        if look.refs and not has_event:
            continue
        needed = {look.column, *look.inputs, *(ref.fk for ref in look.refs)}
        if absent(report, table.name, f"expression {look.column}", needed, data):
            # reads a hidden column the replay could not draw (hidden_replay.py says why)
            report.unjudged.setdefault("expressions", set()).add(f"{table.name}.{look.column}")
            continue
        judged = timed.copy() if look.refs else np.ones(data.num_rows, dtype=bool)
        columns = {name: _naive(data.column(name)) for name in look.inputs}
        for ref in look.refs:
            history = histories.get((ref.entity, ref.source))
            if history is None:
                judged[:] = False
                break
            fk = data.column(ref.fk)
            keys = pc.cast(fk, pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
            found, stood = history.as_of(keys, asked)
            # A null key looks up NULL; a key the dimension never had is an orphan (reported
            # elsewhere), so its row is not judged here.
            present = fk.is_valid().to_numpy(zero_copy_only=False)
            judged &= found | ~present
            if stood is None:
                stood = pa.nulls(data.num_rows)
            columns[ref.alias] = _naive(
                pc.if_else(pa.array(present & found), stood, pa.scalar(None, stood.type))
            )
        landed = data.column(look.column).combine_chunks()
        if look.nullable:
            judged &= landed.is_valid().to_numpy(zero_copy_only=False)
        if not judged.any():
            continue
        expected = _evaluate(look.sql, pa.table(columns), landed.type)
        allowed = sum(int((announced or {}).get(name, 0)) for name in look.broken_by)
        own = int((announced or {}).get(look.column, 0)) if look.anomalous else None
        _report(report, table, cycle, data, look, landed, expected, judged, allowed, own)


def _report(report, table, cycle, data, look, landed, expected, judged, allowed, own) -> None:
    """`own`: the manifest's anomalies of the column itself (None: it has no anomaly_rate);
    the rows that differ must then be exactly those (with `allowed` more that checks broke)."""
    if pa.types.is_floating(landed.type):
        a = landed.to_numpy(zero_copy_only=False).astype(np.float64)
        b = expected.to_numpy(zero_copy_only=False).astype(np.float64)
        same = np.isclose(a, b, rtol=TOLERANCE, atol=0) | (np.isnan(a) & np.isnan(b))
    else:
        equal = pc.fill_null(pc.equal(landed, expected), False).to_numpy(zero_copy_only=False)
        nulls = pc.and_(landed.is_null(), expected.is_null()).to_numpy(zero_copy_only=False)
        same = equal | nulls
    wrong = judged & ~same
    count = int(wrong.sum())
    if own is None and count <= allowed:
        return
    if own is not None and own <= count <= own + allowed:
        return
    i = int(np.flatnonzero(wrong)[0]) if count else 0
    key = table.primary_key if table.primary_key in data.column_names else None
    if key is None and look.refs:
        key = look.refs[0].fk
    example = data.column(key)[i].as_py() if key else i
    over = (
        f" over the dimensions as they stood at {table.event_time}"
        if look.refs
        else " over the row"
    )
    report.add(
        table.name,
        cycle,
        f"{counted(count, 'row')} of {look.column} differing from its expression{over}"
        + (f", manifest says {own}" if own is not None else "")
        + (
            f" (e.g. {key or 'row'} {example}: {shown(landed[i].as_py())}, the expression gives "
            f"{shown(expected[i].as_py())})"
            if count
            else ""
        ),
        column=look.column,
        kind="lookup" if look.refs else "expr",
        count=int(wrong.sum()),
        example=example,
    )


def _naive(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Timestamps without their zone (DuckDB compares and adds naive UTC times)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_timestamp(array.type) and array.type.tz is not None:
        return array.cast(pa.timestamp(array.type.unit))
    return array


def _evaluate(sql: str, rows: pa.Table, target: pa.DataType) -> pa.Array:
    """The Spark SQL `sql` over `rows` in DuckDB (Spark's decimal arithmetic kept), cast to
    `target` as Spark's cast to the declared type."""
    sql = to_duckdb(sql, rows)
    cast = _duck_type(target)
    select = f"CAST(({sql}) AS {cast})" if cast else f"({sql})"
    con = duckdb.connect(config={"threads": 1})
    try:
        con.register("landed", rows)
        result = con.sql(f"SELECT {select} AS v FROM landed").to_arrow_table()
    finally:
        con.close()
    assert result is not None
    values = result.column(0).combine_chunks()
    with contextlib.suppress(pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values = values.cast(target, safe=False)
    return values


def _duck_type(t: pa.DataType) -> str | None:
    if pa.types.is_decimal(t):
        return f"DECIMAL({t.precision},{t.scale})"
    simple = {
        pa.string(): "VARCHAR",
        pa.large_string(): "VARCHAR",
        pa.int8(): "TINYINT",
        pa.int16(): "SMALLINT",
        pa.int32(): "INTEGER",
        pa.int64(): "BIGINT",
        pa.float32(): "FLOAT",
        pa.float64(): "DOUBLE",
        pa.bool_(): "BOOLEAN",
        pa.date32(): "DATE",
    }
    if pa.types.is_timestamp(t):
        return "TIMESTAMP"
    return simple.get(t)
