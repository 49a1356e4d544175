"""How a column's problems are worded: each names its column (and the nested key: `items`, a map's
`keys`/`values`), and a key left empty that would silently drop what it asks for is refused."""

from __future__ import annotations

import re

from streamforge.spec.column_limits import ColumnProblem, Path_


def column_message(name: str, message: str) -> str:
    """A column's problem as the user reads it: naming the column. A rule of one key says what is
    wrong with the key ("min must be a number"); the column it belongs to is added here, once."""
    if re.search(rf"\b(column|total) '{re.escape(name)}'", message):
        return message
    return f"column '{name}': {message}"


def naming_key(name: str, within: str, message: str) -> str:
    """`message` of the spec nested at `within` (`items`) in column `name`, naming that key."""
    if re.search(rf"\b{re.escape(within.split('.')[-1])}\b", message):
        return message
    head = f"column '{name}': "
    if message.startswith(head) or f"column '{name}'" not in message:
        return f"{head}{within}: {message.removeprefix(head)}"
    return message.replace(f"column '{name}'", f"{within} of column '{name}'", 1)


# Keys whose empty value (`running:` with nothing after it, `running: null`) would silently drop
# what the key asks for: refused, since the user wrote the key to get it.
EMPTY_REFUSED = {
    "running": "write `running: {sum: <column>, by: <key column>}`",
    "expr": 'write the expression, e.g. `expr: "qty * price"`',
    "references": "write `references: <table>.<column>`",
    "faker": "write a Faker provider, e.g. `faker: company`",
    "format": 'write a format, e.g. `format: "ID-####"`',
    "weights": "write one weight per value, e.g. `weights: [0.7, 0.3]`",
}


def empty_problem(name: str, path: Path_, key: str) -> ColumnProblem:
    return ColumnProblem(
        (*path, key),
        f"column '{name}': {key} is empty",
        f"{EMPTY_REFUSED[key]}, or remove the key",
    )
