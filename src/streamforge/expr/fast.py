"""The common shapes of row expressions evaluated with numpy, with DuckDB's exact values.

Why: a chunk's expressions through DuckDB cost ~7 ms per 65,536 rows even when they are one
product and a round (registering the Arrow table ~1.4 ms, binding ~1 ms, converting in and out),
against ~0.3 ms of arithmetic. This module evaluates the DuckDB SQL that `expr/bind.py` writes
(Spark's semantics already in it) when every node is one it knows: columns, numeric literals,
+ - *, unary minus, parentheses, `ROUND(x, d)` with a literal d >= 0, and CAST / TRY_CAST to
DECIMAL, DOUBLE, INTEGER, BIGINT or BOOLEAN; `/` of doubles and integers (one IEEE division,
as DuckDB; Spark's division of decimals is an INT128 formula here, not compiled); comparisons,
AND/OR/NOT, IS NULL, COALESCE and CASE over numbers and booleans (expr/fast_logic.py, Spark's
NULL logic); text `=`, `<>` and `IN`, a CASE choosing a text or timestamp column or NULL,
`hour(ts)` and a list of numbers indexed by it (expr/fast_text.py). Anything else (other
functions, text built or ordered, date arithmetic) is not compiled and the stage runs in DuckDB.

Values are exact and follow DuckDB, which tests/engine/test_expr_fast.py holds on random inputs:
- decimals are 64-bit unscaled integers; + - * exact; a scale cut (ROUND, CAST) rounds half
  away from zero; a CAST to DECIMAL(p, s) that does not fit p digits is NULL for TRY_CAST;
- a decimal becomes a double correctly rounded (|unscaled| <= 2^53: one IEEE division);
- ROUND(double, d) rounds the EXACT binary value of x half away from zero at d places (then
  / 10^d; x itself when that is not finite), while a double becomes DECIMAL(p, s) as the
  rounded double x * 10^s rounded half away (NULL when NaN or >= 10^p): DuckDB differs there,
  and so does this module (2888.725 rounds to 2888.72, but casts to 2888.73).
Whenever a value could leave 64 bits, or DuckDB would stop with an error (a plain CAST that
overflows, an INTEGER sum beyond 32 bits), `Bail` is raised and the caller asks DuckDB, which
then computes (or refuses) exactly as before: the fast path never decides an edge case.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

_SAFE = 2**63 - 1  # magnitudes an int64 holds
# Exact numbers stay below 18 digits and scale 18: DuckDB's types then always hold them (its
# decimal results of 18 digits or fewer stop the query beyond 10^18: "Overflow in multiplication
# of DECIMAL(18)"), and every sum or rescale of two of them fits 64 bits.
_DIGITS = 10**18
_EXACT_DOUBLE = 2**53  # integers a double holds exactly
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")
_INTS = {"INT": 32, "INTEGER": 32, "BIGINT": 64}
_NOT_NUMBERS = frozenset({"bool", "text", "ts", "null"})  # kinds no arithmetic takes here


class Bail(Exception):
    """These values need DuckDB (a possible 64-bit overflow, or a DuckDB error to reproduce)."""


@dataclass(frozen=True, slots=True)
class Val:
    """A column of values: `kind` "dec" (int64 unscaled at `scale`), "int" (int64, DuckDB's
    INTEGER when bits == 32), "double" (float64), "bool" or "text" (a string column, in
    `text`); `valid` None when nothing is NULL. NULL slots hold 0 (NaN, False), so bounds
    computed over all slots stay meaningful."""

    kind: str
    data: np.ndarray
    valid: np.ndarray | None
    scale: int = 0
    bits: int = 64
    text: pa.Array | None = None  # kind "text" only: a text column written unchanged


Env = Mapping[str, pa.Array]
Fn = Callable[[Env], Val]
Node = tuple[Any, ...]  # expr/fast_tree.py


def fast_levels(
    table: pa.Table, levels: Sequence[Mapping[str, str]], types: Mapping[str, pa.DataType]
) -> pa.Table | None:
    """What `duck.evaluate_levels` returns for the same arguments, or None when a column needs
    DuckDB (an expression this module does not compile, or values near an overflow)."""
    from streamforge.expr.duck import duck_type

    compiled = [
        {name: compile_cast(sql, duck_type(types[name])) for name, sql in level.items()}
        for level in levels
    ]
    if any(fn is None for level in compiled for fn in level.values()):
        return None
    env: dict[str, pa.Array] = {}
    for name in table.column_names:
        column = table.column(name)
        env[name] = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    names: list[str] = []
    try:
        for level in compiled:
            made = {
                name: to_arrow(fn(env), types[name], table.num_rows)  # type: ignore[misc]
                for name, fn in level.items()
            }
            env.update(made)
            names += made
    except Bail:
        return None
    schema = pa.schema([pa.field(n, types[n]) for n in names])
    return pa.Table.from_arrays([env[n] for n in names], schema=schema)


@functools.lru_cache(maxsize=1024)
def compile_cast(sql: str, target: str) -> Fn | None:
    """`TRY_CAST((sql) AS target)` (the query `evaluate_levels` runs) as a function of the
    row's columns; None when some node is not one this module evaluates. The SQL is read by
    expr/fast_tree.py, kept across processes (expr/kept.py): a warm run loads no sqlglot."""
    from streamforge.expr.kept import recall

    def read() -> Node | None:
        from streamforge.expr.fast_tree import read_cast

        return read_cast(sql, target)

    tree = recall("fast", (sql, target), read)
    if (
        tree is not None
        and tree[0] == "cast"
        and tree[1][0] == "col"
        and tree[2] in ("VARCHAR", "TEXT")
    ):
        return _text_column(tree[1][1])  # a text column (a lookup) written as it is
    try:
        return None if tree is None else _compile(tree)
    except _Unsupported:
        return None


class _Unsupported(Exception):
    pass


def _compile(node: Node) -> Fn:
    kind = node[0]
    if kind == "cast":
        return _cast_fn(_compile(node[1]), node[2], try_=node[3])
    if kind == "col":
        name = node[1]
        return lambda env: read(env[name]) if name in env else _missing(name)
    if kind == "lit":
        value = _literal(node[1])
        return lambda env: value
    if kind == "bool":
        truth = Val("bool", np.array([node[1]]), None)
        return lambda env: truth
    if kind == "neg":
        inner = _compile(node[1])
        return lambda env: _neg(inner(env))
    if kind == "Div":
        a, b = _compile(node[1]), _compile(node[2])
        return lambda env: divide(a(env), b(env))
    if kind in ("Add", "Sub", "Mul"):
        a, b = _compile(node[1]), _compile(node[2])
        return lambda env: arithmetic(kind, a(env), b(env))
    if kind == "round":
        inner, digits = _compile(node[1]), node[2]
        return lambda env: round_val(inner(env), digits)
    if kind in ("str", "null", "hour", "index"):
        return _compile_text(node)
    return _compile_logic(node)


def _compile_text(node: Node) -> Fn:
    """Text and NULL literals, `hour(ts)` and a list lookup (expr/fast_text.py)."""
    from streamforge.expr import fast_text as ft

    kind = node[0]
    if kind == "str":
        literal = ft.text_literal(node[1])
        return lambda env: literal
    if kind == "null":
        null = ft.null_literal()
        return lambda env: null
    if kind == "hour":
        inner = _compile(node[1])
        return lambda env: ft.hour(inner(env))
    items = [_compile(item) for item in node[1][1:]]
    index = _compile(node[2])
    return lambda env: ft.element([item(env) for item in items], index(env))


def _compile_logic(node: Node) -> Fn:
    from streamforge.expr import fast_logic as fl

    kind = node[0]
    if kind == "in":  # x IN (a, b): x = a OR x = b, NULL logic included
        x, items = _compile(node[1]), [_compile(item) for item in node[2:]]

        def within(env: Env) -> Val:
            value = x(env)
            found = fl.compare("EQ", value, items[0](env))
            for item in items[1:]:
                found = fl.logic("Or", found, fl.compare("EQ", value, item(env)))
            return found

        return within
    if kind in ("EQ", "NEQ", "LT", "LTE", "GT", "GTE", "And", "Or"):
        a, b = _compile(node[1]), _compile(node[2])
        if kind in ("And", "Or"):
            return lambda env: fl.logic(kind, a(env), b(env))
        return lambda env: fl.compare(kind, a(env), b(env))
    if kind in ("not", "isnull"):
        inner, op = _compile(node[1]), fl.negate if kind == "not" else fl.is_null
        return lambda env: op(inner(env))
    if kind == "coalesce":
        parts = [_compile(part) for part in node[1:]]
        return lambda env: fl.coalesce([part(env) for part in parts])
    if kind == "case":
        whens = [(_compile(c), _compile(v)) for c, v in node[1]]
        default = _compile(node[2])
        return lambda env: fl.choose(
            [c(env) for c, _ in whens], [v(env) for _, v in whens], default(env)
        )
    raise _Unsupported(kind)


def _text_column(name: str) -> Fn:
    def passed(env: Env) -> Val:
        if name not in env or not pa.types.is_string(env[name].type):
            raise Bail(f"{name} is not a text column here")
        return Val("text", np.empty(0), None, text=env[name])

    return passed


def _missing(name: str) -> Val:
    raise Bail(f"no column {name}: DuckDB reports it")


def _cast_fn(inner: Fn, to: str, *, try_: bool) -> Fn:
    found = _DECIMAL.fullmatch(to.replace(" ", ""))
    if found:
        p, s = int(found[1]), int(found[2])
        if s > 18:
            raise _Unsupported(to)
        return lambda env: to_decimal(inner(env), p, s, try_=try_)
    if to == "DOUBLE":
        return lambda env: to_double(inner(env))
    if to == "BOOLEAN":
        return lambda env: to_bool(inner(env))
    if to in _INTS:
        bits = _INTS[to]
        return lambda env: to_int(inner(env), bits, try_=try_)
    if to in ("VARCHAR", "TEXT", "TIMESTAMP"):  # text stays text, an instant an instant
        kept = "text" if to != "TIMESTAMP" else "ts"
        return lambda env: _same_kind(inner(env), kept)
    raise _Unsupported(to)


def _same_kind(v: Val, kind: str) -> Val:
    if v.kind != kind:
        raise Bail(f"a {v.kind} cast to {kind}")
    return v


def _literal(text: str) -> Val:
    """DuckDB's numeric literal: an integer is INTEGER (BIGINT when larger), `1.50` a decimal
    of its written scale; anything else (an exponent) is not compiled."""
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", text) or len(text) > 18:
        raise _Unsupported(text)
    whole, _, fraction = text.partition(".")
    one = np.array([int(whole + fraction or "0")], np.int64)
    if "." in text:
        return Val("dec", one, None, scale=len(fraction))
    return Val("int", one, None, bits=32 if one[0] < 2**31 else 64)


def read(array: pa.Array) -> Val:
    """An Arrow column as a Val; Bail for a type (or a decimal beyond 64 bits) not handled."""
    kind = array.type
    valid = None
    if array.null_count:
        valid = np.unpackbits(
            np.frombuffer(array.buffers()[0], np.uint8),
            count=array.offset + len(array),
            bitorder="little",
        )[array.offset :].astype(bool)
    n, off = len(array), array.offset
    if pa.types.is_decimal128(kind):
        pairs = np.frombuffer(array.buffers()[1], np.int64, count=2 * (off + n))[2 * off :]
        low, high = pairs[0::2], pairs[1::2]
        data = np.where(valid, low, 0) if valid is not None else low
        if valid is not None:
            high = np.where(valid, high, 0)
        if not np.array_equal(high, data >> 63):
            raise Bail("a decimal beyond 64 bits")
        return Val("dec", data, valid, scale=kind.scale)
    if (
        pa.types.is_integer(kind)
        and kind.bit_width in (32, 64)
        and pa.types.is_signed_integer(kind)
    ):
        raw = np.frombuffer(array.buffers()[1], kind.to_pandas_dtype(), count=off + n)[off:]
        data = raw.astype(np.int64)
        return Val(
            "int",
            np.where(valid, data, 0) if valid is not None else data,
            valid,
            bits=kind.bit_width,
        )
    if pa.types.is_float64(kind):
        raw = np.frombuffer(array.buffers()[1], np.float64, count=off + n)[off:]
        return Val("double", np.where(valid, raw, np.nan) if valid is not None else raw, valid)
    if pa.types.is_string(kind):  # compared, tested for NULL, chosen or written unchanged
        return Val("text", np.zeros(n, np.int8), valid, text=array)
    if pa.types.is_timestamp(kind):
        from streamforge.expr.fast_text import read_timestamp

        return read_timestamp(array, valid)
    raise Bail(f"type {kind}")


def _both(a: Val, b: Val) -> np.ndarray | None:
    if a.valid is None:
        return b.valid
    return a.valid if b.valid is None else a.valid & b.valid


def _bound(v: Val) -> int:
    """The largest magnitude among the values (NULL slots hold 0)."""
    if not len(v.data):
        return 0
    lo, hi = int(v.data.min()), int(v.data.max())
    return max(-lo, hi)


def _rescaled(v: Val, scale: int) -> np.ndarray:
    """A decimal's (or an integer's) unscaled values at a larger `scale`, exactly."""
    factor = 10 ** (scale - v.scale)
    if _bound(v) * factor > _SAFE:
        raise Bail("rescale beyond 64 bits")
    return v.data * factor if factor != 1 else v.data


def _as_double(v: Val) -> np.ndarray:
    if v.kind == "double":
        return v.data
    if _bound(v) > _EXACT_DOUBLE:
        raise Bail("not exact as a double")
    # exact operands, one IEEE division: the correctly rounded value, as DuckDB gives
    return v.data.astype(np.float64) / 10.0**v.scale if v.scale else v.data.astype(np.float64)


def arithmetic(op: str, a: Val, b: Val) -> Val:
    """`a op b` (op: Add, Sub, Mul) as DuckDB computes it."""
    if {a.kind, b.kind} & _NOT_NUMBERS:
        raise Bail(f"arithmetic on {a.kind} and {b.kind}")
    valid = _both(a, b)
    if a.kind == "double" or b.kind == "double":
        x, y = _as_double(a), _as_double(b)
        data = x + y if op == "Add" else x - y if op == "Sub" else x * y
        return Val("double", data, valid)
    if op == "Mul":
        if _bound(a) * _bound(b) > _SAFE:
            raise Bail("product beyond 64 bits")
        data, scale = a.data * b.data, a.scale + b.scale
    else:
        scale = max(a.scale, b.scale)
        x, y = _rescaled(a, scale), _rescaled(b, scale)
        if _bound(Val("int", x, None)) + _bound(Val("int", y, None)) > _SAFE:
            raise Bail("sum beyond 64 bits")
        data = x + y if op == "Add" else x - y
    if a.kind == "int" and b.kind == "int":
        bits = max(a.bits, b.bits)  # INTEGER op INTEGER overflowing stops DuckDB's query
        return Val("int", _exact(data, 0, bits), valid, bits=bits)
    return Val("dec", _exact(data, scale), valid, scale=scale)


def divide(a: Val, b: Val) -> Val:
    """`a / b` when both are doubles or integers: DuckDB's `/` is then the IEEE division of the
    two (exact) doubles. A zero divisor (DuckDB's NULL, Spark's error) or a decimal operand
    (DuckDB's own decimal division, not Spark's) hands back."""
    if a.kind not in ("int", "double") or b.kind not in ("int", "double"):
        raise Bail(f"{a.kind} / {b.kind}")
    valid = _both(a, b)
    x, y = _as_double(a), _as_double(b)
    if np.any((y == 0) if b.valid is None else (y == 0) & b.valid):
        raise Bail("a zero divisor")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return Val("double", x / y, valid)


def _neg(v: Val) -> Val:
    if v.kind in _NOT_NUMBERS:
        raise Bail(f"minus a {v.kind}")
    if v.kind != "double":
        _exact(v.data, v.scale, v.bits)
    return Val(v.kind, -v.data, v.valid, v.scale, v.bits)


def _exact(data: np.ndarray, scale: int, bits: int = 64) -> np.ndarray:
    """`data` when DuckDB holds every value in the type it computes; else Bail (DuckDB then
    computes a wider type or stops with its overflow error, as without this module)."""
    limit = 2**31 - 1 if bits == 32 else _DIGITS - 1
    if scale > 18 or _bound(Val("int", data, None)) > limit:
        raise Bail("beyond 18 digits")
    return data


def _half_away(data: np.ndarray, divisor: int) -> np.ndarray:
    """Integers divided by `divisor`, rounded half away from zero."""
    magnitude = (np.abs(data) + divisor // 2) // divisor
    return np.where(data < 0, -magnitude, magnitude)


def _round_product(x: np.ndarray, modifier: float) -> np.ndarray:
    """The double x * modifier rounded half away from zero to an integer: DuckDB's cast of a
    double to a decimal (0.285 -> 0.28: 0.285 * 100 is 28.499999999999996)."""
    with np.errstate(over="ignore", invalid="ignore"):
        product = x * modifier
        whole = np.trunc(product)
        away = np.abs(product - whole) >= 0.5  # NaN where not finite: never adjusted
    np.add(whole, np.copysign(away, product), out=whole)
    return whole


def _round_scaled(x: np.ndarray, modifier: float) -> np.ndarray:
    """x * modifier rounded half away from zero to an integer, judged on the EXACT product, as
    DuckDB does (2888.725 is 2888.72499.. in binary: ROUND(x, 2) is 2888.72, though x * 100
    rounds to 288872.5). Dekker's product gives the rounding error e of p = x * modifier
    exactly; only a p that lands on a half can be on the wrong side, and e's sign tells.
    Bail when some |p| >= 2^52 (halves are no longer doubles there)."""
    with np.errstate(over="ignore", invalid="ignore"):
        product = x * modifier
        finite = np.isfinite(product)
        if np.abs(np.where(finite, product, 0.0)).max(initial=0.0) >= 2.0**52:
            raise Bail("a double too large to round exactly here")
        whole = np.trunc(product)
        part = np.abs(product - whole)  # NaN where x is not finite: never adjusted
        away = part > 0.5
        half = part == 0.5
        if half.any():
            error = _product_error(x, modifier, product)
            away |= half & ((error == 0) | (np.sign(error) == np.sign(product)))
    np.add(whole, np.copysign(away, product), out=whole)
    return whole


def _product_error(a: np.ndarray, b: float, product: np.ndarray) -> np.ndarray:
    """a * b - product, exactly (Dekker's TwoProduct; |a * b| < 2^52 here, so no overflow)."""
    split = 134217729.0  # 2^27 + 1
    t = split * a
    a_hi = t - (t - a)
    a_lo = a - a_hi
    u = split * b
    b_hi = u - (u - b)
    b_lo = b - b_hi
    return ((a_hi * b_hi - product) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def round_val(v: Val, digits: int) -> Val:
    if v.kind in _NOT_NUMBERS:
        raise Bail(f"ROUND of a {v.kind}")
    if v.kind == "dec":
        if digits >= v.scale:
            return v
        rounded = _half_away(v.data, 10 ** (v.scale - digits))
        return Val("dec", _exact(rounded, digits), v.valid, scale=digits)
    if v.kind == "double" and digits <= 22:
        modifier = 10.0**digits
        rounded = _round_scaled(v.data, modifier)
        np.divide(rounded, modifier, out=rounded)
        finite = np.isfinite(rounded)
        if not finite.all():  # DuckDB keeps x when x * 10^d rounds to an infinity (or is NaN)
            rounded = np.where(finite, rounded, v.data)
        return Val("double", rounded, v.valid)
    raise Bail("ROUND of an integer")


def to_decimal(v: Val, p: int, s: int, *, try_: bool) -> Val:
    if v.kind in _NOT_NUMBERS:
        raise Bail(f"a {v.kind} cast to a decimal")
    valid = v.valid
    if v.kind == "double":
        if p > 18:
            raise Bail("a double into a 128-bit decimal")
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = _round_product(v.data, 10.0**s)
            fits = np.abs(scaled) < 10.0**p  # False for NaN
        everything = bool(fits.all())
        data = (scaled if everything else np.where(fits, scaled, 0.0)).astype(np.int64)
    else:
        data = _rescaled(v, s) if s >= v.scale else _half_away(v.data, 10 ** (v.scale - s))
        everything = p > 18 or _bound(Val("int", data, None)) < 10**p
        fits = np.ones(len(data), bool) if everything else np.abs(data) < 10**p
        if not everything:
            data = np.where(fits, data, 0)
    if not everything:
        if not try_:
            raise Bail("CAST overflow: DuckDB stops with an error")
        valid = fits if valid is None else valid & fits
    return Val("dec", data, valid, scale=s)


def to_double(v: Val) -> Val:
    if v.kind in _NOT_NUMBERS:
        raise Bail(f"a {v.kind} cast to a double")
    return Val("double", _as_double(v), v.valid)


def to_bool(v: Val) -> Val:
    if v.kind != "bool":
        raise Bail(f"a {v.kind} cast to a boolean")
    return v


def to_int(v: Val, bits: int, *, try_: bool) -> Val:
    if v.kind != "int":
        raise Bail("a decimal or double cast to an integer")
    low = -(2 ** (bits - 1))  # the smallest value has no positive twin: not an abs() bound
    fits = (v.data >= low) & (v.data <= -low - 1)
    valid = v.valid
    if not fits.all():
        if not try_:
            raise Bail("CAST overflow")
        valid = fits if valid is None else valid & fits
    return Val("int", np.where(fits, v.data, 0), valid, bits=bits)


def to_arrow(v: Val, arrow: pa.DataType, n: int) -> pa.Array:
    """The `n`-row Arrow column of `v` (already cast to `arrow`'s DuckDB type; a literal's one
    value repeated)."""
    if v.kind == "text":
        if v.text is None or v.text.type != arrow or len(v.text) != n:
            raise Bail(f"text as {arrow}")
        return v.text
    if len(v.data) != n:
        valid = None if v.valid is None else np.broadcast_to(v.valid, n)
        v = Val(v.kind, np.broadcast_to(v.data, n), valid, v.scale, v.bits)
    mask = (
        None
        if v.valid is None or v.valid.all()
        else pa.py_buffer(np.packbits(v.valid, bitorder="little"))
    )
    if v.kind == "ts":
        from streamforge.expr.fast_text import timestamp_array

        return timestamp_array(v, arrow, mask, n)
    if v.kind == "null":
        raise Bail("a NULL literal as a column")
    if pa.types.is_boolean(arrow) and v.kind == "bool":
        bits = np.packbits(np.ascontiguousarray(v.data, bool), bitorder="little")
        return pa.Array.from_buffers(arrow, n, [mask, pa.py_buffer(bits)])
    if v.kind == "bool":
        raise Bail(f"a boolean as {arrow}")
    if pa.types.is_decimal128(arrow):
        pairs = np.empty((n, 2), np.int64)
        pairs[:, 0] = v.data
        pairs[:, 1] = v.data >> 63
        return pa.Array.from_buffers(arrow, n, [mask, pa.py_buffer(pairs)])
    if pa.types.is_integer(arrow) or pa.types.is_float64(arrow):
        data = v.data.astype(arrow.to_pandas_dtype(), copy=False)
        return pa.Array.from_buffers(arrow, n, [mask, pa.py_buffer(np.ascontiguousarray(data))])
    raise Bail(f"type {arrow}")
