"""SeenValues and fingerprints against a plain Python model of 'a repeat'."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from streamforge.verify.unique import SeenValues, fingerprints

batches = st.lists(
    st.lists(st.tuples(st.integers(-3, 12), st.integers(0, 3)), max_size=30), max_size=12
)


@given(batches)
def test_a_repeat_is_a_value_seen_before(data) -> None:
    seen, model = SeenValues(), set()
    for batch in data:
        values = np.array([v for v, _ in batch], dtype=np.int64)
        expected = []
        for v in values.tolist():
            expected.append(v in model)
            model.add(v)
        assert seen.add(values).tolist() == expected


@given(batches)
def test_an_owned_value_repeats_only_under_another_owner(data) -> None:
    seen, model = SeenValues(owned=True), {}
    for batch in data:
        values = np.array([v for v, _ in batch], dtype=np.int64)
        owners = np.array([o for _, o in batch], dtype=np.int64)
        # Within a batch the lowest owner of a new value keeps it (the order rows are judged in).
        expected = [False] * len(batch)
        first_owner = {}
        for i, (v, o) in sorted(enumerate(batch), key=lambda x: (x[1][0], x[1][1])):
            if v in model:
                expected[i] = model[v] != o
            elif v in first_owner:
                expected[i] = first_owner[v] != o
            else:
                first_owner[v] = o
        model.update(first_owner)
        assert seen.add(values, owners).tolist() == expected


@given(st.lists(st.text(max_size=6), min_size=1, max_size=40))
def test_equal_strings_get_equal_fingerprints(texts) -> None:
    prints = fingerprints(pa.array(texts)).tolist()
    for a, pa_ in zip(texts, prints, strict=True):
        for b, pb in zip(texts, prints, strict=True):
            assert (a == b) == (pa_ == pb)


def test_sliced_arrays_and_decimals_are_fingerprinted_by_value() -> None:
    texts = pa.array(["x", "ab", "ab", "abc"]).slice(1)
    assert fingerprints(texts)[0] == fingerprints(texts)[1] != fingerprints(texts)[2]
    from decimal import Decimal

    wide = pa.array([Decimal("1.5"), Decimal("1.50"), Decimal("-1.5")], pa.decimal128(38, 2))
    narrow = wide.cast(pa.decimal128(9, 2))
    for values in (wide, narrow, wide.slice(1)):
        prints = fingerprints(values).tolist()
        assert len(set(prints)) == len({v for v in values.to_pylist()})


nested = st.lists(
    st.one_of(
        st.none(),
        st.lists(st.one_of(st.none(), st.integers(-2, 2)), max_size=3),
    ),
    min_size=1,
    max_size=30,
)


@given(nested, st.integers(0, 5))
def test_equal_lists_get_equal_fingerprints_in_any_slice(lists, start) -> None:
    """Lists (and maps, lists of key-value structs) by value: order and NULL items count; a NULL
    list differs from an empty one in a row digest (duplicates.py uses _valued)."""
    from streamforge.verify.unique import _valued

    values = pa.array([[0], *lists], pa.list_(pa.int64())).slice(1 + min(start, len(lists) - 1))
    kept = values.to_pylist()
    prints = _valued(values).tolist()
    for a, pa_ in zip(kept, prints, strict=True):
        for b, pb in zip(kept, prints, strict=True):
            assert (a == b) == (pa_ == pb), (a, b)


def test_maps_and_dates_are_fingerprinted_by_value() -> None:
    from datetime import date

    cells = [[("a", 1)], [("a", 1)], [("a", 2)], [("b", 1)]]
    maps = pa.array(cells, pa.map_(pa.string(), pa.int64()))
    prints = fingerprints(maps).tolist()
    assert prints[0] == prints[1] and len(set(prints)) == 3
    days = fingerprints(pa.array([date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 1)]))
    assert days[0] == days[2] != days[1]
