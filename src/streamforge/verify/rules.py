"""The rule each column declares, read from the table's YAML text by the oracle itself.

`verify` must not inherit a bug of the loader it checks, so it reads the YAML nodes (not the loaded
values): a plain scalar's text is what the user wrote (`NO` stays `NO`, `010` stays `010`), and
numbers are parsed exactly (`Decimal`, never float). Only the YAML *syntax* is shared (PyYAML).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

ALIASES = {
    "integer": "int",
    "bigint": "long",
    "timestamp": "datetime",
    "boolean": "bool",
    "str": "string",
    "text": "string",
    "list": "array",
}
DECIMAL_TYPE = re.compile(r"^decimal\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$", re.IGNORECASE)
# `int` is 32-bit: a value outside it is wrong even without min/max (keys are 64-bit, see below).
TYPE_BOUNDS = {"int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


@dataclass(frozen=True, slots=True)
class Rule:
    """What one column (or one nested element) may hold.

    `low`/`high`: exact bounds (`Decimal` for numbers, ISO-8601 text for datetime/date);
    `allowed`: the allowed values as written (text); `pattern`: a `#`/`?` format as a regex.
    """

    name: str
    type: str  # int long float double decimal string datetime date bool array map
    line: int = 0
    precision: int | None = None
    scale: int | None = None
    low: Decimal | str | None = None
    high: Decimal | str | None = None
    allowed: tuple[str, ...] | None = None
    pattern: re.Pattern[str] | None = None
    unique: bool = False
    null_rate: float = 0.0
    anomaly_rate: float = 0.0
    min_items: int = 1
    max_items: int = 3
    items: Rule | None = None
    keys: Rule | None = None
    values: Rule | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """The rule in words, for messages: `in ['NO', 'FI']`, `within [1, 10]`, ..."""
        if self.allowed is not None:
            return f"in {list(self.allowed)}"
        if self.pattern is not None:
            return f"matching {self.extra.get('format')!r}"
        parts = []
        if self.type == "decimal":
            parts.append(f"decimal({self.precision},{self.scale})")
        if self.low is not None or self.high is not None:
            parts.append(f"within [{_text(self.low)}, {_text(self.high)}]")
        return " ".join(parts) or self.type


def _text(bound: object) -> str:
    return "…" if bound is None else str(bound)


class RuleError(ValueError):
    """The YAML could not be read as a table: the loader would have refused it too."""


def read_rules(file: Path) -> dict[str, Rule]:
    """Column name -> Rule, from one table file (`schema/<Sector>/<table>.yml`)."""
    try:
        root = yaml.compose(Path(file).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(f"{file}: cannot read the table's YAML: {exc}") from None
    columns = _get(root, "columns")
    if not isinstance(columns, yaml.MappingNode):
        raise RuleError(f"{file}: no `columns:` mapping")
    return {
        k.value: _rule(str(k.value), v) for k, v in columns.value if isinstance(k, yaml.ScalarNode)
    }


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next(
        (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None
    )


def _scalar(node: yaml.Node | None) -> str | None:
    """A scalar's text exactly as written; None for a missing key or a YAML null."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    if node.style is None and node.value in ("", "~", "null", "Null", "NULL"):
        return None
    return str(node.value)


def _number(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.replace("_", ""))
    except InvalidOperation:
        return None


def _rate(node: yaml.Node | None) -> float:
    value = _number(_scalar(node))
    return float(value) if value is not None else 0.0


def _parse_type(text: str) -> tuple[str, int | None, int | None]:
    text = text.strip()
    match = DECIMAL_TYPE.match(text)
    if match:
        return "decimal", int(match[1]), int(match[2])
    name = ALIASES.get(text.lower(), text.lower())
    if name == "decimal":
        return "decimal", 10, 2
    return name, None, None


def _rule(name: str, node: yaml.Node) -> Rule:
    if isinstance(node, yaml.ScalarNode):
        kind, precision, scale = _parse_type(node.value)
        return Rule(name, kind, node.start_mark.line + 1, precision, scale)
    type_text = _scalar(_get(node, "type")) or "string"
    kind, precision, scale = _parse_type(type_text)
    items = keys = values = None
    allowed: tuple[str, ...] | None = None
    if kind == "array" and _get(node, "items") is not None:
        items = _rule(f"{name}[]", _get(node, "items"))  # type: ignore[arg-type]
    if kind == "map":
        if _get(node, "keys") is not None:
            keys = _rule(f"{name}{{key}}", _get(node, "keys"))  # type: ignore[arg-type]
        if _get(node, "values") is not None:
            values = _rule(f"{name}{{value}}", _get(node, "values"))  # type: ignore[arg-type]
    else:
        listed = _get(node, "values")
        if isinstance(listed, yaml.SequenceNode):
            allowed = tuple(v.value for v in listed.value if isinstance(v, yaml.ScalarNode))
    fmt = _scalar(_get(node, "format"))
    pattern = None
    if allowed is None and fmt is not None and kind == "string":
        if "|" in fmt:
            allowed = tuple(fmt.split("|"))  # alternatives are literal values (DESIGN §3)
        elif "#" not in fmt and "?" not in fmt:
            allowed = (fmt,)  # a format without slots is a constant
        else:
            pattern = re.compile(_format_regex(fmt))
    low_text, high_text = _scalar(_get(node, "min")), _scalar(_get(node, "max"))
    temporal = kind in ("datetime", "date")
    unique = (_scalar(_get(node, "unique")) or "").lower() == "true"
    items_node = (_get(node, "min_items"), _get(node, "max_items"))
    return Rule(
        name=name,
        type=kind,
        line=node.start_mark.line + 1,
        precision=precision,
        scale=scale,
        low=low_text if temporal else _number(low_text),
        high=high_text if temporal else _number(high_text),
        allowed=allowed,
        pattern=pattern,
        unique=unique,
        null_rate=_rate(_get(node, "null_rate")),
        anomaly_rate=_rate(_get(node, "anomaly_rate")),
        min_items=_count(items_node[0], 1),
        max_items=_count(items_node[1], 3),
        items=items,
        keys=keys,
        values=values,
        extra={"format": fmt} if fmt is not None else {},
    )


def _count(node: yaml.Node | None, default: int) -> int:
    value = _number(_scalar(node))
    return default if value is None else int(value)


def _format_regex(fmt: str) -> str:
    """`#` one digit, `?` one upper-case letter, anything else literal."""
    parts = ("[0-9]" if c == "#" else "[A-Z]" if c == "?" else re.escape(c) for c in fmt)
    return "^" + "".join(parts) + "$"
