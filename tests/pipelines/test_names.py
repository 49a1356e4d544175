"""Names reach generated code only as identifiers, and are quoted where they land."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
import sqlglot
from click.testing import CliRunner
from tests.pipelines.registry import DIALECT, TARGETS, languages

from streamforge import api
from streamforge.cli import main
from streamforge.errors import SchemaError, StreamForgeError

SECTORS = Path(__file__).parent / "sectors"
HOSTILE = "a'b\"\nimport os"


@pytest.fixture
def hostile_sector(tmp_path: Path) -> Path:
    """The Quirks sector in a folder whose name would inject code into a docstring."""
    shutil.copytree(SECTORS / "Quirks", tmp_path / HOSTILE)
    return tmp_path


def test_a_sector_folder_that_is_no_identifier_is_refused(hostile_sector: Path) -> None:
    with pytest.raises(StreamForgeError) as caught:
        api.pipeline(HOSTILE, None, schema_dir=hostile_sector)
    message = str(caught.value)
    assert "rename the folder" in message and "'a_b_import_os'" in message
    assert repr(HOSTILE) in message  # the name as it is, line break shown, not executed


def test_the_cli_says_why_without_a_traceback(hostile_sector: Path, tmp_path: Path) -> None:
    out = tmp_path / "project"
    command = ["pipeline", HOSTILE, "--schema-dir", str(hostile_sector), "--out", str(out)]
    result = CliRunner().invoke(main, command)
    assert result.exit_code != 0
    assert "cannot name a pipeline" in result.output and "Traceback" not in result.output
    assert not out.exists()  # nothing written


def test_a_column_name_with_a_final_line_break_is_refused(tmp_path: Path) -> None:
    # `^...$` lets "name\n" through ($ matches before a final line break); names reach code.
    folder = tmp_path / "Sneaky"
    folder.mkdir()
    (folder / "t.yml").write_text(
        'table: t\ntype: dimension\nnum_rows: 3\ncolumns:\n  t_id: int\n  "x\\n": string\n'
    )
    with pytest.raises(SchemaError) as caught:
        api.load_plan("Sneaky", tmp_path)
    assert "t.yml:6" in str(caught.value) and "snake_case" in str(caught.value)


def test_keyword_names_are_quoted_in_every_target(tmp_path: Path) -> None:
    # `union` is reserved in Spark SQL (an unquoted `JOIN union d` does not parse) and `class`
    # is a Python keyword (no `def class():`); both name dimensions, the one kind of dataset
    # whose name has no prefix.
    shutil.copytree(SECTORS / "Quirks", tmp_path / "Quirks")
    extra = tmp_path / "Quirks" / "union.yml"
    extra.write_text(
        "table: union\ntype: dimension\nnum_rows: 5\ncolumns:\n  union_id: int\n"
        "  kind: {type: string, values: [TRADE, CRAFT]}\n"
    )
    fact = tmp_path / "Quirks" / "session.yml"
    fact.write_text(fact.read_text().replace("  class_id: int\n", "  union_id: int\n"))
    for target in TARGETS:
        for language in languages(target):
            files = api.pipeline(
                "Quirks", None, schema_dir=tmp_path, target=target, language=language, scd=2
            ).files
            for name, text in files.items():
                if name.endswith(".py"):
                    tree = ast.parse(text)  # no `def class():`
                    names = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
                    assert "class" in names or language == "sql"  # the dataset keeps its name
                elif name.startswith("reports/"):  # names datasets in string literals only
                    sqlglot.parse_one(text, read=DIALECT[target])
                elif name.endswith(".sql"):
                    assert "JOIN `union` d" in text or "JOIN LIVE.`union` d" in text
                    for query in _queries(text):
                        sqlglot.parse_one(query, read=DIALECT[target])


def _queries(sql: str) -> list[str]:
    """The SELECTs of a generated SQL file (the pipeline-only clauses are checked elsewhere)."""
    found = []
    for statement in sql.split(";\n"):
        lines = [ln for ln in statement.splitlines() if not ln.lstrip().startswith("--")]
        body = "\n".join(lines)
        if "\nAS SELECT" in body:
            found.append(body.split("\nAS ", 1)[1].strip().rstrip(";"))
    assert found
    return found
