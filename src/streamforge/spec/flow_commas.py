"""A type with a comma written unquoted inside a flow mapping: `{type: decimal(10,2)}`.

In `{...}` YAML splits at every comma, so that reads as `{type: "decimal(10", "2)": null}`, and the
user would meet "unknown key '2)'". The same happens to `map<string,int>`, `array<decimal(10,2)>`
and `decimal(10, 2)`. A value with more brackets opened than closed, followed by keys without a
value that close them, is that cut: the message shows the type as meant and how to quote it.
"""

from __future__ import annotations

import re
from typing import Any

# What the comma cut off: the rest of a type, ending in ) or > (`2)`, `int>`, `2)>`).
_TAIL = re.compile(r"[\w\s,<>()]*[)>]")


def cut_type(mapping: dict[Any, Any]) -> tuple[str, tuple[str, ...], str] | None:
    """(key whose value was cut, the keys the commas made, the type as meant), else None.

    `{type: decimal(10,2)}` -> ("type", ("2)",), "decimal(10,2)").
    """
    entries = list(mapping.items())
    for i, (key, value) in enumerate(entries):
        if not isinstance(value, str) or _open(value) <= 0:
            continue
        meant = value.strip()
        tails: list[str] = []
        for tail, tail_value in entries[i + 1 :]:
            if tail_value is not None or not isinstance(tail, str) or not _TAIL.fullmatch(tail):
                break
            meant += "," + tail.strip()
            tails.append(tail)
            if _open(meant) <= 0:
                return str(key), tuple(tails), meant
    return None


def cut_problem(column: str, key: str, read: str, tail: str, meant: str) -> tuple[str, str]:
    """(message, hint) for `key: meant` that YAML read as `key: read` and a key `tail`;
    `key` is a column name (in `columns: {...}`) or a column key (`type`, `items`, ...)."""
    where = f"column '{column}': "
    message = (
        f"{where}`{key}: {meant}` is cut at its comma: inside {{...}} a comma separates keys, "
        f"so YAML reads `{key}: {read}` and a key '{tail}'"
    )
    generic = generic_form(meant)
    if generic is not None:
        return message, f"write it as `{column}: {generic}`"
    if key == column:
        return message, f'quote it: `{key}: "{meant}"`'
    return message, f'quote it: `{{{key}: "{meant}"}}`'


def _open(text: str) -> int:
    return text.count("(") + text.count("<") - text.count(")") - text.count(">")


_GENERIC = re.compile(r"\s*(array|map)\s*<(.*)>\s*", re.IGNORECASE)


def generic_form(text: str) -> str | None:
    """Our form of a Spark-style generic type, else None: `array<decimal(10,2)>` ->
    `{type: array, items: "decimal(10,2)"}`, `map<string,int>` ->
    `{type: map, keys: string, values: int}`."""
    found = _GENERIC.fullmatch(text)
    if found is None:
        return None
    kind, inner = found.group(1).lower(), found.group(2).strip()
    if kind == "array":
        return f"{{type: array, items: {_quoted(inner)}}}"
    depth = 0
    for i, char in enumerate(inner):  # the comma between key and value types, not inside them
        depth += char in "(<"
        depth -= char in ")>"
        if char == "," and depth == 0:
            keys, values = inner[:i].strip(), inner[i + 1 :].strip()
            return f"{{type: map, keys: {_quoted(keys)}, values: {_quoted(values)}}}"
    return None


def _quoted(text: str) -> str:
    return f'"{text}"' if any(c in text for c in ",<>") else text
