"""Commands load only what they use: `--version` and `--help` must not pull in the web app, the
Databricks SDK, Delta, the engine's pyarrow or Faker (issue 14: a fast start). Speed itself is
measured in bench/bench_start.py, never asserted here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# subprocess: only ever came in through ctypes.util, to find libc (engine/memory.py)
HEAVY_FOR_GENERATE = (
    *("fastapi", "databricks.sdk", "deltalake", "faker", "pandas", "subprocess"),
    # a warm generate of a shipped sector: its checks and expressions come from the cache
    # (check_cache.py, expr/kept.py), its summary is plain text in a pipe (cli_summary.py)
    *("pydantic", "yaml", "sqlglot", "duckdb", "rich", "streamforge.cli_run"),
)
HEAVY = ("fastapi", "databricks.sdk", "deltalake", "faker", "pyarrow", "numpy", "pydantic", "rich")

PROBE = """
import json, sys
if sys.argv[3]:
    __import__(sys.argv[3])
watched = json.loads(sys.argv[2])
sys.argv = ["streamforge", *json.loads(sys.argv[1])]
from streamforge.entry import main
try:
    main()
except SystemExit:
    pass
loaded = [m for m in watched if m in sys.modules]
sys.__stdout__.write("\\nLOADED=" + json.dumps(loaded))
"""


def loaded_after(args: list[str], watched: tuple[str, ...], first: str = "") -> list[str]:
    """The modules of `watched` that a fresh interpreter holds after `streamforge ARGS` (with
    the module `first` imported before)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(watched), first],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.rsplit("LOADED=", 1)[1])


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["run", "--help"]])
def test_help_and_version_import_nothing_heavy(args: list[str]) -> None:
    assert loaded_after(args, HEAVY) == []


def forget_checks() -> None:
    """Empty the disk cache of checked sectors (check_cache.py): the next command checks. The
    answers about each expression (kept per installation, check_cache.keep_expressions) stay,
    as they do when a table file is edited."""
    shutil.rmtree(Path(os.environ["STREAMFORGE_CACHE_DIR"]) / "checks", ignore_errors=True)


def forget_everything() -> None:
    """Empty the disk cache of checked sectors and of the answers about each expression."""
    forget_checks()
    shutil.rmtree(Path(os.environ["STREAMFORGE_CACHE_DIR"]) / "expressions", ignore_errors=True)


def test_the_probe_sees_a_heavy_import() -> None:
    """The check above can fail: a command that does load the engine is seen to."""
    forget_checks()
    loaded = loaded_after(["validate", "--sector", "Retail"], HEAVY)
    assert "pydantic" in loaded


def test_python_dash_m_version_imports_nothing_heavy() -> None:
    """`python -m streamforge --version` as a user types it, seen through -X importtime."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "streamforge", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "streamforge, version" in done.stdout
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "streamforge.cli" in imported  # the trace is read, not empty
    assert sorted(m for m in HEAVY if m in imported) == []


GENERATE = ["--scale", "0.05", "--seed", "3", "--start", "2026-01-31T08:00:00Z"]


def landed(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and "_streamforge" not in p.parts
    }


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
def test_generate_loads_no_pandas_and_writes_what_it_writes_with_pandas(
    tmp_path: Path, fmt: str
) -> None:
    """pyarrow runs as on an install without pandas (not a dependency of ours): the same bytes
    land as in a process where pandas was loaded first, and pandas, Faker (its pools come from
    the cache once built), the web app, the SDK and Delta stay unloaded."""
    args = ["generate", "Retail", "--format", fmt, *GENERATE]
    loaded_after([*args, "--out", str(tmp_path / "warm-up")], ())  # fills the pool cache
    without = loaded_after([*args, "--out", str(tmp_path / "without")], HEAVY_FOR_GENERATE)
    assert without == []
    loaded_after([*args, "--out", str(tmp_path / "with")], (), first="pandas")
    assert landed(tmp_path / "without") == landed(tmp_path / "with")
    assert len(landed(tmp_path / "with")) >= 8  # every table of the sector landed


SCHEMA = Path(__file__).resolve().parents[2] / "schema"
SHIPPED = sorted(p.name for p in SCHEMA.iterdir() if any(p.glob("*.yml")))
# Never needed to check a schema: the engine's arrays, Faker (its names are cached), the web app,
# Spark, the SDK, Delta; pandas only ever came in through pyarrow or DuckDB.
NOT_FOR_VALIDATE = (
    "numpy",
    "pyarrow",
    "pandas",
    "faker",
    "pyspark",
    "fastapi",
    "starlette",
    "databricks.sdk",
    "deltalake",
    "rich.progress",
)
# sqlglot reads expr and checks: only for a sector that has them. DuckDB binds only what the
# typing rules (expr/static_types.py) do not cover: every shipped expression is covered.
EXPRESSIONS = ("duckdb", "sqlglot")
CHECKING = ("yaml", "pydantic", "streamforge.spec.load", "streamforge.plan.resolve")


def needs(sector: str) -> list[str]:
    """What validate of `sector` may load beyond the spec, by the rules: sqlglot when it has
    expressions or checks (not DuckDB: the shipped ones are typed without it); numpy and pyarrow
    when a unique column's capacity is the engine's to tell (plan/capacity.py)."""
    from streamforge import sectors
    from streamforge.plan.capacity import UNKNOWN, spec_capacity

    plan = sectors.plan_of(sector, SCHEMA)
    specs = [t.spec for t in plan.tables]
    expected = []
    if any(s.checks or any(c.expr for c in s.columns) for s in specs):
        expected += ["sqlglot"]
    if any(c.unique and spec_capacity(c) == UNKNOWN for s in specs for c in s.columns):
        expected += ["numpy", "pyarrow"]
    return expected


@pytest.mark.parametrize("sector", SHIPPED)
def test_validate_loads_only_what_the_sector_needs(sector: str) -> None:
    """`validate <schema>/<Sector>` (issue 14: < 0.3 s) stays off the engine, Faker and the rest;
    the first run may build the Faker names file. Checking a sector loads what it needs; once
    checked (a user's every run while the files stay as they are) it loads none of it, nor the
    YAML parser and the pydantic models: the check is read from the disk cache."""
    watched = (*NOT_FOR_VALIDATE, *EXPRESSIONS)
    loaded_after(["validate", str(SCHEMA / sector)], ())  # warms the Faker names file
    forget_everything()
    loaded = loaded_after(["validate", str(SCHEMA / sector)], watched)
    assert sorted(loaded) == sorted(needs(sector))
    again = loaded_after(["validate", str(SCHEMA / sector)], (*watched, *CHECKING))
    assert again == []
    # a table file edited (the check is forgotten), its expressions not: answered as kept
    forget_checks()
    edited = loaded_after(["validate", str(SCHEMA / sector)], (*watched, *CHECKING))
    assert sorted(edited) == sorted([*(m for m in needs(sector) if m != "sqlglot"), *CHECKING])


def test_no_shipped_sector_needs_the_engine_to_validate() -> None:
    """The rule above is not vacuous: no shipped sector needs numpy or pyarrow to validate (every
    unique column is counted from its spec), and one needs neither those nor DuckDB."""
    needed = {s: needs(s) for s in SHIPPED}
    assert [s for s, n in needed.items() if "numpy" in n or "pyarrow" in n] == []
    assert [] in needed.values()


def test_generate_without_expressions_loads_no_sqlglot_or_duckdb(tmp_path: Path) -> None:
    """Manufacturing has no expr or checks: its rows never pass through DuckDB (nor, once its
    pools are cached, Faker)."""
    args = ["generate", "Manufacturing", *GENERATE]
    assert needs("Manufacturing") == []
    loaded_after([*args, "--out", str(tmp_path / "warm-up")], ())  # fills the pool cache
    watched = (*EXPRESSIONS, *HEAVY_FOR_GENERATE)
    assert loaded_after([*args, "--out", str(tmp_path / "out")], watched) == []


def test_generate_of_a_checked_sector_loads_no_yaml_or_pydantic(tmp_path: Path) -> None:
    """Once checked, the plan comes from the disk cache (check_cache.py): `generate` loads
    neither the YAML parser, the pydantic models nor the planner; checking loads them."""
    args = ["generate", "Energy", *GENERATE]
    loaded_after([*args, "--out", str(tmp_path / "warm-up")], ())  # pools and the check
    assert loaded_after([*args, "--out", str(tmp_path / "out")], CHECKING) == []
    forget_checks()
    assert sorted(loaded_after([*args, "--out", str(tmp_path / "again")], CHECKING)) == sorted(
        CHECKING
    )


def forget_expressions() -> None:
    """Drop the kept per-expression planning (check_cache.keep_expressions: with each check and
    per installation) but keep the checks."""
    cache = Path(os.environ["STREAMFORGE_CACHE_DIR"])
    for kept in [*(cache / "checks").glob("*.expr.pickle"), *(cache / "expressions").glob("*")]:
        kept.unlink()


@pytest.mark.parametrize("sector", ["Retail", "Finance"])
def test_warm_generate_translates_nothing_and_writes_the_same(tmp_path: Path, sector: str) -> None:
    """The DuckDB SQL of a sector's expressions (and the fast path's reading of it) is kept with
    its check (expr/kept.py): a warm `generate` loads no sqlglot, and writes exactly the bytes
    a run that translates everything afresh writes."""
    args = ["generate", sector, *GENERATE]
    assert "sqlglot" in needs(sector)  # the sector has expressions: sqlglot is what it saves
    loaded_after([*args, "--out", str(tmp_path / "warm-up")], ())  # pools, check, expressions
    forget_expressions()
    fresh = loaded_after([*args, "--out", str(tmp_path / "fresh")], ("sqlglot",))
    assert fresh == ["sqlglot"]  # the probe sees a translation; this run keeps it again
    warm = loaded_after([*args, "--out", str(tmp_path / "warm")], ("sqlglot", *CHECKING))
    assert warm == []
    assert landed(tmp_path / "warm") == landed(tmp_path / "fresh")
    assert len(landed(tmp_path / "warm")) >= 5


@pytest.mark.parametrize("sector", SHIPPED)
def test_warm_generate_of_a_shipped_sector_loads_no_duckdb(tmp_path: Path, sector: str) -> None:
    """Every shipped sector's expr columns and checks are shapes the numpy path evaluates
    (numbers, comparisons, AND/OR/NOT, IS NULL, CASE, text `=` and `IN`, a text or timestamp
    column or NULL chosen by a CASE, `hour`, a list indexed by it): once warm, DuckDB (~0.1 s)
    never loads (issue 14: `generate` of a shipped sector < 0.5 s)."""
    args = ["generate", sector, *GENERATE]
    loaded_after([*args, "--out", str(tmp_path / "warm-up")], ())
    assert loaded_after([*args, "--out", str(tmp_path / "warm")], ("duckdb",)) == []


def test_a_corrupt_kept_translation_is_translated_again(tmp_path: Path) -> None:
    """A kept file that cannot be read is a miss: the run translates (sqlglot loads) and writes
    what a fresh run writes."""
    args = ["generate", "Retail", *GENERATE]
    loaded_after([*args, "--out", str(tmp_path / "warm-up")], ())
    cache = Path(os.environ["STREAMFORGE_CACHE_DIR"])
    kept = [*(cache / "checks").glob("*.expr.pickle"), *(cache / "expressions").glob("*")]
    assert {p.parent.name for p in kept} == {"checks", "expressions"}  # with each check, shared
    for path in kept:
        path.write_bytes(b"not a pickle")
    assert loaded_after([*args, "--out", str(tmp_path / "again")], ("sqlglot",)) == ["sqlglot"]
    assert landed(tmp_path / "again") == landed(tmp_path / "warm-up")


@pytest.mark.parametrize("sector", SHIPPED)
def test_a_warm_generate_of_every_shipped_sector_loads_nothing_it_does_not_use(
    tmp_path: Path, sector: str
) -> None:
    """Once the caches are warm (the first run), a generate imports no validation (pydantic,
    YAML, sqlglot), no DuckDB (expr/fast.py evaluates every shipped expression), no rich."""
    args = ["generate", sector, *GENERATE]
    loaded_after([*args, "--out", str(tmp_path / "warm-up")], ())
    assert loaded_after([*args, "--out", str(tmp_path / "o")], HEAVY_FOR_GENERATE) == []
