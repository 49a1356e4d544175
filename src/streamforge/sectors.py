"""Find schema folders and the sectors in them (one folder of table YAML files per sector), and
check one sector: load its spec and plan it, collecting every problem."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from streamforge.errors import (
    Issue,
    IssueViews,
    SchemaError,
    StreamForgeError,
    did_you_mean,
    display_path,
)

if TYPE_CHECKING:  # the planner and the spec models (pydantic) load on first check_sector
    from streamforge.check_cache import CheckSummary
    from streamforge.plan import Plan
    from streamforge.spec.load import PartialTable
    from streamforge.spec.model import ColumnSpec, SectorSpec

PACKAGE_DIR = Path(__file__).resolve().parent


def default_schema_dir() -> Path:
    """./schema when the working directory has one, else the sector library shipped with us."""
    local = Path("schema")
    if local.is_dir() and any(local.iterdir()):
        return local
    for candidate in (PACKAGE_DIR / "schema", PACKAGE_DIR.parents[1] / "schema"):
        if candidate.is_dir():
            return candidate
    raise StreamForgeError("no schema folder found; pass --schema-dir DIR")


def resolve_schema_dir(schema_dir: Path | str | None) -> Path:
    """The schema folder `schema_dir` names (None: `default_schema_dir()`); `dbfs:/Volumes/x` is
    the mounted `/Volumes/x` (file_uris.file_path).

    Raises:
        StreamForgeError: a URI of another scheme; a folder under a /Volumes or /dbfs this
            machine does not mount; a folder that does not exist."""
    from streamforge.file_uris import SCHEMA_READ, check_mounted, dbfs_uri, file_path

    if schema_dir is None:
        return default_schema_dir()
    path = file_path(schema_dir, SCHEMA_READ)
    if not path.is_dir():
        copy = f"copy it here (databricks fs cp -r {dbfs_uri(path)} ./schema) and pass ./schema"
        check_mounted(path, SCHEMA_READ, copy)
        raise StreamForgeError(f"schema folder '{path}' does not exist")
    return path


def sector_names(schema_dir: Path) -> list[str]:
    """Sub-folders that hold at least one YAML file."""
    from streamforge.spec.files import YAML_SUFFIXES

    return sorted(
        p.name
        for p in schema_dir.iterdir()
        if p.is_dir() and any(f.suffix in YAML_SUFFIXES for f in p.iterdir())
    )


def to_check(schema_dir: Path | str | None, sector: str | None) -> list[tuple[Path, str]]:
    """(schema folder, sector) of each sector `validate` checks: `sector` of the folder, else
    every sector of it (a folder of YAML files is one sector).

    Raises:
        StreamForgeError: the schema folder does not exist."""
    from streamforge.spec.files import YAML_SUFFIXES

    root = resolve_schema_dir(schema_dir)
    if sector is not None:
        return [(root, sector)]
    names = sector_names(root)
    if not names and any(p.suffix in YAML_SUFFIXES for p in root.iterdir()):
        return [(root.parent, root.name)]
    return [(root, name) for name in names]


def sector_dir(schema_dir: Path, sector: str) -> Path:
    names = sector_names(schema_dir)
    if sector in names:
        return schema_dir / sector
    folded = {n.lower(): n for n in names}
    if sector.lower() in folded:
        return schema_dir / folded[sector.lower()]
    hint = did_you_mean(sector, names) or f"known sectors: {', '.join(names) or 'none'}"
    raise StreamForgeError(f"unknown sector '{sector}' in {display_path(schema_dir)}; {hint}")


class NotFound(StreamForgeError):
    """An unknown sector or table (the web API answers 404)."""


def known_sector_dir(schema_dir: Path, sector: str) -> Path:
    """`sector_dir`, raising NotFound for an unknown sector."""
    try:
        return sector_dir(schema_dir, sector)
    except StreamForgeError as exc:
        raise NotFound(str(exc)) from None


@dataclass(frozen=True, slots=True)
class SectorCheck(IssueViews):
    """`files`: table files read; `failed`: of them, the ones that did not load."""

    name: str
    plan: Plan | None
    issues: tuple[Issue, ...]
    files: int = 0
    failed: int = 0


def check_sector(schema_dir: Path, sector: str) -> SectorCheck:
    """Load and plan one sector, collecting every problem (never raises for schema problems).

    The answer is kept for the same table files (their bytes, not their times: a file rewritten
    within the clock's tick must be read again) under the same working directory (issues name
    files relative to it): `generate` plans once for its progress total and once to run. It is
    kept on disk too (check_cache.py, keyed also by StreamForge's code and the installed
    packages): the next process with the same files skips YAML, pydantic and DuckDB.
    """
    directory = sector_dir(schema_dir, sector)
    files = _table_files(directory)
    if any(data is None for _, data in files):  # reported as a problem, and never cached
        return _check(directory)
    return _checked(directory, files, os.getcwd())


def _table_files(directory: Path) -> tuple[tuple[str, bytes | None], ...]:
    """(name, what the loader reads) of every table file of `directory`, by name."""
    from streamforge.spec.files import YAML_SUFFIXES

    return tuple(
        (p.name, _content(p)) for p in sorted(directory.iterdir()) if p.suffix in YAML_SUFFIXES
    )


def _content(file: Path) -> bytes | None:
    """What load_table_file reads of `file` (None: not a regular file, or unreadable)."""
    from streamforge.spec.files import MAX_FILE_BYTES

    try:
        if not file.is_file():  # a pipe named *.yml would block
            return None
        with file.open("rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None


@functools.lru_cache(maxsize=16)
def _checked(directory: Path, files: tuple[tuple[str, bytes | None], ...], cwd: str) -> SectorCheck:
    """`_check` of `directory` whose table files hold `files`, under `cwd` (the cache key): kept
    on disk too (check_cache.py), so the next process skips YAML, pydantic and DuckDB."""
    from streamforge import check_cache

    key = check_cache.key_of(directory, files, cwd)
    check_cache.keep_expressions(directory, cwd, key)
    kept = check_cache.load_check(directory, cwd, key)
    if kept is not None:
        return kept
    check = _check(directory)
    check_cache.store(directory, cwd, key, check)
    return check


def check_summary(schema_dir: Path, sector: str) -> CheckSummary:
    """What `validate` prints of `check_sector(schema_dir, sector)`: from the disk cache when
    the sector, StreamForge and the packages are unchanged (no pydantic loads), else checked."""
    from streamforge import check_cache

    directory = sector_dir(schema_dir, sector)
    files = _table_files(directory)
    if all(data is not None for _, data in files):
        cwd = os.getcwd()
        kept = check_cache.load_summary(directory, cwd, check_cache.key_of(directory, files, cwd))
        if kept is not None:
            return kept
    return check_cache.summary_of(check_sector(schema_dir, sector))


def _check(directory: Path) -> SectorCheck:
    from streamforge.plan import plan_sector
    from streamforge.spec.load import load_sector

    partial: dict[str, PartialTable] = {}
    spec, issues = load_sector(directory, key_pool=_key_pool, partial=partial)
    table_files = [directory / name for name, _ in _table_files(directory)]
    failed = len(table_files) - len(spec.tables)
    plan = None
    if not any(i.severity == "error" for i in issues):
        plan, more = plan_sector(spec, capacity=_unique_capacity)
        issues += more
        from streamforge.engine.place_apart import place_apart_warnings

        issues += place_apart_warnings(spec)
        if plan is not None and any(c.unique for t in spec.tables for c in t.columns):
            from streamforge.engine.unique_coherence import unique_coherence_warnings

            issues += unique_coherence_warnings(plan)
    elif spec.tables or partial:
        issues += _check_the_rest(spec, table_files, tuple(partial.values()))
    return SectorCheck(directory.name, plan, tuple(issues), len(table_files), failed)


def _check_the_rest(
    spec: SectorSpec, table_files: list[Path], partial: tuple[PartialTable, ...]
) -> list[Issue]:
    """Some files failed to load: plan the tables that do not depend on them, and the columns
    that loaded of a file that failed in some, so that this run reports their errors too
    (partial_check.py); a note names what was left out, and because of which table or column."""
    from streamforge import partial_check
    from streamforge.engine.place_apart import place_apart_warnings
    from streamforge.plan import plan_sector

    loaded_in_part = tuple(p.table for p in partial)
    failed = partial_check.failed_tables(spec, table_files, loaded_in_part)
    broken = partial_check.broken_columns(partial)
    tables, skipped = partial_check.prune((*spec.tables, *loaded_in_part), failed, broken)
    rest = replace(spec, tables=tables)
    issues: list[Issue] = []
    if rest.tables:
        _, issues = plan_sector(rest, capacity=_unique_capacity)
        left_out = [*skipped, *broken]
        issues = partial_check.hint_left_out(list(issues), rest.tables, left_out)
        issues += place_apart_warnings(rest)
    issues += partial_check.skipped_notes(failed, skipped, partial)
    return issues


def _key_pool(keys: ColumnSpec, locale: str | None = None) -> int:
    """How many distinct values the engine draws string map keys from (their Faker provider's
    pool, else the word pool): the engine, and Faker when the pool is not cached, load only for
    a sector with such a map that wants more than one key."""
    from streamforge.engine import pools

    where = locale or "en_US"
    if keys.faker is not None:
        return len(pools.faker_pool(keys.faker, locale=where))
    return len(pools.words(where))


def _unique_capacity(col: ColumnSpec, locale: str | None = None) -> int | None:
    """The capacity of a unique column: from its spec when that decides it (plan/capacity.py),
    else from the value generators (the engine loads only then)."""
    from streamforge.plan.capacity import UNKNOWN, spec_capacity

    if not col.unique:
        return None
    # spec_capacity reads en_US formats: another locale's provider has its own (de_DE `bban`)
    localized = col.faker is not None and locale not in (None, "en_US")
    answer = UNKNOWN if localized else spec_capacity(col)
    if answer is None or isinstance(answer, int):
        return answer
    assert answer == UNKNOWN
    from streamforge.engine.unique import unique_capacity

    return unique_capacity(col, locale)


def load_plan(schema_dir: Path, sector: str) -> Plan:
    check = check_sector(schema_dir, sector)
    if check.plan is None:
        raise SchemaError(check.issues)
    return check.plan


def plan_of(sector: str, schema_dir: Path | str | None = None) -> Plan:
    """The plan of `sector` in `schema_dir` (None: the default folder).

    Raises:
        NotFound: no such sector. SchemaError: the sector has errors (all of them).
    """
    root = resolve_schema_dir(schema_dir)
    known_sector_dir(root, sector)
    return load_plan(root, sector)
