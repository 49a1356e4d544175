"""A self-reference must stay a forest: no key is its own ancestor, no parent is missing.

Pointer doubling over arrays (no per-row Python): after ceil(log2 n) + 1 doublings a key whose
ancestry has not reached a root sits on a loop or leads into one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Forest:
    in_loops: int  # keys on a loop or whose ancestry runs into one
    loop: tuple[int, ...]  # one loop, as keys (empty when none)
    dangling: int  # keys whose parent is not a live key
    dangling_example: tuple[int, int] | None  # (key, missing parent)


def check_forest(keys: np.ndarray, parents: np.ndarray, has_parent: np.ndarray) -> Forest:
    """`keys`: live keys; `parents[i]`: parent key of keys[i], read only where `has_parent`."""
    keys = np.asarray(keys, np.int64)
    order = np.argsort(keys, kind="stable")
    keys, parents, has_parent = keys[order], np.asarray(parents)[order], has_parent[order]
    at = np.searchsorted(keys, parents)
    clipped = np.minimum(at, max(len(keys) - 1, 0))
    present = has_parent & (at < len(keys))
    if len(keys):
        present &= keys[clipped] == parents
    dangling = has_parent & ~present
    up = np.where(present, clipped, -1)  # index of the parent, -1 at a root
    jump = up.copy()
    for _ in range(int(np.ceil(np.log2(max(len(keys), 2)))) + 1):
        jump = np.where(jump >= 0, jump[np.maximum(jump, 0)], -1)
    stuck = jump >= 0
    loop: tuple[int, ...] = ()
    if stuck.any():
        start = int(jump[np.flatnonzero(stuck)[0]])  # 2^k >= n steps up: a node on the loop
        members, node = [start], int(up[start])
        while node != start and len(members) <= len(keys):
            members.append(node)
            node = int(up[node])
        loop = tuple(int(keys[i]) for i in members)
    example = None
    if dangling.any():
        i = int(np.flatnonzero(dangling)[0])
        example = (int(keys[i]), int(parents[i]))
    return Forest(int(stuck.sum()), loop, int(dangling.sum()), example)
