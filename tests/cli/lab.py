"""A small sector `Lab` written from YAML texts into a test's tmp_path, and the CLI run on it:
the setup the CLI regression tests (hidden keys, missing files, null lookups, unmet checks) share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from streamforge.cli import main

SECTOR = "Lab"


@dataclass(frozen=True)
class Lab:
    """The schema folder holding sector Lab, and the landing folder the commands write."""

    schema: Path
    out: Path

    def invoke(self, command: str, *extra: str) -> Result:
        """`streamforge COMMAND Lab --schema-dir SCHEMA [--out OUT] EXTRA...` (validate takes no
        --out)."""
        args = [command, SECTOR, "--schema-dir", str(self.schema)]
        if command != "validate":
            args += ["--out", str(self.out)]
        return CliRunner().invoke(main, [*args, *extra])


def lab(tmp_path: Path, *tables: str) -> Lab:
    """Write each table's YAML text to `tmp_path`/schema/Lab/<its table: name>.yml."""
    folder = tmp_path / "schema" / SECTOR
    folder.mkdir(parents=True)
    for text in tables:
        name = re.search(r"^table: *(\w+)", text, re.MULTILINE)
        assert name, f"no 'table:' line in {text!r}"
        (folder / f"{name.group(1)}.yml").write_text(text)
    return Lab(tmp_path / "schema", tmp_path / "out")
