"""Per-expression planning kept across processes, so a warm `generate` loads no sqlglot (issue 14:
a fast start; sqlglot's import and parsing cost ~0.25-0.5 CPU s for Finance or Retail), nor a
cold `validate` after a table file is edited.

Each entry is a pure function of its arguments and of StreamForge's code and installed packages:
what an expression names (`expr/rowrefs.py`), its static type over the types of those names
(expr/answers.py), the comparisons of a check (expr/unmeetable.py), its DuckDB SQL over the
row's types (expr/bind.py, Spark's decimal casts included) and the numpy fast path's reading of
that SQL (expr/fast_tree.py). Only plain data (strings, tuples, None) is kept, never a sqlglot
tree. The entries ride with the checked sector of check_cache.py (same key: its code, packages
and table files) and with every sector of the installation (keyed by code and packages only, as
no entry depends on a table file), so they are never used by another version of those. A miss
computes and adds the entry; the process writes the added ones back at exit
(check_cache.keep_expressions).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")
_ENTRIES: dict[tuple[str, Hashable], Any] = {}
_ADDED = threading.Event()  # set once a miss was computed: the kept file is worth rewriting


def recall(kind: str, args: Hashable, compute: Callable[[], T]) -> T:
    """The kept value of `compute()` for (kind, args), computed and kept on a miss. An
    exception of `compute` (an expression `validate` refuses) is raised and nothing is kept."""
    key = (kind, args)
    try:
        return _ENTRIES[key]  # type: ignore[no-any-return]
    except KeyError:
        pass
    value = compute()
    _ENTRIES[key] = value  # threads may compute it twice: the same value either way
    _ADDED.set()
    return value


def entries() -> dict[tuple[str, Hashable], Any]:
    return dict(_ENTRIES)


def add(kept: Mapping[tuple[str, Hashable], Any]) -> None:
    """Entries read back from disk (not counted as added)."""
    for key, value in kept.items():
        _ENTRIES.setdefault(key, value)


def added() -> bool:
    return _ADDED.is_set()


def duckdb_sql(text: str, types: Mapping[str, str]) -> str:
    """`bind.typed_duckdb(text, types)`: the expression in DuckDB's SQL over a row of `types`
    (column or lookup name -> DuckDB type), kept on the types of the names it reads."""
    from streamforge.expr.rowrefs import evaluation_names

    typed = tuple((n, types[n]) for n in evaluation_names(text) if n in types)

    def translate() -> str:
        from streamforge.expr.bind import typed_duckdb

        return typed_duckdb(text, dict(typed))

    return recall("duckdb", (text, typed), translate)
