"""Paths that may be typed as URIs where StreamForge reads or writes with plain file I/O: the
landing `verify` reads, the project folder `pipeline` writes, a schema folder.

On Databricks compute a Unity Catalog Volume is mounted at `/Volumes/...` and, on classic
clusters, the DBFS root at `/dbfs/...`; users copy their paths as `dbfs:/Volumes/...` or `dbfs:/x`
from the catalog explorer and the Databricks CLI. Those name a file system path: it is used.
`file:/x` is the path `/x`. Any other scheme (s3, abfss, gs, https, ...) names no file system
path: refused, quoting what was typed (click.Path would have made `s3://b/x` the folder
`s3:/b/x`). Text without a scheme is a path, unchanged; a colon not followed by a slash
(`run:1`) is part of a folder name.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from streamforge.errors import StreamForgeError

# Two letters at least: `C:/x` is a drive, not a scheme.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):/")
# The FUSE mounts Databricks compute has, and which compute has them.
MOUNTS = {
    "/Volumes": "Databricks clusters and serverless compute",
    "/dbfs": "classic Databricks clusters",
}
VOLUME_FORM = "/Volumes/<catalog>/<schema>/<volume>/…"
# What happens at each such path, for the messages.
LANDING_READ = "verify reads the landing"
PROJECT_WRITTEN = "pipeline writes the project"
SCHEMA_READ = "StreamForge reads the schema folder"


def file_path(text: str | Path, what: str) -> Path:
    """The file system path `text` names: `dbfs:/Volumes/x` → `/Volumes/x`, `dbfs:/x` →
    `/dbfs/x`, `file:/x` (or `file:///x`) → `/x`, text without a scheme → that path.

    Args:
        text: as the user typed it.
        what: what is read or written there, for the message ("verify reads the landing").

    Raises:
        StreamForgeError: another URI scheme, naming the text and what to give instead.
    """
    text = str(text)
    scheme = _SCHEME.match(text)
    if scheme is None:
        return Path(text)
    name = scheme.group(1).lower()
    rest = "/" + text[len(scheme.group(0)) :].lstrip("/")
    if name == "dbfs":
        volume = rest == "/Volumes" or rest.startswith("/Volumes/")
        return Path(rest if volume else "/dbfs" + rest)
    if name == "file":
        return Path(rest)
    raise StreamForgeError(
        f"'{text}': {what} with plain file I/O, and a URI of scheme {name}: is no file system "
        f"path; give a local folder, or a Unity Catalog Volume's path ({VOLUME_FORM} or "
        "dbfs:/Volumes/…) on Databricks compute, where it is mounted"
    )


def missing_mount(path: Path) -> str | None:
    """The Databricks mount (`/Volumes`, `/dbfs`) `path` lies under that this machine lacks."""
    for mount in MOUNTS:
        if (path.as_posix() + "/").startswith(mount + "/") and not is_mounted(mount):
            return mount
    return None


def check_mounted(path: Path, what: str, instead: str) -> None:
    """Refuse `path` under a Databricks mount this machine does not have (a laptop, an app).

    Args:
        what: what is read or written there ("verify reads the landing").
        instead: the fix where the mount is missing.

    Raises:
        StreamForgeError: naming the mount, the compute that has it, and `instead`.
    """
    mount = missing_mount(path)
    if mount is not None:
        raise StreamForgeError(
            f"{path}: {what} through the {mount} mount of {MOUNTS[mount]}, and this machine "
            f"has no {mount}; {instead}"
        )


def dbfs_uri(path: Path) -> str:
    """`/Volumes/x` → `dbfs:/Volumes/x`, `/dbfs/x` → `dbfs:/x`: the path as the Databricks CLI
    (`databricks fs cp`) names it."""
    text = path.as_posix()
    if text == "/dbfs" or text.startswith("/dbfs/"):
        return "dbfs:" + (text[len("/dbfs") :] or "/")
    return "dbfs:" + text


def is_mounted(mount: str) -> bool:
    """True when the folder `mount` exists here (a test replaces this)."""
    return os.path.isdir(mount)
