"""Checked sectors kept on disk (check_cache.py, issue 14: a fast start): a warm `validate` or
`generate` skips the YAML, pydantic and DuckDB, yet reports and writes exactly what a cold one
does, and any change to the files, the code or the cache itself is checked again."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from streamforge import check_cache, sectors
from streamforge.errors import Issue

SCHEMA = Path(__file__).resolve().parents[1] / "schema"
SHIPPED = sectors.sector_names(SCHEMA)


def validate(folder: Path, cache: Path, cwd: Path) -> tuple[int, str]:
    """Exit code and stdout + stderr of a fresh `streamforge validate FOLDER` process."""
    done = subprocess.run(
        [sys.executable, "-m", "streamforge", "validate", str(folder)],
        env={**os.environ, "STREAMFORGE_CACHE_DIR": str(cache)},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


def kept_files(cache: Path) -> list[str]:
    """The kinds of kept file, e.g. [".expr.pickle", ".json", ".pickle"]."""
    return sorted(
        "." + p.name.split(".", 1)[1] for p in (cache / "checks").iterdir() if p.name[0] != "."
    )


def test_validate_after_an_edit_reports_the_new_error_as_a_cold_run_does(tmp_path: Path) -> None:
    sector = tmp_path / "Energy"
    shutil.copytree(SCHEMA / "Energy", sector)
    cache = tmp_path / "cache"
    assert validate(sector, cache, tmp_path) == (0, validate(sector, cache, tmp_path)[1])
    # the warm run above read these (.expr.pickle: what each expression names, its type)
    assert kept_files(cache) == [".expr.pickle", ".json", ".pickle"]

    table = sector / "customer.yml"
    text = table.read_text()
    assert "  phone: string\n" in text
    table.write_text(text.replace("  phone: string\n", "  phone: strng\n"))
    line = text.splitlines().index("  phone: string") + 1

    code, warm = validate(sector, cache, tmp_path)
    assert code == 2
    assert f"customer.yml:{line}:" in warm and "strng" in warm
    assert (code, warm) == validate(sector, tmp_path / "empty-cache", tmp_path)
    assert validate(sector, cache, tmp_path) == (code, warm)  # the error is kept too

    table.write_text(text)  # fixed again: valid, as before
    assert validate(sector, cache, tmp_path)[0] == 0


def test_a_corrupt_cache_is_ignored_and_rewritten(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = validate(SCHEMA / "Retail", cache, tmp_path)
    assert cold[0] == 0
    kept = sorted([*(cache / "checks").iterdir(), *(cache / "expressions").iterdir()])
    assert len(kept) == 4  # the summary, the check, its expressions, and every sector's
    summary = next(p for p in kept if p.suffix == ".json")
    for garbage in (b"", b"\x80\x05not a pickle", b'{"key": 1}'):
        for path in kept:
            path.write_bytes(garbage)
        assert validate(SCHEMA / "Retail", cache, tmp_path) == cold
        tables = len(list((SCHEMA / "Retail").glob("*.yml")))
        assert json.loads(summary.read_bytes())["tables"] == tables


def test_an_unwritable_cache_folder_only_costs_time(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert validate(SCHEMA / "Energy", blocked, tmp_path) == validate(
        SCHEMA / "Energy", tmp_path / "cache", tmp_path
    )


@pytest.mark.parametrize("sector", SHIPPED)
def test_a_kept_check_equals_a_fresh_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sector: str
) -> None:
    """The pickled plan (read-only mappings included) is the plan, and the summary `validate`
    prints is the check's."""
    monkeypatch.setenv("STREAMFORGE_CACHE_DIR", str(tmp_path))
    directory = SCHEMA / sector
    fresh = sectors._check(directory)
    check_cache.store(directory, "/somewhere", "k1", fresh)
    kept = check_cache.load_check(directory, "/somewhere", "k1")
    assert kept == fresh and kept is not fresh
    assert kept.plan is not None and type(kept.plan.entities) is type(fresh.plan.entities)  # type: ignore[union-attr]
    assert check_cache.load_summary(directory, "/somewhere", "k1") == check_cache.summary_of(fresh)
    assert check_cache.summary_of(fresh).tables == len(list(directory.glob("*.yml")))
    # another key, another working directory: a miss
    assert check_cache.load_check(directory, "/somewhere", "k2") is None
    assert check_cache.load_summary(directory, "/elsewhere", "k1") is None


def test_the_key_covers_files_folder_cwd_and_code(monkeypatch: pytest.MonkeyPatch) -> None:
    directory = SCHEMA / "Energy"
    files = (("a.yml", b"table: a\n"),)
    key = check_cache.key_of(directory, files, "/w")
    assert check_cache.key_of(directory, files, "/w") == key
    assert check_cache.key_of(directory, (("a.yml", b"table: b\n"),), "/w") != key
    assert check_cache.key_of(directory, (("b.yml", b"table: a\n"),), "/w") != key
    assert check_cache.key_of(directory, files, "/v") != key
    assert check_cache.key_of(SCHEMA / "Retail", files, "/w") != key
    monkeypatch.setattr(check_cache, "_code", lambda: "an edited module")
    check_cache.environment_key.cache_clear()  # once per process: a new process sees the edit
    assert check_cache.key_of(directory, files, "/w") != key
    check_cache.environment_key.cache_clear()


def test_an_edited_module_changes_the_code_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    module = tmp_path / "sub" / "m.py"
    module.write_text("x = 1\n")
    monkeypatch.setattr(check_cache, "PACKAGE_DIR", tmp_path)
    before = check_cache._code()
    assert "m.py" in before
    module.write_text("x = 22\n")
    assert check_cache._code() != before


def landed(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and "_streamforge" not in p.parts
    }


@pytest.mark.parametrize("sector", ["Manufacturing", "Retail"])
def test_generate_from_a_kept_plan_writes_the_same_rows(tmp_path: Path, sector: str) -> None:
    """Retail computes expressions and lookups, Manufacturing draws only: the same bytes land
    whether the plan was built from the YAML or read from the cache."""
    cache = tmp_path / "cache"
    env = {**os.environ, "STREAMFORGE_CACHE_DIR": str(cache)}
    args = ["generate", sector, "--scale", "0.05", "--seed", "3", "--start", "2026-01-31T08:00:00Z"]

    def generate(out: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "streamforge", *args, "--out", str(tmp_path / out)],
            env=env,
            cwd=tmp_path,
            check=True,
            capture_output=True,
            timeout=300,
        )

    generate("warm-up")  # fills the Faker pools
    shutil.rmtree(cache / "checks")
    generate("planned")
    # the per-expression planning is kept only for a sector whose YAML has expr: columns: per
    # installation, so the check forgotten above found every expression answered there
    computes = any("expr:" in p.read_text() for p in (SCHEMA / sector).glob("*.yml"))
    assert kept_files(cache) == [".json", ".pickle"]
    assert len(list((cache / "expressions").glob("*.pickle"))) == int(computes)
    generate("kept")
    assert landed(tmp_path / "kept") == landed(tmp_path / "planned")
    assert len(landed(tmp_path / "kept")) >= 7


@pytest.mark.parametrize(
    "record",
    [
        lambda issues: check_cache.CheckSummary("Lab", 2, issues),
        lambda issues: sectors.SectorCheck("Lab", None, issues),
    ],
    ids=["CheckSummary", "SectorCheck"],
)
def test_summary_and_check_split_issues_by_severity(record) -> None:
    """The kept summary and the full check answer `errors`/`warnings` alike: each the issues of
    that severity, in their order; both stay slotted records (no per-instance dict)."""
    issues = (
        Issue("a.yml", 1, "w1", severity="warning"),
        Issue("a.yml", 2, "e1"),
        Issue("b.yml", 3, "w2", severity="warning"),
        Issue("b.yml", 4, "e2", severity="error"),
    )
    made = record(issues)
    assert [i.message for i in made.errors] == ["e1", "e2"]
    assert [i.message for i in made.warnings] == ["w1", "w2"]
    assert not hasattr(made, "__dict__")
