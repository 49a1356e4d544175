"""Column type names as written in YAML: parsing `decimal(p,s)`, aliases, and hints for typos."""

from __future__ import annotations

import re
from dataclasses import dataclass

from streamforge.errors import did_you_mean
from streamforge.spec.model import TYPE_NAMES

# Names people reach for out of habit (SQL, Spark, Python); accepted so that such a file just works.
ALIASES = {
    "integer": "int",
    "bigint": "long",
    "timestamp": "datetime",
    "boolean": "bool",
    "str": "string",
    "text": "string",
    "list": "array",
}
_DECIMAL = re.compile(r"^decimal\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParsedType:
    name: str
    precision: int | None = None
    scale: int | None = None


def parse_type(text: object) -> ParsedType:
    """Parse a type name; raise ValueError with a hint that names the closest known type."""
    if not isinstance(text, str):
        raise ValueError(f"type must be a name such as 'int' or 'string', not {text!r}")
    name = text.strip().lower()
    match = _DECIMAL.match(name)
    if match:
        precision, scale = int(match[1]), int(match[2])
        if not 1 <= precision <= 38 or scale > precision:
            raise ValueError(
                f"decimal({precision},{scale}) is out of range; "
                "use 1 <= precision <= 38 and scale <= precision"
            )
        return ParsedType("decimal", precision, scale)
    if name == "decimal":
        return ParsedType("decimal", 10, 2)
    name = ALIASES.get(name, name)
    if name not in TYPE_NAMES:
        hint = did_you_mean(name, (*TYPE_NAMES, "decimal(10,2)"))
        known = ", ".join(TYPE_NAMES)
        raise ValueError(f"unknown type '{text}'; {hint or f'known types: {known}'}")
    return ParsedType(name)
