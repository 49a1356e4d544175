"""Spark's decimal division in DuckDB: the result type Spark gives, and the value exact to it.

DuckDB divides two decimals in DOUBLE; Spark (ANSI mode on, as Databricks runs it; spark.sql.
decimalOperations.allowPrecisionLoss=true, the default) gives decimal(p, s) with s = max(6, s1 +
p2 + 1) and p = p1 - s1 + s2 + s, scale cut to fit 38 digits (never below 6), the quotient
rounded HALF_UP to s; a zero divisor or a quotient that does not fit stops the query
(DIVIDE_BY_ZERO, NUMERIC_VALUE_OUT_OF_RANGE; expr/ansi.py). So `price / 3` for a
decimal(10,2) price is decimal(23,13) in Spark, and a column of scale 2 reads that rounded once
more, HALF_UP: through a double the value could land on the other side of a half cent.

An integral operand counts as decimal(3|5|10|20, 0) (TINYINT, SMALLINT, INT, BIGINT); a numeric
literal as Spark types it: `2` -> decimal(1,0), `0.0825` -> decimal(4,4). The quotient is
computed in 128-bit integers, `(2|n| + |d|) div 2|d|` with the sign after: HALF_UP, exact. Types
too wide for that (more than ~36 digits in play) keep DuckDB's DOUBLE quotient, cast to Spark's
type (the value then holds ~15 significant digits).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlglot import exp

Dec = tuple[int, int, bool]  # precision, scale, whether a decimal (else an integral number)
MAX = 38
_INTEGRAL = {"TINYINT": 3, "SMALLINT": 5, "INTEGER": 10, "BIGINT": 20}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def adjust(precision: int, scale: int) -> tuple[int, int]:
    """Spark's DecimalType.adjustPrecisionScale: keep the integral digits, cut the scale."""
    if precision <= MAX:
        return precision, scale
    integral = precision - scale
    return MAX, max(MAX - integral, min(scale, 6))


def division_type(a: Dec, b: Dec) -> tuple[int, int]:
    """Spark's result type of decimal(p1,s1) / decimal(p2,s2)."""
    (p1, s1, _), (p2, s2, _) = a, b
    scale = max(6, s1 + p2 + 1)
    return adjust(p1 - s1 + s2 + scale, scale)


def of_duckdb(type_name: str) -> Dec | None:
    """The Spark decimal view of a DuckDB type name; None for a non-exact number or no number."""
    found = _DECIMAL.fullmatch(type_name.replace(" ", ""))
    if found:
        return int(found[1]), int(found[2]), True
    digits = _INTEGRAL.get(type_name)
    return (digits, 0, False) if digits is not None else None


def of_literal(node: exp.Expression) -> Dec | None:
    """Spark's type of a numeric literal (a leading minus included), as decimal arithmetic
    reads it; None for anything else (an exponent makes a double)."""
    if isinstance(node, exp.Neg):
        node = node.this
    if not isinstance(node, exp.Literal) or node.is_string:
        return None
    text = str(node.this)
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", text):
        return None
    whole, _, fraction = text.partition(".")
    digits = (whole + fraction).lstrip("0")
    if not fraction:
        return max(len(digits), 1), 0, False
    return max(len(digits), len(fraction), 1), len(fraction), True


def cast_target_sql(to: exp.DataType) -> str | None:
    """The DuckDB SQL sqlglot writes for a cast's target type, for the types `of_duckdb` reads
    (`DECIMAL(10, 2)`, `TINYINT`, `SMALLINT`, `BIGINT`; `INT` too, which it does not); None for
    any other type. Written here, so typing a cast loads no DuckDB dialect (a cold `validate`)."""
    kind = to.this
    if kind == exp.DataType.Type.DECIMAL:
        params = [p.this for p in to.expressions]
        if len(params) == 2 and all(isinstance(p, exp.Literal) and p.is_int for p in params):
            return f"DECIMAL({params[0].this}, {params[1].this})"
        return None
    return kind.name if kind.name in ("TINYINT", "SMALLINT", "INT", "BIGINT") else None


def spark_type(node: exp.Expression, duck_type: Callable[[exp.Expression], str]) -> Dec | None:
    """Spark's decimal type of `node` (DuckDB SQL tree), following Spark's rules for literals,
    casts, + - * / and round; other expressions take the type DuckDB binds them to."""
    known = node.meta.get("spark_type") if node.meta else None
    if known is not None:
        return known  # type: ignore[no-any-return]
    literal = of_literal(node)
    if literal is not None:
        return literal
    if isinstance(node, exp.Paren | exp.Neg):
        return spark_type(node.this, duck_type)
    if isinstance(node, exp.Cast | exp.TryCast):
        return of_duckdb(cast_target_sql(node.to) or "")
    if isinstance(node, exp.Add | exp.Sub | exp.Mul):
        a, b = spark_type(node.this, duck_type), spark_type(node.expression, duck_type)
        if a is None or b is None or not (a[2] or b[2]):
            return _bound(node, duck_type)
        (p1, s1, _), (p2, s2, _) = a, b
        if isinstance(node, exp.Mul):
            return (*adjust(p1 + p2 + 1, s1 + s2), True)
        scale = max(s1, s2)
        return (*adjust(max(p1 - s1, p2 - s2) + scale + 1, scale), True)
    if isinstance(node, exp.Round) and isinstance(node.args.get("decimals"), exp.Literal):
        inner = spark_type(node.this, duck_type)
        digits = int(str(node.args["decimals"].this))
        if inner is not None and inner[2] and digits >= 0:
            p, s, _ = inner
            scale = min(s, digits)
            return min(p - s + 1 + scale, MAX), scale, True
    return _bound(node, duck_type)


def _bound(node: exp.Expression, duck_type: Callable[[exp.Expression], str]) -> Dec | None:
    return of_duckdb(duck_type(node).upper())


def wide_arithmetic(
    node: exp.Add | exp.Sub | exp.Mul, duck_type: Callable[[exp.Expression], str]
) -> exp.Expression | None:
    """`node` computed in 128 bits when Spark's type of it has more than 18 digits (e.g.
    int * decimal(10,2) is decimal(21,2)); None when DuckDB's own is enough.

    The left operand is widened to at least 19 digits (DuckDB's smallest 128-bit decimal, and
    one more digit than it had), so DuckDB's result type has room for Spark's. Spark's type is
    kept in the node's meta for the expressions around it; a result Spark had to cut to 38
    digits is cast to it (a value that does not fit stops the query, as in Spark with ANSI on)."""
    found = spark_type(node, duck_type)
    if found is None or not found[2] or found[0] <= 18:
        return None
    left = spark_type(node.this, duck_type)
    if left is None:
        return None
    width = min(max(19, left[0] + 1), MAX)
    wide = node.copy()
    operand = node.this.sql(dialect="duckdb")
    wide.set("this", exp.maybe_parse(f"CAST(({operand}) AS DECIMAL({width}, {left[1]}))"))
    a, b = left, spark_type(node.expression, duck_type)
    if b is not None and uncut(node, a, b):
        wide.meta["spark_type"] = found
        return wide
    # CAST: a value beyond Spark's cut type stops the query (ANSI, expr/ansi.py)
    typed = f"CAST(({wide.sql(dialect='duckdb')}) AS DECIMAL({found[0]}, {found[1]}))"
    return exp.maybe_parse(typed, dialect="duckdb")


def uncut(node: exp.Expression, a: Dec, b: Dec) -> bool:
    """Whether Spark's type of `a op b` is the exact one (no digits cut to fit 38), so the
    value always fits it."""
    (p1, s1, _), (p2, s2, _) = a, b
    if isinstance(node, exp.Mul):
        return p1 + p2 + 1 <= MAX
    return max(p1 - s1, p2 - s2) + max(s1, s2) + 1 <= MAX


def exact_division(
    num: exp.Expression, den: exp.Expression, a: Dec, b: Dec
) -> exp.Expression | None:
    """DuckDB SQL for Spark's decimal `num / den` (types `a`, `b`; at least one a decimal):
    the quotient HALF_UP at Spark's scale, as decimal(p, s) of Spark's result type; None when
    neither operand is a decimal (Spark divides integers as doubles, like DuckDB)."""
    if not (a[2] or b[2]):
        return None
    p, s = division_type(a, b)
    (p1, s1, _), (p2, s2, _) = a, b
    shift = s + s2 - s1  # quotient's unscaled value = A * 10^shift / B (A, B unscaled)
    target = f"DECIMAL({p}, {s})"
    if p1 + s1 > MAX or p2 + s2 > MAX or p1 + max(shift, 0) > 36 or p2 + max(-shift, 0) > 36:
        double = exp.Div(this=num, expression=den).sql(dialect="duckdb")  # guarded after
        return exp.maybe_parse(f"CAST(({double}) AS {target})", dialect="duckdb")
    top = _scaled(_unscaled(num, p1, s1), max(shift, 0))
    bottom = _scaled(_unscaled(den, p2, s2), max(-shift, 0))
    # CAST: a quotient of more than p digits stops the query in Spark (ANSI overflow)
    digits = f"CAST(({_quotient(top, bottom)}) AS DECIMAL({p}, 0))"
    sql = f"CAST({digits} * {_tenth(s)} AS {target})"
    return exp.maybe_parse(sql, dialect="duckdb")


def _unscaled(node: exp.Expression, p: int, s: int) -> str:
    value = f"CAST(({node.sql(dialect='duckdb')}) AS DECIMAL({p}, {s}))"
    return f"CAST({value} * {10**s} AS HUGEINT)" if s else f"CAST({value} AS HUGEINT)"


def _scaled(sql: str, digits: int) -> str:
    return f"({sql} * CAST({10**digits} AS HUGEINT))" if digits else sql


def _quotient(top: str, bottom: str) -> str:
    """HALF_UP (away from zero) integer quotient; a zero divisor stops the query with
    DIVIDE_BY_ZERO (Spark with ANSI mode on)."""
    d = bottom  # DuckDB's divide() (`//`) stops on a zero divisor itself; NULL gives NULL.
    # The function form, not `//`: the SQL is read back by sqlglot, which mistakes a nested `//`.
    return f"divide(2 * abs({top}) + abs({d}), 2 * abs({d})) * sign({top}) * sign({d})"


def _tenth(scale: int) -> str:
    """10^-scale as an exact decimal literal."""
    return "1" if scale == 0 else "0." + "0" * (scale - 1) + "1"
