"""Let pyarrow run as on an install without pandas, in commands that never convert to pandas.

pandas is not a StreamForge dependency, but pyarrow imports it whenever it is installed, on its
first array: building `pa.array(numpy_array)` asks whether the input is a pandas categorical, and
converting a Python list asks whether its items are pandas' NA or Timestamp. That import costs
~0.3 s of CPU, more than generating a shipped sector. No value StreamForge makes is a pandas
object, so the answers are "no" either way and the rows are the same bytes
(tests/cli/test_start_imports.py).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


class _NoPandas:
    """A meta path finder that reports pandas missing, as `import pandas` does without it (None
    in sys.modules would not do: pyarrow's compiled import takes a None found there for it)."""

    @staticmethod
    def find_spec(name: str, path: Sequence[str] | None = None, target: object = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r} (skipped)", name=name)


def skip_pandas() -> None:
    """From now on this process imports no pandas, unless it has already (then: nothing).

    Only for a command that never calls `to_pandas()` or hands pyarrow pandas objects."""
    if "pandas" in sys.modules or any(isinstance(f, _NoPandas) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _NoPandas())  # type: ignore[arg-type]
