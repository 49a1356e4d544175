"""The landing area: open it, refuse a destination before writing, and read it back (its view,
a file's rows, the verify report). The facade, api.py, re-exports all of it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from streamforge.api_choices import STATE_DIR
from streamforge.api_sectors import load_plan
from streamforge.errors import StreamForgeError

if TYPE_CHECKING:
    import pyarrow as pa

    from streamforge.landing_view import LandingView
    from streamforge.plan import Plan
    from streamforge.sinks.formats import FileFormat
    from streamforge.sinks.landing import Landing


def check_destination(dest: str | Path, fmt: str) -> None:
    """Refuse a format the destination cannot take, before anything is written.

    Args:
        dest: a local folder or a Volume path.
        fmt: a landing format name.

    Raises:
        StreamForgeError: an unknown format, or one the destination cannot take (see
            `streamforge.sinks.destination.check_format`).
    """
    from streamforge.sinks import destination

    destination.check_format(str(dest), table_format(fmt))


def open_landing(dest: str | Path) -> Landing:
    """The landing area at `dest`, to read or write.

    Args:
        dest: a local folder, or a Unity Catalog Volume path (`/Volumes/<catalog>/<schema>/
            <volume>/...`, also as `dbfs:/Volumes/...`).

    Returns:
        A Landing: a LocalLanding for a folder, a VolumeLanding for a Volume.

    Raises:
        StreamForgeError: a malformed Volume path, or a destination StreamForge cannot write
            (see `streamforge.sinks.destination.open_landing`).
    """
    from streamforge.sinks import destination

    return destination.open_landing(str(dest))


def table_format(name: str) -> FileFormat:
    """The registered landing format of that name, as the doors' errors want it.

    Args:
        name: a landing format name (`landing_formats()`).

    Returns:
        Its FileFormat.

    Raises:
        StreamForgeError: an unknown format (the message lists the known ones).
    """
    from streamforge.sinks.formats import get_format

    try:
        return get_format(name)
    except ValueError as exc:
        raise StreamForgeError(str(exc)) from None


def view_landing(dest: str | Path, plan: Plan) -> LandingView:
    """What the landing at `dest` holds, from its manifest.

    Args:
        dest: a local folder or a Volume path.
        plan: the plan of the sector written there (its tables are listed even before any file).

    Returns:
        A LandingView: per table its files, rows, bytes, last write and newest files; per
        cycle its rows, files, anomalies and faults by table.

    Raises:
        StorageError: the landing could not be read. StreamForgeError: a malformed path.
    """
    from streamforge import landing_view

    return landing_view.view_landing(open_landing(dest), plan)


def sample_landed_file(dest: str | Path, plan: Plan, relpath: str, rows: int = 20) -> pa.Table:
    """The first rows of one landed file, read back with the table's types.

    Args:
        dest: a local folder or a Volume path.
        plan: the plan of the sector written there.
        relpath: the file as the manifest names it (`<table>/<table>-c<cycle>-<id>.<ext>`).
        rows: how many rows to return at most.

    Returns:
        A pyarrow.Table of up to `rows` rows with the table's schema.

    Raises:
        StreamForgeError: the file is not in the manifest, or cannot be read here (a Delta
            table is sampled from a local landing only).
    """
    from streamforge import landing_view

    return landing_view.sample_file(open_landing(dest), plan, relpath, rows)


def verify(sector: str, out: Path | str, schema_dir: Path | str | None = None):
    """Read a landing area back and check keys, foreign keys, change feeds and anomaly counts;
    when it holds a live run's checkpoint, also that replaying every change feed rebuilds the
    entity state the runner holds.

    Args:
        sector: the sector the landing area was written from.
        out: the landing folder, read with file I/O: a local folder, or on Databricks compute a
            mounted Volume (`/Volumes/...`, also as `dbfs:/Volumes/...`).
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.

    Returns:
        A report: `findings` (each problem, empty when the landing is right), and per table the
        files and rows read.

    Raises:
        StreamForgeError: `out` holds no StreamForge landing area, is a URI of another scheme
            (s3://...), or lies under a /Volumes or /dbfs this machine does not mount.
        NotFound: no such sector. SchemaError: the sector has errors.
    """
    from streamforge import checkpoint
    from streamforge.engine.redraw import EngineRedraw
    from streamforge.file_uris import LANDING_READ, check_mounted, dbfs_uri, file_path
    from streamforge.sinks.local import LocalLanding
    from streamforge.verify import compare_entities, verify_landing

    out = file_path(out, LANDING_READ)  # dbfs:/Volumes/x is the mounted /Volumes/x
    landing = LocalLanding(out)
    if not landing.exists():
        check_mounted(
            out,
            LANDING_READ,
            f"run verify there, or copy the landing here (databricks fs cp -r {dbfs_uri(out)} "
            "./landing) and verify ./landing",
        )
        raise StreamForgeError(f"{out} holds no StreamForge landing area (no {STATE_DIR}/)")
    plan = load_plan(sector, schema_dir)
    loaded = checkpoint.load(landing)
    settled = loaded is not None and loaded[1].pending_cycle is None
    # Rows held back as late at the last checkpoint are changes the generator made: they date
    # keys that facts of finished cycles use, even while a stopped cycle is pending (its own
    # held rows are lost with it and redone on restart).
    held = loaded[0].held if loaded is not None else None
    report = verify_landing(out, plan, held, EngineRedraw())  # hidden inputs drawn again
    if loaded is not None and settled:
        state = loaded[0]
        tables = {n: e.table for n, e in state.entities.items() if e.table is not None}
        compare_entities(report, tables, {n: e.key for n, e in state.entities.items()})
    return report
