"""Spark SQL identifiers and literals, written by Spark's own rules (Databricks SQL shares them).

Spark SQL reads a backslash inside a string literal as an escape (`'\\n'`, `'\\\\'`, `'\\''`),
unlike standard SQL: a value written as-is loses its backslashes (`'CORP\\alice'` would mean
`CORPalice`). A timestamp literal without a zone is read in the session's time zone, so bounds
carry theirs (UTC when the YAML gives none, as the generator reads them).
"""

from __future__ import annotations

from datetime import UTC, datetime

_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quote(name: str) -> str:
    """A backquoted identifier: column names such as `timestamp` are SQL keywords."""
    return "`" + name.replace("`", "``") + "`"


def sql_string(text: str) -> str:
    """`text` as a Spark SQL string literal: one line, every character read back as written."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "'" + "".join(out) + "'"


def timestamp_literal(value: object) -> str:
    """`TIMESTAMP '...Z'`: the instant an ISO-8601 bound names (naive means UTC)."""
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return f"TIMESTAMP '{text}Z'"


def date_literal(value: object) -> str:
    """`DATE 'YYYY-MM-DD'` for an ISO-8601 date (a time part, if any, is ignored)."""
    return f"DATE '{str(value)[:10]}'"
