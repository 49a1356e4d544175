"""Which files of a sector folder are table files, and how much of one is read. No pydantic and
no YAML here: the disk cache of checked sectors (check_cache.py) keys on these bytes before
deciding whether the loader (spec/load.py) has to run at all."""

from __future__ import annotations

YAML_SUFFIXES = (".yml", ".yaml")
MAX_FILE_BYTES = 1 << 20  # 1 MiB per table file; the shipped ones are under 3 KB
