"""Value generators: each module here registers its classes on import (add a file, get one)."""

from __future__ import annotations

import importlib
import pkgutil

from streamforge.engine.generators.base import ValueGenerator, generate_values, generator_for

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["ValueGenerator", "generate_values", "generator_for"]
