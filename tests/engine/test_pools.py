"""Value pools: weighted draws follow their weights; every value with a chance can be drawn."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from streamforge.engine import pools


def test_weighted_draws_follow_the_weights() -> None:
    pool = pools.Pool(pa.array(["a", "b", "c", "never"]), [0.6, 0.3, 0.1, 0.0])
    counts = np.bincount(pool.indices(np.random.default_rng(7), 400_000), minlength=4)
    assert counts[3] == 0
    assert np.allclose(counts[:3] / 400_000, [0.6, 0.3, 0.1], atol=0.004)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.0, 1e6), min_size=1, max_size=3000).filter(lambda w: sum(w) > 0))
def testlookup_table_shares_slots_by_weight(weights: list[float]) -> None:
    probabilities = np.asarray(weights) / sum(weights)
    table = pools.lookup_table(probabilities)
    slots = len(table)
    assert slots & (slots - 1) == 0 and slots >= 64 * len(weights)  # a power of two
    counts = np.bincount(table, minlength=len(weights))
    possible = probabilities > 0
    assert np.all((counts > 0) == possible)  # possible exactly when it has a chance
    bound = 2 + probabilities * possible.sum()
    assert np.all(np.abs(counts - probabilities * slots) < bound)


def test_smart_pools_keep_rare_values_possible() -> None:
    for pool in (pools.first_names(), pools.last_names(), pools.maybe_number(1, 100, 0.5)):
        drawn = np.unique(pool.indices(np.random.default_rng(1), 2_000_000))
        assert len(drawn) == len(pool)
