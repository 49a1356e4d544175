"""sqlglot's parse and tokenize errors in our words: what is wrong in the user's expression, where
(the character it stops at), and how to fix it. sqlglot's own phrasing ("Required keyword:
'expression' missing for <class 'sqlglot.expressions.core.Mul'>") names its classes, not the
user's text, so it never reaches a message."""

from __future__ import annotations

import re
from typing import Any

# sqlglot class name -> what the user wrote, for "an operand of ... is missing".
_WHAT = {
    "Add": "'+'",
    "Sub": "'-'",
    "Mul": "'*'",
    "Div": "'/'",
    "Mod": "'%'",
    "EQ": "'='",
    "NEQ": "'!='",
    "GT": "'>'",
    "GTE": "'>='",
    "LT": "'<'",
    "LTE": "'<='",
    "And": "AND",
    "Or": "OR",
    "Not": "NOT",
    "Between": "BETWEEN (it needs `x BETWEEN low AND high`)",
    "Case": "CASE (it needs `CASE WHEN <condition> THEN <value> ... END`)",
    "If": "if (it needs `if(<condition>, <value>, <otherwise>)`)",
    "DPipe": "'||'",
    "Like": "LIKE",
    "In": "IN",
    "Is": "IS",
}
_REQUIRED = re.compile(r"Required keyword: '\w+' missing for <class '[\w.]*?(\w+)'>")
_EXPECTED_AFTER = re.compile(r"Expected (\w+) after (\w+)")
_EXPECTING = re.compile(r"Expect(?:ed|ing) (\S+)$")
_FIX = 'write one Spark SQL expression, e.g. "round(price * quantity, 2)"'


def parse_problem(text: str, errors: list[dict[str, Any]]) -> tuple[str, str]:
    """(message, hint) for a sqlglot ParseError of `text`; `errors` is its `.errors`."""
    first = errors[0] if errors else {}
    description = str(first.get("description", ""))
    near = str(first.get("highlight") or "").strip()
    column = first.get("col")
    at = f" at character {column}" if isinstance(column, int) and column > 0 else ""
    required = _REQUIRED.search(description)
    if required:
        name = required.group(1)
        what = _WHAT.get(name, f"the function or operator before '{near}'" if near else "it")
        return (
            f"'{text}' is incomplete: a part of {what} is missing{at}",
            "complete it; " + _FIX,
        )
    after = _EXPECTED_AFTER.search(description)
    if after:
        wanted, keyword = after.groups()
        if keyword == "CAST":
            return (
                f"'{text}': '{near}' is not a Spark SQL type{at}",
                "cast to a type such as int, bigint, double, decimal(10,2), string, date, "
                "timestamp",
            )
        return f"'{text}': {keyword} needs {wanted}{at}", f"add {wanted}; {_FIX}"
    expecting = _EXPECTING.search(description)
    if expecting:
        wanted = expecting.group(1)
        return f"'{text}' misses a closing '{wanted}'{at}", f"add the missing '{wanted}'"
    shown = f" '{near}'" if near else ""
    return (
        f"cannot read '{text}' as Spark SQL: unexpected{shown}{at}",
        "check the operators, commas and parentheses there; " + _FIX,
    )


def token_problem(text: str) -> tuple[str, str]:
    """(message, hint) when sqlglot cannot even split `text` into words (a TokenError)."""
    return (
        f"cannot read '{text}' as Spark SQL: a quote is not closed, or a literal is malformed",
        "close every string with the quote it opened with ('text'), and write hex literals "
        "as X'0A1B'",
    )


# DuckDB's type names -> the Spark SQL names the user writes.
_SPARK_TYPES = {
    "VARCHAR": "string",
    "STRING_LITERAL": "string",
    "INTEGER": "int",
    "INTEGER_LITERAL": "int",
    "BIGINT": "bigint",
    "DOUBLE": "double",
    "FLOAT": "float",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
    '"NULL"': "null",
}
_CALL = re.compile(r"""(?:argument types|function call) ['"](.+?)\((.*)\)['"]""")


def spark_type(duck: str) -> str:
    """A DuckDB type name as Spark SQL writes it (`DECIMAL(10,2)` -> `decimal(10,2)`)."""
    return _SPARK_TYPES.get(duck.strip(), duck.strip().lower())


def bind_problem(text: str, message: str) -> tuple[str, str]:
    """(message, hint) when `text` parses but its functions and the row's types do not fit
    (`message`: DuckDB's binder error, never shown as it is: it speaks of DuckDB's types)."""
    call = _CALL.search(message)
    if call:
        name, arguments = call.groups()
        types = [spark_type(t) for t in re.split(r",\s*(?![^(]*\))", arguments) if t]
        what = f"'{name}'" if not name.isidentifier() else f"{name}()"
        return (
            f"'{text}': {what} does not take ({', '.join(types)})",
            "cast the values to the types it takes, e.g. cast(x AS double), or fix the column's "
            "type",
        )
    if message.startswith("syntax error"):
        return parse_problem(text, [])
    return (
        f"'{text}' does not fit the row's types ({message.rstrip('.')})",
        "check each function's arguments against the columns' types",
    )
