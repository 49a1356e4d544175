"""Point-in-time lookups: Versions.at against a plain reading of the rule (the last version of
the key stamped at or before the time; nothing for a deleted key or before the first version)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from streamforge.engine.versions import Versions

changes = st.lists(
    st.tuples(st.integers(1, 6), st.integers(0, 50), st.booleans(), st.integers(0, 999)),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(
    snapshot=st.lists(st.integers(1, 6), unique=True, max_size=6),
    batches=st.lists(changes, max_size=3),
    queries=st.lists(st.tuples(st.integers(0, 8), st.integers(-5, 60)), min_size=1, max_size=40),
    horizon=st.integers(-10, 60),
)
@example(  # the same change in two batches: the later version wins, not the first equal one
    snapshot=[],
    batches=[[(1, 0, False, 1)], [(1, 0, False, 0)], [(1, 0, False, 1)]],
    queries=[(1, 0)],
    horizon=0,
)
def test_lookup_is_the_last_version_at_or_before_the_time(snapshot, batches, queries, horizon):
    keys = np.array(snapshot, dtype=np.int64)
    versions = Versions.snapshot(keys, pa.table({"v": pa.array(keys * 1000, pa.int64())}))
    history = [(int(k), -(2**63), False, int(k) * 1000) for k in keys]
    for batch in batches:
        seen = {}
        for key, stamp, gone, value in batch:
            seen[key] = (key, stamp, gone, value)  # one change per key and batch, as feeds do
        rows = list(seen.values())
        if not rows:
            continue
        versions = versions.changed(
            np.array([r[0] for r in rows], np.int64),
            np.array([r[1] for r in rows], np.int64),
            np.array([r[2] for r in rows]),
            pa.table({"v": pa.array([r[3] for r in rows], pa.int64())}),
        )
        history += rows
    q_keys = np.array([q[0] for q in queries], np.int64)
    q_times = np.array([q[1] for q in queries], np.int64)

    def expected(key: int, time: int) -> int | None:
        # the newest change at or before `time`; of two at one time, the later one in the feed
        # (by position: equal changes in two batches are two versions, list.index finds the first)
        found = [(h[1], i, h) for i, h in enumerate(history) if h[0] == key and h[1] <= time]
        if not found:
            return None
        last = max(found)[2]
        return None if last[2] else last[3]

    got = versions.at(q_keys, q_times).column("v").to_pylist()
    assert got == [expected(int(k), int(t)) for k, t in zip(q_keys, q_times, strict=True)]
    # Pruning forgets only what no time at or after the horizon can ask for.
    later = q_times >= horizon
    pruned = versions.pruned(horizon).at(q_keys[later], q_times[later]).column("v").to_pylist()
    assert pruned == [g for g, keep in zip(got, later, strict=True) if keep]
