"""Which values repeat, across every file of a table, in compact state: one 64-bit number a value.

Integers, timestamps, dates, floats (their bits) and decimals up to 18 digits are kept exactly;
strings and wider decimals by a 64-bit fingerprint (two different values agree with probability
~2^-64 per pair, so a landing of 10^7 values reports a false repeat with probability ~3 * 10^-6).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_U64 = np.uint64
_NO_OWNERS = np.zeros(0, dtype=np.int64)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves every output bit (uint64, wrapping)."""
    x = x ^ (x >> _U64(30))
    x = x * _U64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> _U64(27))
    x = x * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def fingerprints(values: pa.Array) -> np.ndarray:
    """int64 per value (nulls get 0: callers drop them first)."""
    dtype = values.type
    if pa.types.is_dictionary(dtype):
        values = values.dictionary_decode()
        dtype = values.type
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return _string_prints(values.cast(pa.large_string()))
    if pa.types.is_decimal(dtype):
        words = np.frombuffer(values.buffers()[1], dtype=np.uint64)
        words = words[2 * values.offset : 2 * (values.offset + len(values))]
        low, high = words[0::2], words[1::2]
        if dtype.precision <= 18:
            return low.view(np.int64).copy()  # the unscaled value itself: exact
        with np.errstate(over="ignore"):
            return _mix(low ^ _mix(high + _U64(0x9E3779B97F4A7C15))).view(np.int64)
    if pa.types.is_floating(dtype):
        floats = values.fill_null(0.0).to_numpy().astype(np.float64) + 0.0  # -0.0 == 0.0
        return floats.view(np.int64)
    if pa.types.is_boolean(dtype):
        return values.fill_null(False).to_numpy(zero_copy_only=False).astype(np.int64)
    if pa.types.is_date32(dtype) or pa.types.is_time32(dtype):
        values = values.view(pa.int32())  # no direct cast from these to int64
        dtype = values.type
    if pa.types.is_temporal(dtype) or pa.types.is_integer(dtype):
        values = values.view(pa.int64()) if not pa.types.is_integer(dtype) else values
        return pc.cast(values, pa.int64()).fill_null(0).to_numpy()
    if pa.types.is_struct(dtype):
        fields = values.flatten()  # each field sliced like the struct
        total = np.full(len(values), 0x2545F4914F6CDD1D, dtype=_U64)
        with np.errstate(over="ignore"):
            for i, child in enumerate(fields):
                total = _mix(total ^ _mix(_valued(child) + _U64(i + 1)))
        return total.view(np.int64)
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype) or pa.types.is_map(dtype):
        return _list_prints(values)
    texts = pa.array([None if v is None else repr(v) for v in values.to_pylist()], pa.string())
    return _string_prints(texts.cast(pa.large_string()))


def _valued(values: pa.Array) -> np.ndarray:
    """uint64 fingerprints in which a NULL differs from every value (0, "", [] included)."""
    prints = fingerprints(values).view(_U64)
    if values.null_count:
        valid = values.is_valid().to_numpy(zero_copy_only=False)
        prints = np.where(valid, prints, _U64(0xD6E8FEB86659FD93))
    return prints


def _list_prints(values: pa.Array) -> np.ndarray:
    """A list (or map: a list of key-value structs) is the sum of its items' fingerprints, each
    mixed with its position: order matters, like the bytes of a string."""
    offsets = np.asarray(values.offsets.to_numpy(zero_copy_only=False), dtype=np.int64)
    lengths = np.diff(offsets)
    child = _valued(values.values)
    ends = np.cumsum(lengths)
    position = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64)
    position -= np.repeat(ends - lengths, lengths)
    items = child[np.repeat(offsets[:-1], lengths) + position]
    with np.errstate(over="ignore"):
        terms = _mix(items ^ _mix(position.astype(_U64) + _U64(0x9E3779B97F4A7C15)))
        sums = np.concatenate([np.zeros(1, _U64), np.cumsum(terms, dtype=_U64)])
        total = sums[ends] - sums[ends - lengths]
        return _mix(total ^ _mix(lengths.astype(_U64) + _U64(0x632BE59BD9B4E019))).view(np.int64)


def _string_prints(values: pa.LargeStringArray) -> np.ndarray:
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int64)
    offsets = offsets[values.offset : values.offset + len(values) + 1]
    data = values.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    raw = raw[offsets[0] : offsets[-1]]
    starts = offsets[:-1] - offsets[0]
    lengths = np.diff(offsets)
    position = np.arange(len(raw), dtype=np.int64) - np.repeat(starts, lengths)
    with np.errstate(over="ignore"):
        # Each (position, byte) gets its own random 64-bit word; a string is their sum.
        terms = _mix((position.astype(_U64) << _U64(8)) | raw.astype(_U64))
        sums = np.concatenate([np.zeros(1, _U64), np.cumsum(terms, dtype=_U64)])
        total = sums[starts + lengths] - sums[starts]
        return _mix(total ^ _mix(lengths.astype(_U64) + _U64(0x632BE59BD9B4E019))).view(np.int64)


class SeenValues:
    """Every value seen so far, each with its owner when `owned` (an entity's key: the same key
    may keep its value); a repeat is a value seen before (under another owner).

    Kept as a few sorted runs whose sizes halve (a log-structured merge), so adding n values in
    total costs O(n log n) and memory is 8 bytes a distinct value (16 when owned).
    """

    def __init__(self, owned: bool = False) -> None:
        self._owned = owned
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, values: np.ndarray, owners: np.ndarray | None = None) -> np.ndarray:
        """Add one batch; return a bool per value: it repeats a value (of another owner)."""
        values = np.asarray(values, dtype=np.int64)
        if not self._owned or owners is None:
            owners = np.arange(len(values), dtype=np.int64)  # every row its own owner
        owners = np.asarray(owners, dtype=np.int64)
        repeat = np.zeros(len(values), dtype=bool)
        if not len(values):
            return repeat
        order = np.lexsort((owners, values))
        v, o = values[order], owners[order]
        first = np.ones(len(v), dtype=bool)
        first[1:] = v[1:] != v[:-1]
        # A value already kept belongs to its owner there; a new one to its first row here.
        hit = np.zeros(len(v), dtype=bool)
        holder = np.zeros(len(v), dtype=np.int64)
        for run_values, run_owners in self._runs:  # runs hold distinct values: one hit at most
            at = np.searchsorted(run_values, v)
            at_c = np.minimum(at, len(run_values) - 1)
            found = (at < len(run_values)) & (run_values[at_c] == v)
            hit |= found
            if self._owned:
                holder[found] = run_owners[at_c[found]]
        head = np.maximum.accumulate(np.where(first, np.arange(len(v)), 0))
        holder = np.where(hit, holder, o[head])
        repeat[order] = (o != holder) | (hit & (not self._owned))
        keep = first & ~hit
        if keep.any():
            self._push(v[keep], o[keep] if self._owned else _NO_OWNERS)
        return repeat

    def _push(self, values: np.ndarray, owners: np.ndarray) -> None:
        self._runs.append((values, owners))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (v1, o1), (v2, o2) = self._runs.pop(), self._runs.pop()
            if not self._owned:
                merged = np.concatenate([v2, v1])
                merged.sort(kind="stable")  # two sorted runs: timsort merges them in O(n)
                self._runs.append((merged, _NO_OWNERS))
                continue
            v, o = np.concatenate([v2, v1]), np.concatenate([o2, o1])
            order = np.argsort(v, kind="stable")
            self._runs.append((v[order], o[order]))

    @property
    def nbytes(self) -> int:
        return sum(v.nbytes + o.nbytes for v, o in self._runs)
