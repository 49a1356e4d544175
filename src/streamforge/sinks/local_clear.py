"""Clearing a local landing folder for a fresh run, and sweeping what a killed writer left.

Deleting a landed file took ~8 ms on the VM here (ext4 waits for its journal), renaming it
~10 us: a `generate --fresh` of a shipped sector spent 40-90 ms removing the last run's ten
files before making any row. So a clear renames each table folder and control file into
`_streamforge/trash-<id>/` at once, and a thread deletes the trash while the run goes on. The
interpreter waits for that thread before it exits; trash that a crash left behind goes with the
next clear. The names start with `_`, so Auto Loader never reads them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path

from .landing import CONTROL_DIR, check_relpath

TRASH = "trash-"  # under _streamforge/: what a clear moved aside, being deleted


def clear_landing(root: Path, tables: Iterable[str]) -> None:
    """Move the folders of `tables` and every control file but the lock out of the way now,
    and delete them on a thread.

    Raises:
        ValueError: a table name that is not a plain folder name (`check_relpath`).
        OSError: a file that could not be moved or deleted.
    """
    control = root / CONTROL_DIR
    trash = control / f"{TRASH}{secrets.token_hex(4)}"
    doomed = []
    for table in sorted(tables):
        check_relpath(table)
        doomed.append(root / table)
    doomed += [c for c in control.glob("*") if c.name != "lock" and not _is_trash(c)]
    for path in doomed:
        if not path.exists():
            continue
        trash.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(path, trash / path.name)
        except OSError:  # on another file system (a mount inside the landing): delete it here
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    _remove_later([c for c in control.glob(f"{TRASH}*") if _is_trash(c)])


def sweep_temp_files(root: Path) -> None:
    """Remove the hidden temp files (`.*.tmp`) a killed writer left in table folders and under
    `_streamforge/`. Only under the landing's lock: a live writer's temp file looks the same."""
    for temp in root.glob("*/.*.tmp"):
        temp.unlink(missing_ok=True)
    # os.walk, not glob("**"): a trash folder may vanish under a clear's thread meanwhile
    for folder, children, files in os.walk(root / CONTROL_DIR):
        children[:] = [c for c in children if not c.startswith(TRASH)]
        for name in files:
            if name.startswith(".") and name.endswith(".tmp"):
                Path(folder, name).unlink(missing_ok=True)


def _is_trash(path: Path) -> bool:
    return path.name.startswith(TRASH) and path.is_dir()


def _remove_later(folders: list[Path]) -> None:
    """Delete `folders` on a thread that is no daemon: the interpreter waits for it at exit."""
    if not folders:
        return

    def remove() -> None:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)

    threading.Thread(target=remove, name="streamforge-clear").start()
