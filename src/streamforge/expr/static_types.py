"""`validate` without DuckDB: the type DuckDB binds an expression to, by rules over sqlglot's tree.

expr/bind.py writes an expression in DuckDB's SQL (with Spark's decimal arithmetic, expr/
spark_decimal.py) and asks DuckDB for its result type. Importing DuckDB and sqlglot's DuckDB
dialect and binding cost most of a cold `validate` (issue 14: < 0.3 s), so the common cases are
typed here instead, by the rules DuckDB follows for them:

- integers: TINYINT < SMALLINT < INTEGER < BIGINT < HUGEINT, `+ - *` keep the wider type; a
  number literal that fits 32 bits is an INTEGER; `/` of two integers is a DOUBLE;
- decimals (an integer operand counts as DECIMAL(3|5|10|19|38, 0)): `+ -` give
  DECIMAL(max(p1-s1, p2-s2) + max(s1,s2) + 1, max(s1,s2)), `*` DECIMAL(p1+p2, s1+s2), the
  width cut to 18 when both operands fit 64 bits and to 38 otherwise; a scale beyond 38 does not
  bind; a literal `0.55` is DECIMAL(3,2) (every digit written counts);
- Spark's decimal rules where bind.py rewrites to them: a division with a decimal operand is
  Spark's DECIMAL (spark_decimal.division_type), `+ - *` whose Spark type needs more than 18
  digits is computed from an operand widened to >= 19 digits (spark_decimal.wide_arithmetic);
- DOUBLE beside any number is a DOUBLE; CASE, COALESCE and arrays take the widest of their values
  (decimals: the most integral digits plus the largest scale); comparisons, AND/OR/NOT, IS [NOT]
  NULL and IN are BOOLEAN when their operands are of one kind (numbers, text, booleans, times);
  round(decimal, n) keeps the width with scale min(s, n); hour/minute/second/year/month/day are
  BIGINT.

Anything else (other functions, FLOAT, a string literal beside a number, map lookups, ...) is
None: the caller binds it in DuckDB as before, so a type clash is still reported in DuckDB's
words. tests/expr/test_static_types.py holds these rules equal to DuckDB's binding.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlglot import exp

from streamforge.expr import spark_decimal
from streamforge.expr.rowrefs import lookup_name

_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")
_INTEGER_DIGITS = {"TINYINT": 3, "SMALLINT": 5, "INTEGER": 10, "BIGINT": 19, "HUGEINT": 38}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")
_INT64_WIDTH = 18  # the widest decimal DuckDB keeps in 64 bits
_NULL = "NULL"
# A number literal that fits 32 bits: an INTEGER, except that beside a TINYINT or SMALLINT DuckDB
# gives the smaller type (`tinyint_col + 1` is a TINYINT); that case is left to DuckDB.
_LITERAL = "INTEGER LITERAL"
_CAST_TARGETS = {
    exp.DataType.Type.TINYINT: "TINYINT",
    exp.DataType.Type.SMALLINT: "SMALLINT",
    exp.DataType.Type.INT: "INTEGER",
    exp.DataType.Type.BIGINT: "BIGINT",
    exp.DataType.Type.DOUBLE: "DOUBLE",
    exp.DataType.Type.TEXT: "VARCHAR",
    exp.DataType.Type.VARCHAR: "VARCHAR",
}
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_TIME_PARTS = (exp.Hour, exp.Minute, exp.Second, exp.Year, exp.Month, exp.Day, exp.DayOfMonth)


def static_type(tree: exp.Expression, types: Mapping[str, str]) -> str | None:
    """DuckDB's result type of `bind.to_duckdb(parsed, types)` for the Spark tree `tree` (as
    `bind.result_type` names it: `DECIMAL(12,2)`, `BOOLEAN`, `"NULL"`), or None when these
    rules do not cover it. `types`: column or lookup name -> DuckDB type."""
    found = _Typer(types).type_of(tree)
    return '"NULL"' if found == _NULL else _plain(found)


def _plain(t: str | None) -> str | None:
    return "INTEGER" if t == _LITERAL else t


def decimal_of(type_name: str) -> tuple[int, int] | None:
    """(width, scale) of a DuckDB decimal or integer type; None for any other type."""
    found = _DECIMAL.fullmatch(type_name.replace(" ", ""))
    if found:
        return int(found[1]), int(found[2])
    digits = _INTEGER_DIGITS.get(type_name)
    return (digits, 0) if digits is not None else None


def _decimal(width: int, scale: int) -> str:
    return f"DECIMAL({width},{scale})"


def _is_number(t: str) -> bool:
    return t in _INTEGERS or t in (_LITERAL, "DOUBLE") or _DECIMAL.fullmatch(t) is not None


def _kind(t: str) -> str | None:
    """The family DuckDB compares within without a cast that could fail."""
    if _is_number(t):
        return "number"
    if t in ("VARCHAR", "BOOLEAN"):
        return t
    if t in ("TIMESTAMP", "DATE"):
        return "time"
    return None


def arithmetic(op: type[exp.Expression], a: str, b: str) -> str | None:
    """DuckDB's type of `a op b` (op: exp.Add, exp.Sub, exp.Mul) for two number types."""
    a, b = _integral(a, b), _integral(b, a)  # type: ignore[assignment]
    if a is None or b is None or not (_is_number(a) and _is_number(b)):
        return None
    if "DOUBLE" in (a, b):
        return "DOUBLE"
    if a in _INTEGERS and b in _INTEGERS:
        return max(a, b, key=_INTEGERS.index)
    (w1, s1), (w2, s2) = decimal_of(a), decimal_of(b)  # type: ignore[misc]
    if op is exp.Mul:
        width, scale = w1 + w2, s1 + s2
        if width > _INT64_WIDTH and max(w1, w2) <= _INT64_WIDTH:
            width = _INT64_WIDTH  # DuckDB stays in 64 bits and stops on an overflow
    else:
        scale = max(s1, s2)
        width = max(w1 - s1, w2 - s2) + scale + 1
    if scale > spark_decimal.MAX:
        return None  # DuckDB refuses to bind it
    return _decimal(min(width, spark_decimal.MAX), scale)


def widest(a: str, b: str) -> str | None:
    """DuckDB's common type of two values (CASE, COALESCE, an array); None: not these rules."""
    if a == _NULL:
        return _plain(b)
    if b == _NULL or a == b:
        return _plain(a)
    a, b = _integral(a, b), _integral(b, a)  # type: ignore[assignment]
    if a is None or b is None or not (_is_number(a) and _is_number(b)):
        return None
    if "DOUBLE" in (a, b):
        return "DOUBLE"
    if a in _INTEGERS and b in _INTEGERS:
        return max(a, b, key=_INTEGERS.index)
    (w1, s1), (w2, s2) = decimal_of(a), decimal_of(b)  # type: ignore[misc]
    scale = max(s1, s2)
    width = max(w1 - s1, w2 - s2) + scale
    return _decimal(width, scale) if width <= spark_decimal.MAX else None


def _integral(t: str, other: str) -> str | None:
    """A literal's type beside `other`: INTEGER, or None beside a TINYINT or SMALLINT."""
    if t != _LITERAL:
        return t
    return None if other in ("TINYINT", "SMALLINT") else "INTEGER"


def literal_type(node: exp.Literal) -> str | None:
    """DuckDB's type of a number or text literal as Spark SQL writes it."""
    if node.is_string:
        return "VARCHAR"
    text = str(node.this)
    if re.fullmatch(r"\d+", text):
        return _LITERAL if int(text) < 2**31 else None
    found = re.fullmatch(r"(0|[1-9]\d*)\.(\d+)", text)
    if found is None:
        return None
    width = len(found[1]) + len(found[2])
    return _decimal(width, len(found[2])) if width <= _INT64_WIDTH else None


class _Typer:
    def __init__(self, types: Mapping[str, str]):
        self.types = types
        # by node identity (the tree outlives the typer): Spark's rules ask for the same
        # subtrees again at every level, which would otherwise cost exponential time
        self.known: dict[int, str | None] = {}
        self.spark: dict[int, spark_decimal.Dec | None] = {}

    def type_of(self, node: exp.Expression) -> str | None:
        key = id(node)
        if key not in self.known:
            self.known[key] = self._type_of(node)
        return self.known[key]

    def _type_of(self, node: exp.Expression) -> str | None:
        if isinstance(node, exp.Column):
            name = node.name if not node.table else lookup_name(node.table, node.name)
            found = self.types.get(name)  # `DECIMAL(10, 2)` as sql_type writes it: as DuckDB
            return None if found is None else _DECIMAL.sub(r"DECIMAL(\1,\2)", found)
        if isinstance(node, exp.Literal):
            return literal_type(node)
        if isinstance(node, exp.Null):
            return _NULL
        if isinstance(node, exp.Boolean):
            return "BOOLEAN"
        if isinstance(node, exp.Paren):
            return self.type_of(node.this)
        if isinstance(node, exp.Neg):
            inner = self.type_of(node.this)
            return inner if inner is not None and _is_number(inner) else None
        if isinstance(node, exp.Add | exp.Sub | exp.Mul):
            return self._arithmetic(node)
        if isinstance(node, exp.Div) and not node.args.get("typed"):
            return self._division(node)
        if isinstance(node, _COMPARISONS):
            return self._boolean_if(self._same_kind([node.this, node.expression]))
        if isinstance(node, exp.In):
            if node.args.get("query") or node.args.get("unnest") or node.args.get("field"):
                return None
            return self._boolean_if(self._same_kind([node.this, *node.expressions]))
        if isinstance(node, exp.And | exp.Or):
            return self._boolean_if(self._all_boolean([node.this, node.expression]))
        if isinstance(node, exp.Not):
            return self._boolean_if(self._all_boolean([node.this]))
        if isinstance(node, exp.Is):
            is_null = isinstance(node.expression, exp.Null)
            return self._boolean_if(is_null and self.type_of(node.this) is not None)
        if isinstance(node, exp.Case):
            return self._case(node)
        if isinstance(node, exp.Coalesce):
            return self._widest([node.this, *node.expressions])
        if isinstance(node, exp.Cast):  # TryCast too
            return self._cast(node)
        if isinstance(node, exp.Round):
            return self._round(node)
        if isinstance(node, exp.Bracket):
            return self._element(node)
        if isinstance(node, exp.Array):
            inner = self._widest(node.expressions)
            return None if inner in (None, _NULL) else f"{inner}[]"
        if isinstance(node, _TIME_PARTS):
            inner = node.this
            if isinstance(inner, exp.TsOrDsToDate) and not inner.args.get("format"):
                inner = inner.this
            return "BIGINT" if self.type_of(inner) in ("TIMESTAMP", "DATE") else None
        return None

    def _boolean_if(self, ok: bool) -> str | None:
        return "BOOLEAN" if ok else None

    def _same_kind(self, nodes: list[exp.Expression]) -> bool:
        found = [self.type_of(n) for n in nodes]
        if any(t is None for t in found):
            return False
        kinds = {_kind(t) for t in found if t != _NULL}  # type: ignore[arg-type]
        return None not in kinds and len(kinds) <= 1

    def _all_boolean(self, nodes: list[exp.Expression]) -> bool:
        return all(self.type_of(n) in ("BOOLEAN", _NULL) for n in nodes)

    def _widest(self, nodes: list[exp.Expression]) -> str | None:
        found: str | None = _NULL
        for node in nodes:
            t = self.type_of(node)
            if t is None or found is None:
                return None
            found = widest(found, t)
        return found

    def _case(self, node: exp.Case) -> str | None:
        if node.this is not None:  # CASE x WHEN ...: not these rules
            return None
        ifs = node.args.get("ifs") or []
        if not self._all_boolean([i.this for i in ifs]):
            return None
        values = [i.args["true"] for i in ifs]
        default = node.args.get("default")
        return self._widest([*values, *([default] if default is not None else [])])

    def _spark(self, node: exp.Expression) -> spark_decimal.Dec | None:
        key = id(node)
        if key not in self.spark:
            self.spark[key] = spark_decimal.spark_type(node, lambda n: self.type_of(n) or "")
        return self.spark[key]

    def _arithmetic(self, node: exp.Add | exp.Sub | exp.Mul) -> str | None:
        a, b = self.type_of(node.this), self.type_of(node.expression)
        if a is None or b is None:
            return None
        # DuckDB's own type, which Spark's rules read where no decimal is involved
        plain = self.known[id(node)] = arithmetic(type(node), a, b)
        found = self._spark(node)
        left = self._spark(node.this)
        if found is None or not found[2] or found[0] <= _INT64_WIDTH or left is None:
            return plain
        # bind.py's wide_arithmetic: the left operand widened, cut to Spark's type if needed
        width = min(max(19, left[0] + 1), spark_decimal.MAX)
        wide = arithmetic(type(node), _decimal(width, left[1]), b)
        right = self._spark(node.expression)
        if wide is None or (right is not None and spark_decimal.uncut(node, left, right)):
            return wide
        return _decimal(found[0], found[1])  # cast to Spark's type, cut to 38 digits

    def _division(self, node: exp.Div) -> str | None:
        a, b = self.type_of(node.this), self.type_of(node.expression)
        if a is None or b is None or not (_is_number(a) and _is_number(b)):
            return None
        x, y = self._spark(node.this), self._spark(node.expression)
        if x is not None and y is not None and (x[2] or y[2]):
            return _decimal(*spark_decimal.division_type(x, y))
        return "DOUBLE"  # DuckDB's `/`

    def _cast(self, node: exp.Cast) -> str | None:
        to = node.args["to"]
        source = self.type_of(node.this)
        if source is None or not (_is_number(source) or source in ("VARCHAR", _NULL)):
            return None
        if to.this == exp.DataType.Type.DECIMAL:
            target = spark_decimal.cast_target_sql(to)
            found = decimal_of(target or "")
            if found is None or not 0 <= found[1] <= found[0] <= spark_decimal.MAX:
                return None
            return _decimal(*found) if found[0] > 0 else None
        return _CAST_TARGETS.get(to.this)

    def _round(self, node: exp.Round) -> str | None:
        inner = self.type_of(node.this)
        digits = node.args.get("decimals")
        if inner is None or not _is_number(inner):
            return None
        if digits is None:
            n = 0
        elif isinstance(digits, exp.Literal) and digits.is_int:
            n = int(str(digits.this))
        else:
            return None
        found = _DECIMAL.fullmatch(inner)
        if found is None:
            return _plain(inner)  # integers and doubles keep their type
        width, scale = int(found[1]), int(found[2])
        return _decimal(width, min(scale, n)) if n >= 0 else None

    def _element(self, node: exp.Bracket) -> str | None:
        if len(node.expressions) != 1:
            return None
        index = self.type_of(node.expressions[0])
        array = self.type_of(node.this)
        if index not in (*_INTEGERS, _LITERAL) or array is None or not array.endswith("[]"):
            return None
        return array[:-2]
