"""Where an app run may write: a folder under the landing root, or a Unity Catalog Volume path,
never inside (or around) another run's landing area.

Two runs whose landing areas nest would share table folders and `_streamforge/`: "Start over" on
one would delete the other's files while it keeps reporting "running". So a destination is compared
with the runs this server knows and with the landing areas already on disk.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from streamforge.errors import StreamForgeError
from streamforge.sinks.destination import check_destination, is_volume, normalise_volume

CONTROL = "_streamforge"  # the control folder every landing area has (state, manifest, lock)


class BadDestination(StreamForgeError):
    """Outside the landing root, or not a place we can write (the web API answers 400)."""


class RunConflict(StreamForgeError):
    """A destination already written, or overlapped, by another run (the web API answers 409)."""


def resolve_destination(text: str, landing_root: Path) -> str:
    """A normalised `/Volumes/...` path, or an absolute local folder inside `landing_root`.

    Raises:
        BadDestination: empty, `..`, a URL scheme, `~`, NUL, or a folder outside the landing root.
    """
    try:
        text = check_destination(text)
    except StreamForgeError as exc:
        raise BadDestination(str(exc)) from None
    if ".." in text.replace("\\", "/").split("/"):
        raise BadDestination(f"destination '{text}' may not contain '..'")
    if is_volume(text):
        try:
            return normalise_volume(text)
        except StreamForgeError as exc:
            raise BadDestination(str(exc)) from None
    root = landing_root.resolve()
    path = Path(text)
    full = (path if path.is_absolute() else root / path).resolve()
    if full != root and root not in full.parents:
        raise BadDestination(
            f"destination '{text}' is outside the landing root {root} and is not a /Volumes/ path"
        )
    return str(full)


def reserved(destination: str, tables: Iterable[str]) -> tuple[PurePosixPath, ...]:
    """The folders a landing area owns: its control folder and one folder per table.

    "Start over" deletes exactly these, so another run may live beside them, never inside.
    """
    root = PurePosixPath(destination)
    return (root / CONTROL, *(root / t for t in tables))


def overlaps(first: str, first_tables: Iterable[str], second: str, second_tables: Iterable[str]):
    """True when two landing areas are the same, or one lies inside a folder the other owns."""
    a, b = PurePosixPath(first), PurePosixPath(second)
    return (
        a == b
        or any(r == a or r in a.parents for r in reserved(second, second_tables))
        or any(r == b or r in b.parents for r in reserved(first, first_tables))
    )


def check_overlap(
    destination: str,
    tables: Iterable[str],
    others: Iterable[tuple[str, Iterable[str], str]],
    landing_root: Path,
) -> None:
    """Refuse a destination that shares folders with another run's landing area.

    Args:
        destination: the resolved destination of the new run.
        tables: the new run's table names (its table folders).
        others: (destination, table names, description) of every other run this server knows,
            active or not: a stopped run's files are still there to be destroyed.
        landing_root: local runs live under it; landing areas on disk are looked for there too.

    Raises:
        RunConflict: naming the other run or the other landing area.
    """
    tables = tuple(tables)
    for other, other_tables, description in others:
        if other != destination and overlaps(destination, tables, other, other_tables):
            raise RunConflict(
                f"{destination} overlaps the landing area of {description} ({other}); "
                "choose a folder beside it, not inside or around it"
            )
    if is_volume(destination):
        return  # a Volume is listed through the Files API; the runner's lock guards it there
    found = _landing_on_disk(Path(destination), tables, landing_root)
    if found is not None:
        raise RunConflict(
            f"{destination} overlaps another landing area on disk ({found}); "
            "choose a folder beside it, not inside or around it"
        )


def _landing_on_disk(path: Path, tables: tuple[str, ...], landing_root: Path) -> Path | None:
    """A landing area on disk that owns a folder around `path`, or lives in one `path` owns."""
    root = landing_root.resolve()
    for parent in path.parents:
        if root != parent and root not in parent.parents:
            break
        if (parent / CONTROL).is_dir():
            owned = _manifest_tables(parent)
            if overlaps(str(path), tables, str(parent), owned):
                return parent
    owned_here = [path / CONTROL, *(path / t for t in tables)]
    for folder in owned_here:
        # Below: a couple of levels, so a big landing root is not walked file by file.
        for pattern in (CONTROL, f"*/{CONTROL}", f"*/*/{CONTROL}"):
            for control in folder.glob(pattern):
                if control.is_dir() and control.parent != path:
                    return control.parent
    return None


def _manifest_tables(landing: Path) -> set[str]:
    """The tables a landing area on disk has written, from its manifest (one JSON line a file)."""
    manifest = landing / CONTROL / "manifest.jsonl"
    names: set[str] = set()
    try:
        with manifest.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    names.add(str(json.loads(line)["table"]))
                except (ValueError, KeyError, TypeError):
                    continue  # a torn last line: the runner repairs it on its next start
    except OSError:
        pass
    return names
