"""Value generators: each module here registers its classes on import (add a file, get one).

The package itself loads none of them: `validate` reads column-name rules from `row_fields`
without numpy, pyarrow and the generators (~0.2 s of CPU). The registry fills on first use:
`generator_for` (base.py), or any of the names below taken from this package, loads every
module of the package first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from streamforge.engine.generators.base import ValueGenerator, generate_values, generator_for

__all__ = ["ValueGenerator", "generate_values", "generator_for"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from streamforge.engine.generators import base

        base.load_all()
        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
