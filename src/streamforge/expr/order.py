"""The order in which a table's computed columns are evaluated: by levels, inputs first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class CycleError(ValueError):
    def __init__(self, cycle: Sequence[str]):
        super().__init__(" -> ".join(cycle))
        self.cycle = tuple(cycle)


def levels(needs: Mapping[str, Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    """Computed columns grouped so that each only needs columns of earlier levels (or plain
    columns); `needs`: computed column -> the columns it names. Raise CycleError naming a cycle.

    Within a level the columns keep the order of `needs` (declaration order), so the result does
    not depend on anything but the YAML.
    """
    computed = list(needs)
    done: set[str] = set()
    result: list[tuple[str, ...]] = []
    while len(done) < len(computed):
        ready = tuple(
            c
            for c in computed
            if c not in done and all(n in done or n not in needs for n in needs[c])
        )
        if not ready:
            raise CycleError(_find_cycle(needs, [c for c in computed if c not in done]))
        result.append(ready)
        done.update(ready)
    return tuple(result)


def _find_cycle(needs: Mapping[str, Sequence[str]], left: list[str]) -> list[str]:
    """A cycle among the columns `left`: walk inputs until a column repeats."""
    path = [left[0]]
    while True:
        step = next(n for n in needs[path[-1]] if n in needs and n in left)
        if step in path:
            return [*path[path.index(step) :], step]
        path.append(step)
