"""`verify --out`, `pipeline --out` and `--schema-dir` read or write with file I/O: a
`dbfs:/Volumes/...`, `dbfs:/...` or `file:/...` URI names its mounted path and is used; any other
URI is refused quoting what was typed (click.Path made `s3://b/x` the folder `s3:/b/x`), and a
path under a Databricks mount this machine lacks is refused with the fix. No traceback, nothing
written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from streamforge import file_uris
from streamforge.cli import main
from streamforge.errors import StreamForgeError

from .lab import lab

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}
URIS = ["s3://bucket/x", "abfss://c@acct.dfs.core.windows.net/x", "gs://b/x", "https://e.com/x"]
SHOP = """\
table: shop
type: dimension
num_rows: 5
columns:
  shop_id: int
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args), env=ENV)


def commands(schema: Path, folder: str) -> dict[str, list[str]]:
    """Each command with `folder` in the option under test."""
    return {
        "verify --out": ["verify", "Lab", "--schema-dir", str(schema), "--out", folder],
        "pipeline --out": ["pipeline", "Lab", "--schema-dir", str(schema), "--out", folder],
        "--schema-dir": ["validate", "Lab", "--schema-dir", folder],
        "validate DIR": ["validate", folder],
    }


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory (a mangled URI would become a folder here), and a sector Lab
    beside it."""
    lab(tmp_path / "elsewhere", SHOP)
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setattr(file_uris, "is_mounted", lambda mount: False)  # not on Databricks
    return tmp_path / "cwd"


@pytest.mark.parametrize("uri", URIS)
@pytest.mark.parametrize("option", list(commands(Path(), "")))
def test_a_uri_of_another_scheme_is_refused_as_typed(here: Path, option: str, uri: str) -> None:
    result = run(*commands(here.parent / "elsewhere" / "schema", uri)[option])
    assert result.exit_code != 0, result.output
    text = " ".join(result.output.split())
    scheme = uri.split(":", 1)[0]
    assert f"'{uri}'" in text and f"URI of scheme {scheme}: is no file system path" in text, text
    assert "/Volumes/<catalog>/<schema>/<volume>/" in text and "local folder" in text, text
    assert "Traceback" not in result.output
    assert list(here.iterdir()) == []


@pytest.mark.parametrize(
    ("typed", "mount"),
    [("dbfs:/Volumes/main/lab/files/x", "/Volumes"), ("dbfs:/tmp/x", "/dbfs")],
)
@pytest.mark.parametrize("option", list(commands(Path(), "")))
def test_a_dbfs_uri_is_its_mounted_path(here: Path, option: str, typed: str, mount: str) -> None:
    """Accepted, as the mounted path; here, with no such mount, refused naming the mount, the
    compute that has it, and the Databricks CLI copy of the same path."""
    result = run(*commands(here.parent / "elsewhere" / "schema", typed)[option])
    assert result.exit_code != 0, result.output
    text = " ".join(result.output.split())
    path = typed.replace("dbfs:", "" if mount == "/Volumes" else "/dbfs")
    assert f"{path}: " in text and f"this machine has no {mount};" in text, text
    assert "internal error" not in text and "Traceback" not in result.output
    if option != "pipeline --out":  # what is read there can be copied here first
        assert f"databricks fs cp -r {typed} " in text, text
    assert list(here.iterdir()) == []


def test_file_uris_reach_the_folder(here: Path) -> None:
    """`file:` URIs are plain paths: generate, verify and the pipeline project all work there."""
    schema = here.parent / "elsewhere" / "schema"
    landing, project = here.parent / "landing", here.parent / "project"
    gen = run("generate", "Lab", "--schema-dir", schema.as_uri(), "--out", str(landing))
    assert gen.exit_code == 0, gen.output
    ver = run("verify", "Lab", "--schema-dir", schema.as_uri(), "--out", landing.as_uri())
    assert ver.exit_code == 0, ver.output
    pipe = run("pipeline", "Lab", "--schema-dir", str(schema), "--out", project.as_uri())
    assert pipe.exit_code == 0, pipe.output
    assert (project / "databricks.yml").is_file()
    assert list(here.iterdir()) == []


SEGMENT = st.text(alphabet="abcxyz019_-.: ", min_size=1, max_size=8).filter(
    lambda s: s.strip(".") != "" and s == s.strip()
)


@given(st.lists(SEGMENT, min_size=1, max_size=4))
def test_file_path_maps_each_scheme_by_the_rule(segments: list[str]) -> None:
    tail = "/".join(segments)
    assert file_uris.file_path(f"dbfs:/Volumes/{tail}", "x") == Path(f"/Volumes/{tail}")
    assert file_uris.file_path(f"dbfs:/Volumes//{tail}/", "x") == Path(f"/Volumes/{tail}")
    assert file_uris.file_path(f"dbfs:/{tail}", "x") == Path(f"/dbfs/{tail}")
    assert file_uris.file_path(f"file:///{tail}", "x") == Path(f"/{tail}")
    # no scheme (a colon not followed by a slash is part of a name): the text, as a path
    assert file_uris.file_path(f"run:1/{tail}", "x") == Path(f"run:1/{tail}")
    with pytest.raises(StreamForgeError, match=f"'s3://{tail}'"):
        file_uris.file_path(f"s3://{tail}", "x")
