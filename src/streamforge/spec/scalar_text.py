"""Values are the text the user wrote: a string column takes each scalar of `values`, `format`,
`min` and `max` as written, and validate warns where YAML 1.1 would read a scalar otherwise.

YAML 1.1 (PyYAML's default, and many other tools) reads unquoted `NO` as false, `010` as 8 and
`06:30` as 390; the loader reads YAML 1.2 (`yaml_lines`). A file that means different things to
different readers deserves a warning with the line and the quotes that make it unambiguous.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from typing import Any

import yaml

from streamforge.errors import Issue
from streamforge.spec.columns import ColumnProblem
from streamforge.spec.types import parse_type
from streamforge.spec.yaml_lines import LinedDocument, Path_, Scalar

TEXT_KEYS = ("values", "format", "min", "max")  # taken as written in a string column
FREE_TEXT_KEYS = ("description",)  # prose: no reader turns it into anything but text
_STR_TAG = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_UNREAD = object()  # YAML 1.1 cannot construct it (e.g. 2020-02-30): nothing to compare


def text_paths(raw: object, path: Path_) -> Iterator[Path_]:
    """Paths of the scalars that a column spec (and its array items / map keys and values)
    takes as written: `values` entries, `format`, `min` and `max` of every string column."""
    if not isinstance(raw, dict):
        return
    kind = _kind(raw.get("type"))
    if kind == "string":
        for key in TEXT_KEYS:
            value = raw.get(key)
            if isinstance(value, list):
                yield from ((*path, key, i) for i in range(len(value)))
            elif key in raw:
                yield (*path, key)
    elif kind == "array":
        yield from text_paths(raw.get("items"), (*path, "items"))
    elif kind == "map":
        yield from text_paths(raw.get("keys"), (*path, "keys"))
        yield from text_paths(raw.get("values"), (*path, "values"))


def as_written(raw: Any, path: Path_, doc: LinedDocument) -> Any:
    """`raw` (one column spec) with every text path's scalar replaced by its text.

    Raises ColumnProblem for a null entry in a string column's values: YAML reads `null`, `~`
    and an empty entry as no value, and the fix (quotes, or null_rate) is the user's call.
    """
    paths = set(text_paths(raw, path))
    return _replace(raw, path, paths, doc) if paths else raw


def _replace(value: Any, path: Path_, paths: set[Path_], doc: LinedDocument) -> Any:
    if path in paths:
        scalar = doc.scalars.get(path)
        if scalar is None:
            return value  # a list or mapping: the column builder reports the wrong shape
        if scalar.value is None and len(path) > 1 and path[-2] == "values":
            raise ColumnProblem(
                path,
                f"an entry of values is empty or null ({scalar.text or 'nothing'} written)",
                f'quote it ("{scalar.text}") for the text, or use null_rate for missing values',
            )
        return scalar.text if scalar.value is not None else None
    if isinstance(value, dict):
        return {k: _replace(v, (*path, k), paths, doc) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, (*path, i), paths, doc) for i, v in enumerate(value)]
    return value


def yaml11_warnings(doc: LinedDocument, where: str) -> list[Issue]:
    """A warning for each unquoted scalar that YAML 1.1 reads differently, where it matters."""
    columns = doc.data.get("columns") if isinstance(doc.data, dict) else None
    as_text: set[Path_] = set()
    if isinstance(columns, dict):
        for name, spec in columns.items():
            as_text.update(text_paths(spec, ("columns", name)))
    issues = []
    for path, scalar in doc.scalars.items():
        if not scalar.plain or (path and path[-1] in FREE_TEXT_KEYS):
            continue
        old = _yaml11(scalar.text)
        if old is _UNREAD or isinstance(old, date):
            continue  # dates are text to both readers here: bounds and values take ISO text
        new = scalar.value
        if isinstance(new, float) and not math.isfinite(new):
            continue  # 1e999, .nan: no column takes them; the field's own check says so
        if _same(old, new) or (isinstance(new, str) and _same(_number(new), old)):
            continue  # the same to both readers (1_000: the field parses the text to 1000)
        if path in as_text and isinstance(old, str):
            continue  # `1e3` in a string column: its text is what YAML 1.1 reads too
        taken = scalar.text if path in as_text else new
        issues.append(_warning(where, path, scalar, taken, old, path in as_text))
    return issues


def _warning(
    where: str, path: Path_, scalar: Scalar, taken: object, old: object, text_column: bool
) -> Issue:
    parts = path[1:] if path[:1] == ("columns",) else path
    label = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
    text = scalar.text
    message = (
        f"{label}: {text} is read as {_describe(taken)}, but YAML 1.1 readers "
        f"(PyYAML, many other tools) read it as {_describe(old)}"
    )
    if text_column or isinstance(taken, str):
        hint = f'quote it ("{text}") so that every YAML reader takes the text'
        if not text_column and not isinstance(old, str):
            hint += f", or write {_literal(old)}"
    else:
        hint = f'write {_literal(taken)} so that every YAML reader agrees (or "{text}" for text)'
    return Issue(where, scalar.line, message, hint, "warning")


_YAML11: yaml.SafeLoader | None = None


def _yaml11(text: str) -> object:
    """How PyYAML's SafeLoader (YAML 1.1) reads an unquoted scalar."""
    global _YAML11
    if _YAML11 is None:
        _YAML11 = yaml.SafeLoader("")
    tag = _YAML11.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR_TAG:
        return text
    try:
        return _YAML11.yaml_constructors[tag](_YAML11, yaml.ScalarNode(tag, text))
    except (ValueError, TypeError, yaml.YAMLError):
        return _UNREAD if tag == _TIMESTAMP_TAG else text


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _number(text: str) -> object:
    cleaned = text.replace("_", "")
    for convert in (int, float):
        try:
            return convert(cleaned)
        except ValueError:
            continue
    return None


def _describe(value: object) -> str:
    if isinstance(value, str):
        return f"the text '{value}'"
    return _literal(value)


def _literal(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _kind(type_name: object) -> str | None:
    try:
        return parse_type(type_name).name
    except ValueError:
        return None
