"""Expressions follow Spark SQL with ANSI mode on, as Databricks runs it (Spark 4's default):
where Spark stops the query, the engine stops the run with Spark's error class, the column and
the fix, instead of writing a NULL that Databricks would never have produced.

| in an `expr:` or a check rule        | Spark (ANSI on)            | fix that gives NULL        |
|--------------------------------------|----------------------------|----------------------------|
| `x / 0`, `x div 0`                   | DIVIDE_BY_ZERO             | try_divide(x, y), nullif   |
| `x % 0`, `mod(x, 0)`                 | REMAINDER_BY_ZERO          | nullif                     |
| `cast('abc' AS int)`, `'1.5'` to int | CAST_INVALID_INPUT         | try_cast                   |
| `cast(1e10 AS int)`, a decimal cast  | CAST_OVERFLOW, NUMERIC_... | try_cast                   |
| a decimal quotient beyond its type   | NUMERIC_VALUE_OUT_OF_RANGE | try_divide                 |
| int/bigint/decimal `+ - *` overflow  | ARITHMETIC_OVERFLOW        | a wider type               |

The value of an expression is then cast to its column's declared type, which is StreamForge's
rule, not an expression's: a value that does not fit becomes NULL (the README says so).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamforge.errors import StreamForgeError

if TYPE_CHECKING:  # a run without expressions loads no sqlglot (AnsiError is caught everywhere)
    from sqlglot import exp

# DuckDB's error() inside a CASE runs for the rows that reach it only.
_ZERO = "[DIVIDE_BY_ZERO] Division by zero"

_NULL_CAST = "write try_cast(... AS <type>) to get NULL instead"
_NULL_DIVIDE = "write try_divide(x, y) or x / nullif(y, 0) to get NULL instead"
_FIXES = {
    "DIVIDE_BY_ZERO": _NULL_DIVIDE,
    "REMAINDER_BY_ZERO": "write x % nullif(y, 0) to get NULL instead",
    "CAST_INVALID_INPUT": _NULL_CAST,
    "CAST_OVERFLOW": _NULL_CAST,
    "NUMERIC_VALUE_OUT_OF_RANGE": "cast to a wider decimal, or " + _NULL_CAST,
    "ARITHMETIC_OVERFLOW": "cast an operand to a wider type (bigint, decimal(38, s)) first",
}


def _error_class(message: str) -> str | None:
    """Spark's error class for what DuckDB's message says; None: not an ANSI stop."""
    if "DIVIDE_BY_ZERO" in message or "Division by zero" in message:
        return "REMAINDER_BY_ZERO" if " % " in message else "DIVIDE_BY_ZERO"
    if "Could not convert string" in message or "CAST_INVALID_INPUT" in message:
        return "CAST_INVALID_INPUT"
    wide = "DECIMAL" in message or "INT128" in message
    if "Overflow in" in message:
        return "NUMERIC_VALUE_OUT_OF_RANGE" if wide else "ARITHMETIC_OVERFLOW"
    if "out of range" in message or "Could not cast value" in message:
        return "NUMERIC_VALUE_OUT_OF_RANGE" if wide else "CAST_OVERFLOW"
    return None


class AnsiError(StreamForgeError):
    """An expression stopped where Spark SQL (ANSI mode) stops the query.

    Attributes:
        error_class: Spark's error class (DIVIDE_BY_ZERO, CAST_INVALID_INPUT, CAST_OVERFLOW,
            ARITHMETIC_OVERFLOW).
        column: the computed column (or check) whose expression stopped, when known.
        detail: the engine's own words.
        fix: how to get NULL instead, as Spark SQL spells it.
    """

    def __init__(self, error_class: str, detail: str, fix: str, column: str | None = None):
        self.error_class, self.detail, self.fix, self.column = error_class, detail, fix, column
        super().__init__(self.describe())

    def describe(self, where: str = "", text: str = "") -> str:
        what = f"{where}: " if where else (f"{self.column}: " if self.column else "")
        expr = f"`{text}` " if text else ""
        return (
            f"{what}expression {expr}stopped with [{self.error_class}] ({self.detail}). "
            "Expressions follow Spark SQL with ANSI mode on, as Databricks runs them, which stops "
            f"the query here too: {self.fix}"
        )

    def at(self, where: str, text: str) -> AnsiError:
        """The same error naming `where` (e.g. `orders.total`, cycle) and the expression."""
        located = AnsiError(self.error_class, self.detail, self.fix, self.column)
        located.args = (self.describe(where, text),)
        return located


def nonzero(divisor: exp.Expression, dividend: exp.Expression) -> exp.Expression:
    """`divisor`, stopping the query with DIVIDE_BY_ZERO where it is 0 and the dividend is not
    NULL (Spark: NULL / 0 is NULL; DuckDB's own `%` and `//` behave so already)."""
    from sqlglot import exp

    d, n = divisor.sql(dialect="duckdb"), dividend.sql(dialect="duckdb")
    return exp.maybe_parse(
        f"CASE WHEN ({d}) = 0 AND ({n}) IS NOT NULL THEN error('{_ZERO}') ELSE ({d}) END",
        dialect="duckdb",
    )


def guard_division(node: exp.Expression) -> exp.Expression:
    """A `transform` step: every `/` stops on a zero divisor (DuckDB's gives inf), except by a
    non-zero number literal; `%` and `//` need nothing (DuckDB's stop by themselves)."""
    from sqlglot import exp

    if isinstance(node, exp.Div) and not node.meta.get("guarded"):
        divisor = node.expression
        if not (isinstance(divisor, exp.Literal) and divisor.is_number and float(divisor.this)):
            node.set("expression", nonzero(divisor, node.this))
        node.meta["guarded"] = True
    return node


_INTEGRAL = {"TINYINT", "SMALLINT", "INT", "BIGINT"}
_FRACTIONAL = ("DECIMAL", "DOUBLE", "FLOAT", "REAL")
_INTEGER_TEXT = "[+-]?[0-9]+"


def integral_cast(node: exp.Cast, operand_type: str) -> exp.Expression | None:
    """Spark's cast of text or a fraction to an integral type, where DuckDB's differs: Spark
    truncates a fraction (DuckDB rounds: 1.5 -> 2) and, for text, takes an integer only
    (trimmed; '1.5' stops with CAST_INVALID_INPUT, try_cast gives NULL). None: DuckDB's cast
    is Spark's already. `operand_type`: DuckDB's type of the operand."""
    from sqlglot import exp

    to = node.args["to"]
    if not isinstance(to, exp.DataType) or to.this.name not in _INTEGRAL:
        return None
    value = node.this.sql(dialect="duckdb")
    target = to.sql(dialect="duckdb")
    safe = isinstance(node, exp.TryCast)
    if operand_type.upper().startswith(_FRACTIONAL):
        sql = f"{'TRY_CAST' if safe else 'CAST'}(trunc({value}) AS {target})"
    elif operand_type.upper() == "VARCHAR":
        text = f"trim({value})"
        integer = f"regexp_full_match({text}, '{_INTEGER_TEXT}')"
        if safe:
            sql = f"TRY_CAST(CASE WHEN {integer} THEN {text} END AS {target})"
        else:
            stop = f"error('[CAST_INVALID_INPUT] Could not convert string to {target}')"
            cases = f"WHEN {integer} THEN {text} WHEN {text} IS NOT NULL THEN {stop}"
            sql = f"CAST(CASE {cases} END AS {target})"
    else:
        return None
    return exp.maybe_parse(sql, dialect="duckdb")


def ansi_error(error: Exception, column: str | None = None) -> AnsiError | None:
    """The AnsiError a DuckDB error stands for; None for any other error (a bug, re-raised)."""
    message = str(error).split("\n")[0]
    for prefix in ("Invalid Input Error: ", "Conversion Error: ", "Out of Range Error: "):
        message = message.removeprefix(prefix)
    error_class = _error_class(message)
    if error_class is None:
        return None
    detail = message.removeprefix(f"[{error_class}] ").split(". Use TRY(")[0]
    return AnsiError(error_class, detail, _FIXES[error_class], column)
