"""Where StreamForge keeps what it derives from the installed Faker, and which Faker that is.

No pyarrow and no Faker here: `validate` reads Faker's provider names through this module
(spec/faker_names.py) and the engine's pool cache (engine/pool_cache.py) finds its file the same
way, so the two always agree on the folder and the Faker version.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import threading
from pathlib import Path

LOCALE = "en_US"


def cache_dir() -> Path:
    """$STREAMFORGE_CACHE_DIR, else $XDG_CACHE_HOME/streamforge, else ~/.cache/streamforge."""
    explicit = os.environ.get("STREAMFORGE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no HOME and no passwd entry (some containers): still run
            base = tempfile.gettempdir()
    return Path(base) / "streamforge"


@functools.cache
def faker_version() -> str:
    """Faker's installed version, read from its metadata (importing Faker costs ~0.2 s).

    The one `faker-<version>.dist-info` folder beside the package, when there is exactly one:
    importlib.metadata (what else answers) costs ~0.02 s of imports and a scan of every folder
    on sys.path, a tenth of a small `generate`."""
    import importlib.util

    spec = importlib.util.find_spec("faker")
    if spec is not None and spec.origin is not None:
        beside = Path(spec.origin).parent.parent
        found = [p.name for p in beside.glob("[Ff]aker-*.dist-info")]
        if len(found) == 1:
            return found[0][len("faker-") : -len(".dist-info")]
    from importlib.metadata import version

    return version("Faker")


def write_atomically(path: Path, data: bytes) -> None:
    """Write `path` through a temp file and a rename: readers see the old file or the new one,
    never half of one. A folder that cannot be written (read-only, full, a file in its place)
    is skipped silently: a cache only saves time."""
    temp = temp_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_bytes(data)
        os.replace(temp, path)
    except OSError:
        discard(temp)


def temp_name(path: Path) -> Path:
    """A temp file beside `path`, of this process and thread only."""
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def discard(temp: Path) -> None:
    """Remove a temp file, if there is one (none where the folder could not be made)."""
    with contextlib.suppress(OSError):  # e.g. NotADirectoryError: a file where the folder is
        temp.unlink(missing_ok=True)
