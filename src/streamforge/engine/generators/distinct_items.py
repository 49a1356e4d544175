"""Array elements without repeats: a list (`allergies: [PENICILLIN, LATEX]`) never names a value
twice, as a set-valued attribute in a real system would not.

Elements from a set (`values`/`weights`, a pipe `format`, or a `#`/`?` code pattern of at most
MAX_SET texts) are drawn without replacement. Weighted or small sets: each
row sorts the set by exponential keys E/w (Efraimidis-Spirakis) and keeps its first `length`, so
the first element follows the weights and the rest follow them among what is left. Large uniform
sets: positions are drawn again where they repeat, until none does (a list is at most half the
set, so each round at least halves the repeats). Lists are cut to the set's size. Other text
elements (Faker pools, words, wide patterns) are drawn as before; a repeat within a row is drawn
again (a few rounds, from the same stream), and a repeat left after that is dropped, so the list
is one shorter. Numbers, bools and times are measurements or flags, not a set: a list of hourly
readings may repeat a value, so they are drawn independently as before. All vectorised over
the whole chunk.
"""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.base import generate_values
from streamforge.engine.generators.categorical import category_pool
from streamforge.engine.generators.patterns import capacity, render_pattern
from streamforge.spec.model import ColumnSpec

REDRAW_ROUNDS = 8  # a repeat survives them only when the space is nearly as small as the list
BLOCK_CELLS = 1 << 22  # rows x set size per block of exponential keys (32 MiB of float64)
MAX_SET = 100_000  # a pattern of up to this many texts is a set; larger ones are redrawn


@functools.lru_cache(maxsize=1024)
def item_set(items: ColumnSpec) -> tuple[pa.Array, np.ndarray | None] | None:
    """(distinct values, their weights or None for uniform) when the elements come from a set,
    else None."""
    if items.expr is not None or items.unique:
        return None
    if items.choices is not None:
        pool = category_pool(items)
        weights = np.ones(len(pool)) if items.weights is None else np.asarray(items.weights)
        distinct = pc.unique(pool)  # `values: [a, a, b]` is two values, a with both weights
        merged = np.bincount(pc.index_in(pool, distinct).to_numpy(), weights, len(distinct))
        return distinct, merged.astype(np.float64)
    if items.type == "string" and items.format is not None and items.faker is None:
        size = capacity(items.format)
        if size <= MAX_SET:
            numbers = np.arange(size, dtype=np.int64)  # every text of the pattern, once
            return render_pattern(items.format, np.random.default_rng(0), size, numbers), None
    return None


def without_replacement(
    rng: np.random.Generator, size: int, weights: np.ndarray | None, lengths: np.ndarray
) -> np.ndarray:
    """Positions into the set of `size` values, row after row, `lengths[r]` distinct ones for
    row r (each at most the count of values with a positive weight)."""
    rows = len(lengths)
    width = int(lengths.max(initial=0))
    if width == 0:
        return np.zeros(0, dtype=np.int64)
    if weights is None and 2 * width <= size and size > 64:
        return _uniform_distinct(rng, size, lengths)
    weights = np.ones(size) if weights is None else weights
    chosen = np.empty((rows, width), dtype=np.int64)
    scale = np.where(weights > 0, 1.0 / np.where(weights > 0, weights, 1.0), np.inf)
    step = max(1, BLOCK_CELLS // max(size, 1))
    for start in range(0, rows, step):  # blocks of rows: memory, not a per-row loop
        keys = rng.exponential(size=(min(step, rows - start), size)) * scale
        if width < size:
            top = np.argpartition(keys, width - 1, axis=1)[:, :width]
            order = np.take_along_axis(keys, top, axis=1).argsort(axis=1)
            chosen[start : start + len(keys)] = np.take_along_axis(top, order, axis=1)
        else:
            chosen[start : start + len(keys)] = keys.argsort(axis=1)[:, :width]
    return chosen[np.arange(width) < lengths[:, None]]


def _uniform_distinct(rng: np.random.Generator, size: int, lengths: np.ndarray) -> np.ndarray:
    """Uniform distinct positions: drawn with replacement, repeats drawn again until none is
    left (each repeat meets a taken position with chance < 1/2)."""
    positions = rng.integers(0, size, int(lengths.sum()))
    row = np.repeat(np.arange(len(lengths)), lengths)
    again = _repeats(pa.array(positions), row)
    while again.any():
        positions[again] = rng.integers(0, size, int(again.sum()))
        again = _repeats(pa.array(positions), row)
    return positions


def distinct_elements(
    items: ColumnSpec, ctx: ColumnContext, lengths: np.ndarray
) -> tuple[pa.Array, np.ndarray]:
    """(the flattened elements, the final lengths) of `lengths`-long lists without repeats."""
    found = item_set(items)
    if found is not None:
        values, weights = found
        room = len(values) if weights is None else int((weights > 0).sum())
        lengths = np.minimum(lengths, room)
        chosen = without_replacement(ctx.rng, len(values), weights, lengths)
        return values.take(pa.array(chosen)), lengths
    elements = generate_values(items, ctx.child(int(lengths.sum())))
    if not pa.types.is_string(elements.type):
        return elements, lengths  # measurements, flags, lists of lists: repeats allowed
    row = np.repeat(np.arange(len(lengths)), lengths)
    for _ in range(REDRAW_ROUNDS):
        again = _repeats(elements, row)
        if not again.any():
            return elements, lengths
        fresh = generate_values(items, ctx.child(int(again.sum())))
        mask = pa.array(again)
        elements = pc.replace_with_mask(elements, mask, fresh.cast(elements.type))
    keep = ~_repeats(elements, row)
    kept_lengths = np.bincount(row[keep], minlength=len(lengths)).astype(lengths.dtype)
    return elements.filter(pa.array(keep)), kept_lengths


def _repeats(elements: pa.Array, row: np.ndarray) -> np.ndarray:
    """True for each element equal to an earlier element of the same row (nulls never repeat)."""
    codes = pc.dictionary_encode(elements).indices.to_numpy(zero_copy_only=False)
    valid = elements.is_valid().to_numpy(zero_copy_only=False)
    code = np.where(valid, codes, -1).astype(np.int64)
    pair = row.astype(np.int64) * (int(code.max(initial=0)) + 2) + code + 1
    _, first = np.unique(pair, return_index=True)
    repeat = np.ones(len(pair), dtype=bool)
    repeat[first] = False
    return repeat & valid
