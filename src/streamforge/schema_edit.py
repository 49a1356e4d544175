"""Edit a sector's YAML without saving it first: check and preview an edited table file as if it
were on disk, then save it only when the whole sector still validates.

The edited text is laid beside copies of the sector's other files in a temporary folder, so the
checks are exactly those of `streamforge validate` (foreign keys into the other tables included),
and line numbers are those of the editor. Saving writes to a temporary name and renames, like the
landing does, so a reader never sees half a schema file.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from streamforge import sectors
from streamforge.errors import Issue, StreamForgeError, display_path
from streamforge.spec.load import MAX_FILE_BYTES, YAML_SUFFIXES

NAME = re.compile(r"[a-z_][a-z0-9_]*")
SECTOR_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
MAX_TEXT = MAX_FILE_BYTES  # bytes of one table file, as the loader allows

TEMPLATES = {
    "dimension": """table: {name}
type: dimension
num_rows: 100
description: Describe the {name} dimension
columns:
  {name}_id: int
  name: string
  category: {{type: string, values: [A, B, C], weights: [6, 3, 1]}}
  created_at: datetime
""",
    "fact": """table: {name}
type: fact
num_rows: 500
description: Describe the {name} events
columns:
  {name}_id: long
  event_time: datetime
  amount: {{type: double, min: 0, max: 1000, distribution: lognormal, mean: 80}}
""",
}


Writer = Callable[[Path, str], None]  # (file in the schema folder, its new text)


class ReadOnlySchema(StreamForgeError):
    """The schema folder is the library shipped with StreamForge, or not writable (the web API
    answers 403)."""


@dataclass(frozen=True, slots=True)
class EditedCheck:
    """The sector's problems with the edited text in place; `issues_here` are the edited file's."""

    check: sectors.SectorCheck
    file: str  # the edited file, as issues name it
    issues_here: tuple[Issue, ...]


def table_file(schema_dir: Path, sector: str, table: str) -> Path:
    """`<sector>/<table>.yml` (or `.yaml`), found even when the sector does not validate.

    Raises:
        StreamForgeError: an unknown sector, or no such file.
    """
    directory = sectors.sector_dir(schema_dir, sector)
    for suffix in YAML_SUFFIXES:
        candidate = directory / f"{table}{suffix}"
        if candidate.is_file():
            return candidate
    raise StreamForgeError(f"no file {table}.yml in {display_path(directory)}")


@contextmanager
def _overlay(directory: Path, filename: str, text: str) -> Iterator[Path]:
    """A temporary schema folder holding the sector with `filename` replaced by `text`."""
    if len(text.encode("utf-8")) > MAX_TEXT:
        raise StreamForgeError(f"{filename}: larger than {MAX_TEXT:,} bytes")
    with tempfile.TemporaryDirectory(prefix="streamforge-edit-") as tmp:
        copy = Path(tmp) / directory.name
        copy.mkdir()
        for f in directory.iterdir():
            if f.is_file() and f.suffix in YAML_SUFFIXES and f.name != filename:
                shutil.copyfile(f, copy / f.name)
        (copy / filename).write_text(text, encoding="utf-8")
        yield Path(tmp)


def check_edited(schema_dir: Path, sector: str, filename: str, text: str) -> EditedCheck:
    """Validate the sector as if `filename` held `text`; issues name the real files."""
    directory = sectors.sector_dir(schema_dir, sector)
    with _overlay(directory, filename, text) as tmp:
        check = sectors.check_sector(tmp, directory.name)
        prefix = display_path(tmp / directory.name)
    real = display_path(directory)
    issues = tuple(replace(i, file=i.file.replace(prefix, real, 1)) for i in check.issues)
    edited = display_path(directory / filename)
    here = tuple(i for i in issues if i.file == edited)
    return EditedCheck(replace(check, issues=issues), edited, here)


@contextmanager
def edited_schema(schema_dir: Path, sector: str, filename: str, text: str) -> Iterator[Path]:
    """A schema folder with the edit in place, for previews (deleted when the block ends)."""
    directory = sectors.sector_dir(schema_dir, sector)
    with _overlay(directory, filename, text) as tmp:
        yield tmp


def check_writable(schema_dir: Path, editable: bool) -> None:
    """Raise ReadOnlySchema unless the app was started with a writable schema folder."""
    if not editable:
        raise ReadOnlySchema(
            "the schema folder is read-only here: start the app with a writable folder "
            "(STREAMFORGE_SCHEMA_DIR=./schema, or --schema-dir) to edit and save tables"
        )
    if not os.access(schema_dir, os.W_OK):
        raise ReadOnlySchema(f"{display_path(schema_dir)} is not writable by the app")


def save_table(
    schema_dir: Path, sector: str, filename: str, text: str, write: Writer | None = None
) -> EditedCheck:
    """Write the edited file when the sector validates with it (warnings allowed); `write`
    (path, text) also writes a remote copy (schema_remote), default: the local file only.

    Raises:
        StreamForgeError: the sector has errors with the edit (nothing is written).
    """
    result = check_edited(schema_dir, sector, filename, text)
    errors = result.check.errors
    if errors:
        raise StreamForgeError(f"not saved: {len(errors)} problem(s), first {errors[0]}")
    (write or _write_atomic)(sectors.sector_dir(schema_dir, sector) / filename, text)
    return result


def new_table(
    schema_dir: Path, sector: str, name: str, kind: str = "dimension", write: Writer | None = None
) -> Path:
    """A new table file from a template; refuses names that are not snake_case or taken."""
    if not NAME.fullmatch(name) or len(name) > 64:
        raise StreamForgeError(f"table name '{name}': use lower-case letters, digits and _")
    if kind not in TEMPLATES:
        raise StreamForgeError(f"kind '{kind}': use {' or '.join(TEMPLATES)}")
    directory = sectors.sector_dir(schema_dir, sector)
    path = directory / f"{name}.yml"
    if path.exists():
        raise StreamForgeError(f"{display_path(path)} already exists")
    (write or _write_atomic)(path, TEMPLATES[kind].format(name=name))
    return path


def new_sector(schema_dir: Path, sector: str, write: Writer | None = None) -> Path:
    """A new sector folder with one dimension from the template."""
    if not SECTOR_NAME.fullmatch(sector):
        raise StreamForgeError(
            f"sector name '{sector}': start with a letter; letters, digits, - and _ (64 at most)"
        )
    if sector.lower() in {n.lower() for n in sectors.sector_names(schema_dir)}:
        raise StreamForgeError(f"sector '{sector}' already exists")
    directory = schema_dir / sector
    directory.mkdir(exist_ok=True)
    name = re.sub(r"[^a-z0-9_]", "_", sector.lower())
    (write or _write_atomic)(directory / f"{name}.yml", TEMPLATES["dimension"].format(name=name))
    return directory


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
