"""Faker's provider names, for checking `faker: <provider>`, and the `<provider>_format` text of
those that fill one (`bban`: "????##############"), for counting a unique column's values: kept
in a small text file per Faker version and locale, so that `validate` loads neither Faker (~0.2 s
to import and instantiate) nor pyarrow (which the engine's pool cache reads with).

The file has one provider a line, `name` or `name<TAB>format`; it is written atomically (temp
file, then rename). A missing or unreadable file is rebuilt from Faker; a folder that cannot be
written only costs building the list again next time.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from streamforge.cache_dir import LOCALE, cache_dir, faker_version, write_atomically

PUBLIC = re.compile(r"^[a-z]")


def names_file() -> Path:
    # v2: a line may carry the provider's format (the first version held names only)
    return cache_dir() / f"providers-v2-{faker_version()}-{LOCALE}.txt"


def faker_providers() -> tuple[str, ...]:
    """The provider names of a Faker instance of LOCALE (what `getattr(fake, name)` finds)."""
    return tuple(_providers())


def provider_format(provider: str) -> str | None:
    """The `<provider>_format` text Faker fills for `provider` (None when it has none); the same
    text as engine/generators/provider_space.provider_format reads from the pool cache."""
    return _providers().get(provider)


@functools.cache
def _providers() -> dict[str, str | None]:
    path = names_file()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        if lines:
            return dict(_parse(line) for line in lines)
    except (OSError, UnicodeDecodeError, ValueError):
        pass
    providers = _from_faker()
    _write(path, providers)
    return providers


def _parse(line: str) -> tuple[str, str | None]:
    name, _, fmt = line.partition("\t")
    if not PUBLIC.match(name):
        raise ValueError(f"not a provider line: {line!r}")
    return name, (fmt or None)


def _from_faker() -> dict[str, str | None]:
    from faker import Faker

    fake = Faker(LOCALE)
    providers: dict[str, str | None] = {}
    for name in sorted(n for n in dir(fake.factories[0]) if PUBLIC.match(n)):
        try:
            owner = getattr(getattr(fake, name, None), "__self__", None)
        except Exception:  # Faker refuses some names on an instance (`seed`): no format then
            owner = None
        fmt = getattr(owner, f"{name}_format", None)
        ok = isinstance(fmt, str) and fmt and "\t" not in fmt and "\n" not in fmt
        providers[name] = fmt if ok else None
    return providers


def _write(path: Path, providers: dict[str, str | None]) -> None:
    text = "".join(f"{n}\t{f}\n" if f else f"{n}\n" for n, f in providers.items())
    write_atomically(path, text.encode("utf-8"))  # readers see no file or the whole one
