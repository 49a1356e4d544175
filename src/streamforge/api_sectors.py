"""The sectors of a schema folder: list and validate them, plan one, show a table's YAML and the
load its `profile:` gives (the facade, api.py, re-exports all of it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from streamforge import sectors
from streamforge.errors import did_you_mean, display_path
from streamforge.sectors import NotFound

if TYPE_CHECKING:
    from streamforge.engine.load_profile import LoadCurve
    from streamforge.plan import Plan
    from streamforge.sectors import SectorCheck


@dataclass(frozen=True, slots=True)
class TableSummary:
    name: str
    kind: str
    rows: int
    primary_key: str | None
    foreign_keys: dict[str, str]  # column -> referenced table
    tracks: str | None
    description: str | None


@dataclass(frozen=True, slots=True)
class SectorSummary:
    name: str
    tables: tuple[TableSummary, ...]
    errors: int
    warnings: int


def list_sectors(schema_dir: Path | str | None = None) -> list[SectorSummary]:
    """Every sector of the folder with its tables, for listings.

    Args:
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.

    Returns:
        One SectorSummary per sector, in name order: its tables (kind, num_rows, keys,
        foreign keys, tracked dimension, description; none when the sector has errors) and
        its error and warning counts.

    Raises:
        StreamForgeError: the schema folder does not exist.
    """
    root = sectors.resolve_schema_dir(schema_dir)
    return [summarize(sectors.check_sector(root, name)) for name in sectors.sector_names(root)]


def summarize(check: SectorCheck) -> SectorSummary:
    """One sector's listing line, from its check.

    Args:
        check: a sector's plan and issues (`check_sector`, `validate`).

    Returns:
        A SectorSummary: per table its kind, `num_rows` (before --scale), primary key, foreign
        keys (column -> referenced table), tracked dimension and description (no tables when
        the sector has errors), and the error and warning counts.
    """
    tables: list[TableSummary] = []
    if check.plan is not None:
        for t in check.plan.tables:
            fks = {c: check.plan.entities[fk.entity].source for c, fk in t.foreign_keys.items()}
            tracks = t.feed.entity if t.feed is not None else None
            tables.append(
                TableSummary(
                    t.name, t.kind, t.spec.num_rows, t.primary_key, fks, tracks, t.spec.description
                )
            )
    return SectorSummary(check.name, tuple(tables), len(check.errors), len(check.warnings))


def validate(schema_dir: Path | str | None = None, sector: str | None = None) -> list[SectorCheck]:
    """Check one sector, or every sector of the folder (a folder of YAML files is one sector).

    Args:
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.
        sector: the one sector to check; None: every sector of the folder.

    Returns:
        One SectorCheck per sector: its plan (None when it has errors) and every issue found,
        each with file, line, message and hint. Schema problems are returned, never raised.

    Raises:
        StreamForgeError: the schema folder does not exist, or `sector` is not in it.
    """
    return [sectors.check_sector(root, name) for root, name in sectors.to_check(schema_dir, sector)]


def load_curve(
    sector: str, table: str, schema_dir: Path | str | None = None, interval: float = 30.0
) -> LoadCurve | None:
    """The load a table's `profile:` gives, in rows, for charts.

    Args:
        sector: the sector's folder name.
        table: a table of the sector.
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.
        interval: seconds of event time per cycle, > 0.

    Returns:
        A LoadCurve (24 hourly expected row counts, UTC; 7 weekday factors, Monday first;
        average and peak rows per cycle), or None for a dimension or a table without
        `profile:`.

    Raises:
        NotFound: no such sector, or no such table in it.
        SchemaError: the sector has errors.
    """
    from streamforge.engine.load_profile import load_curve as curve_of

    plan = load_plan(sector, schema_dir)
    if table not in {t.name for t in plan.tables}:
        raise NotFound(f"unknown table '{table}' in sector '{sector}'")
    spec = plan.table(table).spec
    if spec.profile is None or plan.table(table).kind == "dimension":
        return None
    return curve_of(spec.profile, spec.num_rows, interval)


def load_plan(sector: str, schema_dir: Path | str | None = None) -> Plan:
    """The plan of a valid sector: its tables in dependency order, keys and change feeds.

    Args:
        sector: the sector's folder name (e.g. "Energy").
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.

    Returns:
        The sector's Plan.

    Raises:
        StreamForgeError: the schema folder does not exist.
        NotFound: no such sector in the folder.
        SchemaError: the sector has errors (all of them, with file:line).
    """
    return sectors.plan_of(sector, schema_dir)


def sector_names(schema_dir: Path | str | None = None) -> list[str]:
    """The sector folders (those holding *.yml or *.yaml files) of the folder, sorted.

    Args:
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.

    Returns:
        The folder names, sorted.

    Raises:
        StreamForgeError: the schema folder does not exist.
    """
    return sectors.sector_names(sectors.resolve_schema_dir(schema_dir))


def check_sector(sector: str, schema_dir: Path | str | None = None) -> SectorCheck:
    """One sector's plan and every problem found in it.

    Args:
        sector: the sector's folder name.
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.

    Returns:
        A SectorCheck: the plan (None when the sector has errors) and every issue.

    Raises:
        StreamForgeError: the schema folder does not exist.
        NotFound: no such sector in the folder.
    """
    root = sectors.resolve_schema_dir(schema_dir)
    sectors.known_sector_dir(root, sector)
    return sectors.check_sector(root, sector)


@dataclass(frozen=True, slots=True)
class TableSource:
    sector: str
    table: str
    kind: str
    file: str  # as the user would type it
    text: str  # the YAML, as written


def table_source(sector: str, table: str, schema_dir: Path | str | None = None) -> TableSource:
    """The YAML file that defines one table of a (valid) sector.

    Args:
        sector: the sector's folder name.
        table: a table of the sector.
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.

    Returns:
        A TableSource: sector, table, kind, the file's path as the user would type it, and
        its text as written.

    Raises:
        NotFound: no such sector, or no such table (with a "did you mean" hint).
        SchemaError: the sector has errors.
    """
    plan = load_plan(sector, schema_dir)
    spec = plan.sector.table(table)
    if spec is None:
        names = [t.name for t in plan.tables]
        hint = did_you_mean(table, names) or f"known tables: {', '.join(names)}"
        raise NotFound(f"unknown table '{table}' in sector '{plan.sector.name}'; {hint}")
    text = spec.file.read_text(encoding="utf-8")
    return TableSource(plan.sector.name, spec.name, spec.kind, display_path(spec.file), text)
