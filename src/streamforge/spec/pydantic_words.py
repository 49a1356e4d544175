"""pydantic's validation errors in our words: the YAML key as written, what kind of value it takes,
the value found, and a fix. pydantic's phrasing ("Input should be a valid integer", union members
such as `min.float`, `[key]`) describes its models, not the user's file, so none of it is shown.

`translate` answers one `Words` per YAML key at fault: the errors pydantic gives for each member of
a union (`min: float | int | date | str`) become one message naming every kind the key accepts.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from streamforge.errors import did_you_mean

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

Loc = tuple[str | int, ...]

# pydantic error type -> the kind of value the key takes, as a user would say it.
_KINDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping of key: value",
    "model_type": "a mapping of key: value",
    "model_attributes_type": "a mapping of key: value",
    "list_type": "a list such as [1, 2, 3]",
    "datetime_type": "a date-time",
    "datetime_parsing": "a date-time",
    "datetime_from_date_parsing": "a date-time",
    "date_type": "a date",
    "date_parsing": "a date",
    "date_from_datetime_parsing": "a date",
}
_KIND_FIX = {
    "text": 'write text (quote it when it looks like a number or a date: "010")',
    "a whole number": "write a whole number without quotes, e.g. 100",
    "a number": "write a number without quotes, e.g. 0.5",
    "true or false": "write true or false",
    "a mapping of key: value": "write indented `key: value` lines, or {key: value, ...}",
    "a list such as [1, 2, 3]": "write [a, b, c], or one `- item` line each",
}
_BOUNDS = {
    "less_than": ("lt", "below"),
    "less_than_equal": ("le", "at most"),
    "greater_than": ("gt", "above"),
    "greater_than_equal": ("ge", "at least"),
}


@dataclass(frozen=True, slots=True)
class Words:
    """One problem: `loc` is the path of keys in the YAML (no pydantic union members), `key` the
    pydantic error type of the first error there (missing, extra_forbidden, ...)."""

    loc: Loc
    key: str
    message: str
    hint: str | None


def translate(errors: Sequence[ErrorDetails], data: Any) -> list[Words]:
    """Every error of a ValidationError of `data` (the mapping validated) as one Words per key.

    An error on a key whose deeper keys also have errors is left out: the value is a mapping of
    the right kind, and the deeper message says what is wrong in it.
    """
    groups: dict[Loc, list[ErrorDetails]] = {}
    on_key: set[Loc] = set()
    for error in errors:
        loc, is_key = _yaml_loc(tuple(error["loc"]), data, error["type"] == "missing")
        groups.setdefault(loc, []).append(error)
        if is_key:
            on_key.add(loc)
    deeper = {loc[:i] for loc in groups for i in range(len(loc))}
    words = [
        _words(loc, group, loc in on_key)
        for loc, group in groups.items()
        if loc not in deeper or all(e["type"] in ("missing", "extra_forbidden") for e in group)
    ]
    # `typ: string` is one mistake, not two: the unknown key's "did you mean 'type'?" says it
    misspelt = {
        (w.loc[:-1], close)
        for w in words
        if w.key == "extra_forbidden" and w.loc
        for close in difflib.get_close_matches(str(w.loc[-1]), _missing(words, w.loc[:-1]), 1)
    }
    return [w for w in words if not (w.key == "missing" and (w.loc[:-1], w.loc[-1]) in misspelt)]


def _missing(words: list[Words], parent: Loc) -> list[str]:
    return [str(w.loc[-1]) for w in words if w.key == "missing" and w.loc[:-1] == parent]


def label(loc: Loc) -> str:
    """`profile.bursts.probability`, `profile.hourly[3]`: the key as the user finds it."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def shown(value: Any) -> str:
    """A value as YAML shows it: `true`, `empty`, `[1, x]`, `{a: 1}`, `'text'`."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return str(value)


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else shown(value)


def _yaml_loc(loc: Loc, data: Any, missing: bool) -> tuple[Loc, bool]:
    """`loc` without pydantic's union members (`float`, `CheckModel`, `function-after[...]`), by
    walking `data`: a part that is no key of the mapping at hand is not the user's, except the
    last one of a `missing` key. True when the error is about the last key itself (`[key]`), not
    its value."""
    kept: list[str | int] = []
    node = data
    is_key = False
    for part in loc:
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_list or (isinstance(node, dict) and part in node):
            kept.append(part)
            node = node[part]
        elif part == "[key]":
            is_key = True
    if missing and loc and (not kept or kept[-1] != loc[-1]):
        kept.append(loc[-1])
    return tuple(kept), is_key


def _words(loc: Loc, group: list[ErrorDetails], is_key: bool) -> Words:
    first = group[0]
    kind = first["type"]
    name = label(loc)
    found = shown(first.get("input"))
    ctx: dict[str, Any] = dict(first.get("ctx") or {})
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        what = "key" if is_key else "value"
        return Words(
            loc,
            kind,
            f"{name}: {found} is not an allowed {what}",
            did_you_mean(str(first.get("input")), allowed) or f"use {_either(allowed)}",
        )
    if kind == "value_error":  # raised by our own validators: already in our words
        message = str(first["msg"]).removeprefix("Value error, ")
        return Words(loc, kind, message if message.startswith(name) else f"{name}: {message}", None)
    if kind in _BOUNDS:
        field, words = _BOUNDS[kind]
        bound = ctx.get(field)
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)  # `at least 0`, as the user would write it
        fix = f"use a value {words} {bound}"
        return Words(loc, kind, f"{name} must be {words} {bound}, not {found}", fix)
    if kind in ("too_short", "string_too_short", "dict_too_short", "list_too_short"):
        return Words(loc, kind, f"{name} is empty", f"give {name} a value, or remove the key")
    if kind == "missing":
        inside = f"{label(loc[:-1])}: " if len(loc) > 1 else ""
        return Words(loc, kind, f"{inside}missing required key '{loc[-1] if loc else ''}'", None)
    if kind == "extra_forbidden":
        return Words(loc, kind, f"unknown key '{loc[-1] if loc else name}'", None)
    kinds = list(dict.fromkeys(_KINDS[e["type"]] for e in group if e["type"] in _KINDS))
    if "a number" in kinds and "a whole number" in kinds:
        kinds.remove("a whole number")  # a union of int and float: any number
    if kinds:
        fix_kind: str | None = _KIND_FIX.get(kinds[0])
        if len(kinds) > 1:
            fix_kind = f"write {_either(kinds)} (a date as 2024-01-31)"
        return Words(loc, kind, f"{name} must be {_either(kinds)}, not {found}", fix_kind)
    return Words(
        loc,
        kind,
        f"{name} cannot take {found}",
        "see the schema language in README.md for what this key takes",
    )


def _either(options: list[str]) -> str:
    if len(options) <= 1:
        return "".join(options)
    return ", ".join(options[:-1]) + " or " + options[-1]
