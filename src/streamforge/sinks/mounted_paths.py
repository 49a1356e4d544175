"""Where the Spark engine writes a landing given as `out`: the file system path the native
writer's executors (and the driver, for the manifest) write with plain file I/O, and the URI
Spark's own writer is given.

On Databricks, executors reach storage as files through FUSE mounts: `/Volumes/<catalog>/
<schema>/<volume>/...` on clusters and serverless, and the DBFS root as `/dbfs/...` on classic
clusters only (the Hive metastore bundle's job cluster; not serverless). An object-store or web
URI is no path at all, and the landing's manifest cannot go there either: such a destination is
refused, with the fix (a Volume, which can be an external Volume on that storage).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from streamforge.errors import StreamForgeError
from streamforge.sinks.formats import FileFormat

# A URI scheme ("s3://", "file:/", "https://"); a colon not followed by a slash is a folder name.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):/")
# The FUSE mounts a path must start under, and what has them.
MOUNTS = {
    "/Volumes": "Databricks clusters and serverless compute",
    "/dbfs": "classic Databricks clusters (not serverless)",
}


@dataclass(frozen=True, slots=True)
class LandingPlace:
    """The landing `out` as the Spark engine writes it.

    Attributes:
        path: the absolute file system path the native writer's executors and the driver's
            manifest write (`/Volumes/c/s/v/x`, `/dbfs/x`, or a local folder).
        uri: what Spark's writer is given (`/Volumes/...`, `dbfs:/x`, or the local folder).
    """

    path: str
    uri: str


def landing_place(out: str) -> LandingPlace:
    """Map a landing destination to where the Spark engine writes it.

    `/Volumes/c/s/v/x` and `dbfs:/Volumes/c/s/v/x` (doubled slashes, a trailing one) → the path
    `/Volumes/c/s/v/x`; `dbfs:/x` → `/dbfs/x` (Spark's writer: `dbfs:/x`); `file:/x` and
    `file:///x` → `/x`; any other text → that local folder, made absolute.

    Raises:
        StreamForgeError: a `/Volumes` path that names no catalog, schema and volume; another URI
            scheme (s3, abfss, gs, http(s), hdfs, ...), which executors cannot open as a file.
    """
    from streamforge.sinks.destination import is_volume, normalise_volume

    text = out.strip()
    if is_volume(text) or text.rstrip("/") == "/Volumes":
        volume = normalise_volume(text)  # checks catalog, schema and volume names
        return LandingPlace(volume, volume)
    scheme = _SCHEME.match(text)
    if scheme is None:
        local = str(Path(text).resolve())
        return LandingPlace(local, local)
    name = scheme.group(1).lower()
    rest = "/" + text[len(scheme.group(0)) :].lstrip("/")
    if name == "dbfs":
        return LandingPlace("/dbfs" + rest.rstrip("/"), "dbfs:" + rest.rstrip("/"))
    if name == "file":
        local = str(Path(rest).resolve())
        return LandingPlace(local, local)
    raise StreamForgeError(
        f"the Spark engine cannot write the landing at {out}: its executors write files with "
        "plain file I/O and the driver writes the manifest beside them, and a "
        f"{name}: URI is no file system path. Write to a Unity Catalog Volume, "
        "/Volumes/<catalog>/<schema>/<volume>/<folder> (an external Volume can sit on that "
        "storage), or to a local folder"
    )


def check_mounted(path: str) -> None:
    """Refuse a `/Volumes` or `/dbfs` path on compute that does not mount it (a laptop,
    serverless for `/dbfs`), before anything is written there.

    Raises:
        StreamForgeError: naming the compute that has the mount, and the alternatives.
    """
    for mount, where in MOUNTS.items():
        if (path == mount or path.startswith(mount + "/")) and not is_mounted(mount):
            raise StreamForgeError(
                f"{path}: the Spark engine's executors write {mount}/... through the FUSE mount "
                f"of {where}, and this machine has no {mount}. Run generate_spark(spark, ...) "
                "in a Databricks notebook or job there, or use `streamforge generate --out "
                "/Volumes/...` (the local engine, through the Files API)"
            )


def is_mounted(mount: str) -> bool:
    """True when the folder `mount` exists here (a test replaces this)."""
    return os.path.isdir(mount)


def check_file_landing(root: str, fmt: FileFormat) -> None:
    """Refuse what executors cannot write themselves with plain file I/O: a table format (they
    write files) or a destination that is no file system path (`landing_place`).

    Raises:
        StreamForgeError: what to write instead.
    """
    if fmt.writes != "files":
        raise StreamForgeError(
            f"the Spark engine writes files, not {fmt.name} tables: use generate_spark_tables(...) "
            "to write Delta tables on Databricks, or --engine local"
        )
    landing_place(root)  # raises for a URI executors cannot open as a file
