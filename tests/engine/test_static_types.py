"""expr/static_types.py types expressions as DuckDB binds them (validate without DuckDB): wherever
its rules give a type, it is the one DuckDB gives the SQL that expr/bind.py writes (Spark's decimal
rules included); where they give none, validate binds in DuckDB as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlglot import exp, parse_one

from streamforge import sectors
from streamforge.expr.bind import result_type, sql_type, to_duckdb
from streamforge.expr.check import resolve_lookup
from streamforge.expr.parse import ExprError, parse_expression
from streamforge.expr.rowrefs import lookup_name
from streamforge.expr.spark_decimal import cast_target_sql, of_duckdb
from streamforge.expr.static_types import static_type

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
SHIPPED = sorted(p.name for p in SCHEMA.iterdir() if any(p.glob("*.yml")))
INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT")
OTHERS = {"f": "DOUBLE", "s": "VARCHAR", "b": "BOOLEAN", "t": "TIMESTAMP", "dt": "DATE"}


def duckdb_type(text: str, types: dict[str, str]) -> str:
    """What validate reported before these rules: DuckDB's binding of bind.py's SQL."""
    parsed = parse_expression(text)
    try:
        return result_type(types, to_duckdb(parsed, types))
    except ExprError as exc:
        return f"does not bind: {exc.message}"


@st.composite
def decimals(draw: st.DrawFn) -> str:
    precision = draw(st.integers(1, 38))
    return f"DECIMAL({precision},{draw(st.integers(0, precision))})"


number_types = st.one_of(decimals(), st.sampled_from(INTEGERS))


@given(a=number_types, b=number_types, op=st.sampled_from("+-*/"))
def test_arithmetic_of_two_columns_is_duckdbs(a: str, b: str, op: str) -> None:
    """Every decimal precision and scale, every integer width, + - * /: the rules type it, and
    as DuckDB binds Spark's arithmetic (bind.py); a product whose scale passes 38 is left to
    DuckDB, which refuses it."""
    types = {"x": a, "y": b}
    found = static_type(parse_expression(f"x {op} y").tree, types)
    expected = duckdb_type(f"x {op} y", types)
    if found is None:
        assert expected.startswith("does not bind")
    else:
        assert found == expected


@given(a=decimals(), b=decimals())
def test_division_is_sparks_documented_type(a: str, b: str) -> None:
    """Spark: decimal(p1,s1) / decimal(p2,s2) is decimal(p1 - s1 + s2 + s, s) with
    s = max(6, s1 + p2 + 1), cut to 38 digits keeping the integral ones (scale >= 6)."""
    (p1, s1, _), (p2, s2, _) = of_duckdb(a), of_duckdb(b)  # type: ignore[misc]
    scale = max(6, s1 + p2 + 1)
    precision = p1 - s1 + s2 + scale
    if precision > 38:
        integral = precision - scale
        precision, scale = 38, max(38 - integral, min(scale, 6))
    found = static_type(parse_expression("x / y").tree, {"x": a, "y": b})
    assert found == f"DECIMAL({precision},{scale})"


LITERALS = st.one_of(
    st.integers(0, 2**40).map(str),
    st.builds(
        lambda whole, fraction: f"{whole}.{fraction}",
        st.sampled_from(["0", "1", "12", "100", "98765"]),
        st.text("0123456789", min_size=1, max_size=12),
    ),
    st.sampled_from(["NULL", "'a'", "true"]),
)
NAMES = st.sampled_from(["d0", "d1", "d2", "i", "l", "f", "s", "b", "t", "dt", "n0"])


def _combine(parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(parts, parts)
    kinds = st.sampled_from(["decimal(20,4)", "int", "bigint", "tinyint", "double", "string"])
    return st.one_of(
        st.builds(lambda p, op: f"({p[0]} {op} {p[1]})", pair, st.sampled_from("+-*/")),
        st.builds(lambda p, op: f"({p[0]} {op} {p[1]})", pair, st.sampled_from(["=", "<", "!="])),
        st.builds(lambda p, op: f"({p[0]} {op} {p[1]})", pair, st.sampled_from(["AND", "OR"])),
        st.builds(lambda a, n: f"round({a}, {n})", parts, st.integers(-1, 8)),
        st.builds(lambda a: f"-({a})", parts),
        st.builds(lambda a: f"NOT ({a})", parts),
        st.builds(lambda a: f"({a} IS NULL)", parts),
        st.builds(lambda a, k: f"cast({a} AS {k})", parts, kinds),
        st.builds(lambda c, p: f"CASE WHEN {c} THEN {p[0]} ELSE {p[1]} END", parts, pair),
        st.builds(lambda p: f"coalesce({p[0]}, {p[1]})", pair),
        st.builds(lambda p: f"({p[0]} IN ({p[1]}, 1))", pair),
        st.builds(lambda p, i: f"element_at(array({p[0]}, {p[1]}), {i})", pair, parts),
        st.builds(lambda a: f"hour({a})", parts),
    )


EXPRESSIONS = st.recursive(st.one_of(NAMES, LITERALS), _combine, max_leaves=8)


@given(text=EXPRESSIONS, d=st.lists(decimals(), min_size=3, max_size=3))
def test_any_expression_the_rules_type_is_typed_as_duckdb_binds_it(text: str, d: list[str]) -> None:
    """Random expressions over random decimal types, integers, text, booleans and times: where
    the rules give a type, DuckDB binds bind.py's SQL to that same type (so validate's verdict
    and words are the same); where DuckDB does not bind, the rules give none."""
    types = {"d0": d[0], "d1": d[1], "d2": d[2], "i": "INTEGER", "l": "BIGINT", **OTHERS}
    types["n0"] = "DECIMAL(5,2)[]"
    try:
        tree = parse_expression(text).tree
    except ExprError:
        return  # not one Spark expression: parse.py's message, before any typing
    found = static_type(tree, types)
    if found is not None:
        assert found == duckdb_type(text, types)


def test_the_rules_are_not_vacuous() -> None:
    """Their subset is the common one: decimal arithmetic, CASE, rounding, comparisons."""
    types = {"a": "DECIMAL(10,2)", "q": "INTEGER", "s": "VARCHAR", "t": "TIMESTAMP"}
    typed = {
        "round(a * q, 2)": "DECIMAL(29,2)",
        "CASE WHEN s IS NULL THEN 0 ELSE round(a * 0.1, 2) END": "DECIMAL(12,2)",
        "a / 3": "DECIMAL(14,6)",
        "a = q + 1 AND s IN ('x', 'y')": "BOOLEAN",
        "element_at(array(0.55, 1.45), hour(t) + 1)": "DECIMAL(3,2)",
        "q / 2": "DOUBLE",
        "NULL": '"NULL"',
    }
    for text, expected in typed.items():
        assert static_type(parse_expression(text).tree, types) == expected, text
    for text in ("upper(q)", "concat(s, q)", "s = 1", "q + '1'"):  # left to DuckDB
        assert static_type(parse_expression(text).tree, types) is None, text


@pytest.mark.parametrize("sector", SHIPPED)
def test_every_shipped_expression_is_typed_without_duckdb(sector: str) -> None:
    """What keeps DuckDB out of a cold `validate` of every shipped sector (issue 14)."""
    plan = sectors.plan_of(sector, SCHEMA)
    dims = {t.name: t.spec for t in plan.tables if t.kind == "dimension"}
    for table in plan.tables:
        fks = {c: fk.entity for c, fk in table.foreign_keys.items()}
        keys = {*fks, *([table.primary_key] if table.primary_key else [])}
        types = {c.name: sql_type(c, is_key=c.name in keys) for c in table.spec.columns}
        texts = [c.expr for c in table.spec.columns if c.expr] + [k.rule for k in table.spec.checks]
        for text in texts:
            parsed = parse_expression(text)
            for ref in parsed.lookups:
                lookup = resolve_lookup(ref, fks, dims)
                column = dims[lookup.entity].column(lookup.column)
                assert column is not None
                types[lookup_name(ref.qualifier or "", ref.column)] = sql_type(column)
            found = static_type(parsed.tree, types)
            assert found is not None, f"{table.name}: {text}"
            assert found == duckdb_type(text, types), f"{table.name}: {text}"


@pytest.mark.parametrize(
    "spark",
    ["int", "bigint", "smallint", "tinyint", "decimal(12,3)", "decimal(38,0)", "decimal", "double"],
)
def test_cast_targets_read_as_sqlglot_writes_them(spark: str) -> None:
    """spark_decimal reads a cast's target without sqlglot's DuckDB dialect; as it would with."""
    to = parse_one(f"cast(x AS {spark})", read="spark").args["to"]
    assert isinstance(to, exp.DataType)
    assert of_duckdb(cast_target_sql(to) or "") == of_duckdb(to.sql(dialect="duckdb").upper())
