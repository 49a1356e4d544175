"""Turn one validated YAML column into a frozen ColumnSpec, checking the rules between its keys."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from streamforge.errors import did_you_mean
from streamforge.plural import counted
from streamforge.spec.column_limits import ColumnProblem, check_collection, check_numbers
from streamforge.spec.column_words import EMPTY_REFUSED, empty_problem, naming_key
from streamforge.spec.flow_commas import cut_problem, cut_type, generic_form
from streamforge.spec.key_applies import KEY_APPLIES
from streamforge.spec.model import INTEGER_TYPES, NUMERIC_TYPES, ColumnSpec, RunningSpec
from streamforge.spec.number_limits import bound_hint, bound_problem, to_units, unit_scale
from streamforge.spec.pydantic_words import Words, label, shown, translate
from streamforge.spec.types import ParsedType, parse_type
from streamforge.spec.yaml_models import ColumnModel, RunningModel

Path_ = tuple[str | int, ...]


def build_column(name: str, raw: Any, path: Path_) -> ColumnSpec:
    """Build a column from its shorthand (`int`) or mapping form; raise ColumnProblem.

    `path`: ("columns", name) for a column, longer for the spec nested in it (`items`, a map's
    `keys`/`values`), whose problems then name that key after the column (`column 'tags': items
    must be ...`): the advice is for the nested spec, not for the column."""
    within = ".".join(str(p) for p in path[2:])
    if not within:
        return _build(name, raw, path, name)
    try:
        return _build(name, raw, path, within)
    except ColumnProblem as problem:
        for each in (problem, *problem.others):
            each.message = naming_key(name, within, each.message)
        raise


def _build(name: str, raw: Any, path: Path_, written: str) -> ColumnSpec:
    """`written`: the key the spec is written under (the column's name, or `items`...)."""
    subject = f"column '{name}'" if written == name else f"column '{name}': {written}"
    if raw is None:
        raise ColumnProblem(path, f"{subject} has no type", f"write e.g. `{written}: string`")
    if isinstance(raw, str):
        parsed = _parse_type(raw, (*path,))
        if parsed.name in ("array", "map"):
            raise ColumnProblem(
                path,
                f"{subject} of type {parsed.name} needs the mapping form",
                "write `type: array` with `items: <type>`"
                if parsed.name == "array"
                else "write `type: map` with `keys: <type>` and `values: <type>`",
            )
        return ColumnSpec(
            name=name, type=parsed.name, precision=parsed.precision, scale=parsed.scale, line=0
        )
    if isinstance(raw, dict) and (cut := cut_type(raw)) is not None:
        key, tails, meant = cut
        message, hint = cut_problem(name, key, raw[key], tails[0], meant)
        problem = ColumnProblem((*path, tails[0]), message, hint)
        # the rest of the column, read as meant, in the same run (`mni: 0` beside the cut type)
        mended = {k: (meant if k == key else v) for k, v in raw.items() if k not in tails}
        try:
            build_column(name, mended, path)
        except ColumnProblem as more:  # what the cut's own message says once is left out
            problem.others = [p for p in (more, *more.others) if p.path != (*path, key)]
        raise problem
    if not isinstance(raw, dict):
        raise ColumnProblem(
            path,
            f"{subject} must be a type name or a mapping, not {shown(raw)}",
            f"write `{written}: int` or `{written}: {{type: int, min: 1, max: 10}}`",
        )
    from pydantic import ValidationError

    empty = [
        empty_problem(name, path, key) for key in EMPTY_REFUSED if key in raw and raw[key] is None
    ]
    given = {k: v for k, v in raw.items() if not (k in EMPTY_REFUSED and v is None)}
    problems: list[ColumnProblem] = []
    try:
        model = ColumnModel.model_validate(given)
    except ValidationError as exc:
        problems = [_column_problem(name, path, w) for w in translate(exc.errors(), given)]
    problems += empty
    if problems:
        first, *others = problems
        first.others = others
        raise first
    return _from_model(name, model, path)


# The keys of a column's nested mappings, for "did you mean" on an unknown one.
_NESTED_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("running",): tuple(RunningModel.model_fields),
}


def _column_problem(name: str, path: Path_, words: Words) -> ColumnProblem:
    """The first problem pydantic found in a column's mapping, in our words."""
    loc = (*path, *words.loc)
    if words.key == "extra_forbidden":
        key = str(words.loc[-1])
        inside = _NESTED_KEYS.get(tuple(str(p) for p in words.loc[:-1]))
        if inside is not None:  # `running: {summ: ...}`: the keys of that mapping, not a column's
            where = label(words.loc[:-1])
            hint = did_you_mean(key, inside) or f"{where} takes {', '.join(inside)}"
            return ColumnProblem(loc, f"unknown key '{key}' in {where} of column '{name}'", hint)
        hint = did_you_mean(key, ColumnModel.model_fields) or "see the column keys in README.md"
        return ColumnProblem(loc, f"unknown key '{key}' in column '{name}'", hint)
    if words.key == "missing" and words.loc == ("type",):
        return ColumnProblem(
            path,
            f"column '{name}' has no 'type'",
            "add `type: string` (or int, float, datetime, ...)",
        )
    return ColumnProblem(loc, f"column '{name}': {words.message}", words.hint)


def _parse_type(text: str, path: Path_):
    try:
        return parse_type(text)
    except ValueError as exc:
        generic = generic_form(text)
        if generic is not None:  # Spark's array<t> / map<k,v>: ours is the mapping form
            raise ColumnProblem(
                path, f"type '{text}' is Spark's notation", f"write `{generic}`"
            ) from None
        message, _, hint = str(exc).partition("; ")
        raise ColumnProblem(path, message, hint or None) from None


def _from_model(name: str, m: ColumnModel, path: Path_) -> ColumnSpec:
    parsed = _parse_type(m.type, (*path, "type"))
    kind = parsed.name
    items: ColumnSpec | None = None
    map_keys: ColumnSpec | None = None
    map_values: ColumnSpec | None = None
    values = m.values
    if kind == "array":
        if m.items is None:
            raise ColumnProblem(path, f"array column '{name}' needs `items: <type>`")
        items = build_column(name, m.items, (*path, "items"))
    elif kind == "map":
        if m.keys is None or values is None:
            raise ColumnProblem(
                path, f"map column '{name}' needs `keys: <type>` and `values: <type>`"
            )
        map_keys = build_column(name, m.keys, (*path, "keys"))
        if map_keys.type not in ("string", "int", "long", "bool"):
            raise ColumnProblem(
                (*path, "keys"),
                f"map keys of column '{name}' must be string, int, long or bool, "
                f"not {map_keys.type}",
            )
        map_values = build_column(name, values, (*path, "values"))
        values = None
    elif m.items is not None or m.keys is not None:
        raise ColumnProblem(path, f"items/keys apply to array and map columns, not to {kind}")
    if values is not None and not isinstance(values, list):
        raise ColumnProblem(
            (*path, "values"),
            f"values of column '{name}' must be a list",
            "write e.g. `values: [RED, GREEN, BLUE]`",
        )
    if values is not None and len(values) == 0:
        raise ColumnProblem((*path, "values"), f"values of column '{name}' is empty")
    if kind in ("array", "map"):
        check_collection(name, m, items, map_keys, map_values, path)
    low = _bound(m.min, parsed, (*path, "min"))
    high = _bound(m.max, parsed, (*path, "max"))
    _check_rules(name, kind, m, low, high, path, parsed.precision, parsed.scale)
    return ColumnSpec(
        name=name,
        type=kind,
        precision=parsed.precision,
        scale=parsed.scale,
        format=m.format,
        min=low,
        max=high,
        decimals=m.decimals,
        distribution=m.distribution,
        mean=m.mean,
        stddev=m.stddev,
        skew=m.skew,
        values=tuple(values) if values is not None else None,
        weights=tuple(m.weights) if m.weights is not None else None,
        null_rate=m.null_rate,
        unique=m.unique,
        references=m.references,
        faker=m.faker,
        anomaly_rate=m.anomaly_rate,
        expect=m.expect,
        description=m.description,
        sequence=m.sequence,
        min_items=m.min_items,
        max_items=m.max_items,
        items=items,
        map_keys=map_keys,
        map_values=map_values,
        expr=m.expr,
        hidden=m.hidden,
        running=(
            RunningSpec(m.running.sum, m.running.by, m.running.start)
            if m.running is not None
            else None
        ),
    )


def _bound(value: Any, parsed: ParsedType, path: Path_) -> float | str | None:
    if value is None:
        return None
    kind = parsed.name
    if kind in ("datetime", "date"):
        text = value.isoformat() if isinstance(value, date | datetime) else str(value)
        try:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ColumnProblem(
                path,
                f"{path[-1]} {shown(value)} is not an ISO-8601 date or time",
                'write e.g. "2020-01-31" or "2020-01-31T08:00:00Z"',
            ) from None
        return text
    key = str(path[-1])
    if kind in NUMERIC_TYPES:
        if isinstance(value, bool) or not isinstance(value, int | float):
            # the kind of value is wrong, not its size: the type's range is no help here
            raise ColumnProblem(
                path,
                f"{key} must be a number, not {shown(value)}",
                f"write a number without quotes, e.g. `{key}: 10`",
            )
        problem = bound_problem(kind, parsed.precision, parsed.scale, key, value)
        if problem is not None:
            raise ColumnProblem(path, problem, bound_hint(kind))
        return value
    raise ColumnProblem(
        path,
        f"{key} applies to numbers, dates and datetimes, not to {kind}",
        "drop it (a string column takes `values:` or `format:` instead)"
        if kind == "string"
        else "drop it",
    )


# Keys that say how to draw a value: a computed (expr) column draws none.
DRAWING_KEYS = ("format", "decimals", "mean", "stddev", "skew", "weights", "references", "faker")


def _check_computed(name: str, m: ColumnModel, path: Path_) -> None:
    drawing = [k for k in DRAWING_KEYS if getattr(m, k) is not None]
    drawing += ["distribution"] if m.distribution != "uniform" else []
    drawing += [k for k in ("unique", "sequence") if getattr(m, k)]
    if m.running is not None:
        # The value is the ledger's: anything that draws or changes it would break the chain.
        given = drawing + [k for k in ("expr", "min", "max", "values") if getattr(m, k) is not None]
        given += [k for k in ("null_rate", "anomaly_rate") if getattr(m, k)]
        if given:
            raise ColumnProblem(
                (*path, given[0]),
                f"column '{name}' is a running total (running:), so {given[0]} does not apply",
                "drop it: the value is `start` plus the sum of the key's earlier rows",
            )
        if m.type.replace(" ", "").split("(")[0] not in ("int", "long", "decimal"):
            raise ColumnProblem(
                (*path, "type"),
                f"running total '{name}' must be int, long or decimal(p,s), not {m.type}",
                "sums are exact: write e.g. `type: decimal(14,2)`",
            )
    if m.expr is not None and drawing:
        raise ColumnProblem(
            (*path, drawing[0]),
            f"column '{name}' is computed by its expr, so {drawing[0]} does not apply",
            "drop it (min/max and values stay as rules, null_rate and anomaly_rate apply after "
            "the expression)",
        )


def _check_rules(
    name: str,
    kind: str,
    m: ColumnModel,
    low: Any,
    high: Any,
    path: Path_,
    parsed_precision: int | None = None,
    parsed_scale: int | None = None,
) -> None:
    _check_computed(name, m, path)
    if low is not None and high is not None and _order_key(low) > _order_key(high):
        raise ColumnProblem((*path, "min"), f"min ({low}) is larger than max ({high})")
    if kind in ("int", "long", "decimal") and low is not None and high is not None:
        places = unit_scale(kind, parsed_scale)
        if m.decimals is not None:
            places = min(places, m.decimals)
        if to_units(low, places, upward=True) > to_units(high, places, upward=False):
            raise ColumnProblem(
                (*path, "min"),
                f"no {kind} with {places} decimal places lies between min ({low}) and max ({high})",
                "widen min/max",
            )
    for rule in KEY_APPLIES:
        if rule.given(m) and kind not in rule.types:
            raise ColumnProblem((*path, rule.key), rule.message.format(kind=kind), rule.hint)
    for key in ("mean", "stddev", "skew"):
        if not math.isfinite(getattr(m, key) if getattr(m, key) is not None else 0.0):
            raise ColumnProblem((*path, key), f"{key} must be a finite number")
    if m.format is not None and m.format == "":
        raise ColumnProblem((*path, "format"), "format is empty", "write a format, or drop it")
    if m.faker is not None and not _faker_has(m.faker):
        raise ColumnProblem(
            (*path, "faker"),
            f"unknown Faker provider '{m.faker}'",
            did_you_mean(m.faker, _faker_providers())
            or "see https://faker.readthedocs.io/en/master/providers.html",
        )
    if m.weights is not None:
        where = (*path, "weights")
        if not isinstance(m.values, list):
            raise ColumnProblem(where, "weights need a values list of the same length")
        if len(m.weights) != len(m.values):
            raise ColumnProblem(
                where,
                f"column '{name}': weights has {counted(len(m.weights), 'entry', 'entries')} but "
                f"values has {len(m.values)}",
                "give one weight per value",
            )
        finite = all(math.isfinite(w) and w >= 0 for w in m.weights)
        if not finite or not 0 < sum(m.weights) < math.inf:
            raise ColumnProblem(
                where, "weights must be finite, non-negative and add up to more than 0"
            )
    has_rule = (
        low is not None
        or high is not None
        or m.values is not None
        or (m.format is not None and "|" in m.format)
    )
    if m.anomaly_rate > 0 and m.null_rate > 0 and not has_rule and not m.references:
        raise ColumnProblem(
            (*path, "anomaly_rate"),
            f"column '{name}' has no min/max or allowed values, so its anomalies are nulls, "
            "which null_rate also produces",
            "add min/max or values, or drop null_rate",
        )
    if isinstance(m.values, list) and kind not in ("map", "array"):
        _check_values(m.values, kind, (*path, "values"))
        if kind in NUMERIC_TYPES:
            check_numbers(m.values, kind, parsed_precision, parsed_scale, (*path, "values"))
    if m.unique and ((m.values is not None and kind != "map") or (m.format and "|" in m.format)):
        raise ColumnProblem(
            (*path, "unique"),
            "unique does not apply to a column with a fixed list of values",
            "drop unique, or drop the list",
        )


def _check_values(values: list, kind: str, path: Path_) -> None:
    """Each category must be a value of the column's type."""
    for value in values:
        if kind in NUMERIC_TYPES:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            ok = ok and (
                kind not in INTEGER_TYPES or isinstance(value, int) or float(value).is_integer()
            )
        elif kind == "bool":
            ok = isinstance(value, bool)
        elif kind in ("datetime", "date"):
            ok = isinstance(value, date | datetime) or (isinstance(value, str) and _is_iso(value))
        else:
            ok = isinstance(value, str | int | float | bool)
        if not ok:
            raise ColumnProblem(
                path,
                f"value {shown(value)} is not {_article(kind)} {kind}",
                f"every entry of values must be {_article(kind)} {kind}",
            )


def _is_iso(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _order_key(value: Any) -> Any:
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    return value


def _faker_providers() -> tuple[str, ...]:
    from streamforge.spec.faker_names import faker_providers

    return faker_providers()


def _faker_has(name: str) -> bool:
    return name in _faker_providers()
