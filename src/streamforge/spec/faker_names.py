"""Faker's provider names, for checking `faker: <provider>`: kept in a small text file per Faker
version and locale, so that `validate` loads neither Faker (~0.2 s to import and instantiate) nor
pyarrow (which the engine's pool cache reads with).

The file lists one name a line; it is written atomically (temp file, then rename). A missing or
unreadable file is rebuilt from Faker; a folder that cannot be written only costs building the
list again next time.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from pathlib import Path

from streamforge.cache_dir import LOCALE, cache_dir, faker_version

PUBLIC = re.compile(r"^[a-z]")


def names_file() -> Path:
    return cache_dir() / f"providers-{faker_version()}-{LOCALE}.txt"


@functools.cache
def faker_providers() -> tuple[str, ...]:
    """The provider names of a Faker instance of LOCALE (what `getattr(fake, name)` finds)."""
    path = names_file()
    try:
        names = tuple(path.read_text(encoding="utf-8").split())
        if names:
            return names
    except (OSError, UnicodeDecodeError):
        pass
    names = _from_faker()
    _write(path, names)
    return names


def _from_faker() -> tuple[str, ...]:
    from faker import Faker

    fake = Faker(LOCALE)
    return tuple(sorted(n for n in dir(fake.factories[0]) if PUBLIC.match(n)))


def _write(path: Path, names: tuple[str, ...]) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_text("\n".join(names) + "\n", encoding="utf-8")
        os.replace(temp, path)  # readers see no file or the whole one
    except OSError:
        temp.unlink(missing_ok=True)
