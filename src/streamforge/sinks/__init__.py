"""Sinks: turn pyarrow batches into landing files, in a registered format, at a landing area.

Importing the package registers every format module (`fmt_*.py`) found beside this file.
"""

from __future__ import annotations

import importlib
import pkgutil

from .formats import FORMATS, FileFormat, FormatWriter, get_format, register_format
from .landing import FileRecord, Landing
from .local import LocalLanding

__all__ = [
    "FORMATS",
    "FileFormat",
    "FileRecord",
    "FormatWriter",
    "Landing",
    "LocalLanding",
    "get_format",
    "register_format",
]

# Discovery instead of an import list: a new format is one new file and nothing else to edit.
for _module in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name):
    if _module.name.startswith("fmt_"):
        importlib.import_module(f"{__name__}.{_module.name}")
