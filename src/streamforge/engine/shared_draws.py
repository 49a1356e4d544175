"""Draws that several columns of one chunk share (a place's record, a person's first name),
made once and remembered for the chunk's other columns.

A memo, not state: every entry is a pure function of its key (seed, table, its spec, cycle,
chunk, rows, and the draw's name), so a column that misses it makes the same array itself. The
city, state, zip and address of a row would otherwise each draw the same record again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np

ENTRIES = 48  # a few chunks' worth (two workers, a handful of entities each); ~256 KiB each

_lock = threading.Lock()
_memo: OrderedDict[Hashable, np.ndarray] = OrderedDict()


def remember(key: Hashable, make: Callable[[], np.ndarray]) -> np.ndarray:
    """`make()`, or the array it gave for the same key before (read-only: it is shared)."""
    with _lock:
        found = _memo.get(key)
        if found is not None:
            _memo.move_to_end(key)
            return found
    made = make()  # outside the lock: two threads may both make it, with the same result
    made.flags.writeable = False
    with _lock:
        _memo[key] = made
        while len(_memo) > ENTRIES:
            _memo.popitem(last=False)
    return made
