"""The `streamforge` command end to end: sectors, validate, generate, verify, and error handling."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner
from tests.times import micros

from streamforge import api
from streamforge.cli import main
from streamforge.engine.late_rows import LateOrigin
from streamforge.engine.load_profile import cycle_rows

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema"
SECTORS = ("Energy", "Finance", "Healthcare", "Manufacturing", "Retail")
START = "2026-01-01T00:00:00Z"
# stdout/stderr are not terminals in CI or behind a pipe: rich then assumes 80 columns
ENV = {"COLUMNS": "80", "LINES": "25", "NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None}


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], env=ENV)


def energy_tables() -> dict[str, dict]:
    docs = (yaml.safe_load(p.read_text()) for p in (SCHEMA / "Energy").glob("*.yml"))
    return {d["table"]: d for d in docs}


def batch_rows(entry: dict, seed: int, scale: float = 1.0, cycles: int = 2) -> int:
    """The rows of a manifest entry's batch by the rule: a dimension's num_rows × scale; a fact's
    or change feed's num_rows × scale, shaped by the table's `profile:` over the entry's window
    (engine.load_profile, which the engine and the Spark driver share); a profiled fact with
    late rows: its own rows on time plus the late rows earlier cycles sent (engine.late_rows;
    the run's last cycle, of `cycles`, takes every row still due)."""
    spec = api.load_plan("Energy", SCHEMA).table(entry["table"]).spec
    if entry["kind"] == "dimension":
        return round(spec.num_rows * scale)
    window = (micros(entry["window_start"]), micros(entry["window_end"]))
    start = micros(START)
    if entry["kind"] == "fact" and spec.profile is not None and spec.late_rate:
        origin = LateOrigin(
            spec.profile, spec.num_rows, scale, seed, spec.name, start, spec.late_rate
        )
        return origin.share(entry["cycle"], window, final=entry["cycle"] == cycles - 1).rows
    return cycle_rows(
        spec.profile, spec.num_rows, scale, seed, spec.name, entry["cycle"], window, start
    )


def generate(out: Path, *extra: str):
    return run("generate", "Energy", "--schema-dir", SCHEMA, "--out", out, "--start", START, *extra)


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "_streamforge" / "manifest.jsonl").open()]


def flat(text: str) -> str:
    """Output with line breaks folded into spaces (rich wraps long lines at the console width)."""
    return " ".join(text.split())


def no_traceback(result) -> None:
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing") / "energy"
    result = generate(out, "--cycles", "2", "--seed", "7")
    assert result.exit_code == 0, result.output + result.stderr
    return out


def test_sectors_lists_the_five_sectors_and_every_table(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("sectors")
    assert result.exit_code == 0, result.stderr
    for sector in SECTORS:
        assert re.search(rf"^{sector}\b", result.stdout, re.M), sector
        for file in (SCHEMA / sector).glob("*.yml"):
            name = yaml.safe_load(file.read_text())["table"]
            # the whole name, not cut to `customer_ch…` by the table layout
            assert re.search(rf"(?<![\w]){name}(?![\w…])", result.stdout), f"{sector}.{name}"


def test_sectors_outside_the_repo_uses_the_shipped_library(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert [s.name for s in api.list_sectors()] == sorted(SECTORS)


def test_validate_the_shipped_schema_folder(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("validate", "schema")
    assert result.exit_code == 0, result.stderr
    for sector in SECTORS:
        assert re.search(rf"^{sector}: valid \(\d+ tables, 0 errors", result.stdout, re.M), sector
    assert all("warning:" in line for line in result.stderr.splitlines() if ".yml:" in line)


def test_validate_unknown_sector_is_a_clear_error(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("validate", "--sector", "Nope")
    assert result.exit_code not in (0, None)
    no_traceback(result)
    message = flat(result.stderr)
    assert "unknown sector 'Nope'" in message
    assert "known sectors: Energy, Finance, Healthcare, Manufacturing, Retail" in message
    assert "did you mean 'Energy'?" in flat(run("validate", "--sector", "Energi").stderr)
    assert run("validate", "--sector", "energy").exit_code == 0


def test_validate_a_missing_folder(tmp_path):
    result = run("validate", tmp_path / "nope")
    assert result.exit_code == 1
    no_traceback(result)
    assert "does not exist" in flat(result.stderr)


def checked_sectors(result) -> list[str]:
    return re.findall(r"^(\w+): (?:valid|invalid) \(", result.stdout, re.M)


def test_validate_takes_schema_dir_and_sector_like_the_other_commands(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no ./schema: only --schema-dir points at the folder
    one = run("validate", "Finance", "--schema-dir", SCHEMA)
    assert one.exit_code == 0, one.output
    assert checked_sectors(one) == ["Finance"]
    assert checked_sectors(run("validate", "--schema-dir", SCHEMA)) == sorted(SECTORS)
    assert checked_sectors(run("validate", "retail", "--schema-dir", SCHEMA)) == ["Retail"]
    unknown = run("validate", "Energi", "--schema-dir", SCHEMA)
    assert unknown.exit_code == 1 and "did you mean 'Energy'?" in flat(unknown.stderr)
    no_traceback(unknown)
    both = run("validate", "Energy", "--sector", "Retail", "--schema-dir", SCHEMA)
    assert both.exit_code == 2 and "two sectors" in flat(both.output)


def test_validate_reads_sector_names_from_the_default_folder(monkeypatch):
    monkeypatch.chdir(ROOT)  # ./schema is the default folder, as for generate
    assert checked_sectors(run("validate", "Healthcare")) == ["Healthcare"]


def test_validate_keeps_the_schema_folder_as_its_argument(monkeypatch):
    """The form README.md documented before --schema-dir: `validate SCHEMA_DIR [--sector S]`."""
    monkeypatch.chdir(ROOT)
    assert checked_sectors(run("validate", "schema")) == sorted(SECTORS)
    assert checked_sectors(run("validate", SCHEMA, "--sector", "Energy")) == ["Energy"]
    assert checked_sectors(run("validate", "schema/Energy")) == ["Energy"]  # a sector's folder


def test_validate_a_folder_without_sectors_is_an_error(tmp_path):
    (tmp_path / "notes").mkdir()
    result = run("validate", tmp_path)
    assert result.exit_code == 1
    no_traceback(result)
    assert f"no sector in {tmp_path}" in flat(result.stderr)


def test_schema_errors_stop_generate_with_file_and_line(tmp_path):
    invalid = ROOT / "tests" / "golden" / "invalid"
    result = run("generate", "unknown_type", "--schema-dir", invalid, "--out", tmp_path / "o")
    assert result.exit_code == 2
    no_traceback(result)
    assert "customer.yml:6: column 'name': unknown type 'strng'" in flat(result.stderr)
    assert not (tmp_path / "o").exists()


def test_generate_layout_and_file_names(landing):
    tables = energy_tables()
    assert {p.name for p in landing.iterdir()} == {*tables, "_streamforge"}
    ids: dict[int, set[str]] = {}
    for name, doc in tables.items():
        files = sorted((landing / name).iterdir())
        cycles = [0] if doc["type"] == "dimension" else [0, 1]
        assert len(files) == len(cycles), name
        for file, cycle in zip(files, cycles, strict=True):
            match = re.fullmatch(rf"{name}-c(\d{{6}})-([0-9a-f]{{8}})\.json", file.name)
            assert match, file.name
            assert int(match[1]) == cycle
            ids.setdefault(cycle, set()).add(match[2])
    # id8 comes from (seed, cycle): one per cycle, different between cycles
    assert len(ids[0]) == len(ids[1]) == 1 and ids[0] != ids[1]


def test_generate_manifest_matches_the_files(landing):
    tables = energy_tables()
    rows = manifest(landing)
    assert sorted(r["file"] for r in rows) == sorted(
        str(p.relative_to(landing)) for p in landing.glob("*/*.json")
    )
    for r in rows:
        lines = (landing / r["file"]).read_text().splitlines()
        assert len(lines) == r["rows"], r["file"]
        assert r["kind"] == tables[r["table"]]["type"] and r["format"] == "json"
        if r["kind"] != "change_feed":
            assert r["rows"] == batch_rows(r, seed=7)
    # A change feed's late rows land in a later file (a finite generate lands them all by its
    # last one), and its duplicates are extra copies: over the run, every change once plus copies.
    for name in (n for n, t in tables.items() if t["type"] == "change_feed"):
        feed = [r for r in rows if r["table"] == name]
        copies = sum(r["faults"].get("duplicate", 0) for r in feed)
        assert sum(r["rows"] for r in feed) == sum(batch_rows(r, seed=7) for r in feed) + copies
    starts = {r["cycle"]: r["window_start"] for r in rows if r["kind"] != "dimension"}
    assert starts == {0: "2026-01-01T00:00:00Z", 1: "2026-01-01T00:00:30Z"}


def test_generate_prints_a_summary(tmp_path):
    result = generate(tmp_path / "o", "--cycles", "2", "--seed", "7", "--scale", "0.5")
    # A change feed's duplicates are extra copies (its late rows land by the last cycle).
    entries = manifest(tmp_path / "o")
    copies = sum(r["faults"].get("duplicate", 0) for r in entries if r["kind"] == "change_feed")
    total = sum(batch_rows(r, seed=7, scale=0.5) for r in entries) + copies
    assert f"wrote {total:,} rows in 11 files" in flat(result.stdout)


def test_scale_multiplies_every_num_rows(tmp_path):
    out = tmp_path / "o"
    assert generate(out, "--cycles", "1", "--scale", "0.1").exit_code == 0
    rows = {r["table"]: r["rows"] for r in manifest(out)}
    copies = {
        r["table"]: r["faults"].get("duplicate", 0) if r["kind"] == "change_feed" else 0
        for r in manifest(out)
    }
    rows = {name: count - copies[name] for name, count in rows.items()}
    expected = {r["table"]: batch_rows(r, api.DEFAULT_SEED, 0.1, 1) for r in manifest(out)}
    assert rows == expected and set(rows) == set(energy_tables())


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_other_formats(tmp_path, fmt):
    out = tmp_path / "o"
    result = generate(out, "--cycles", "1", "--seed", "7", "--scale", "0.1", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    entries = manifest(out)
    assert {e["format"] for e in entries} == {fmt}
    for e in entries:
        path = out / e["file"]
        assert path.suffix == f".{fmt}" and path.parent.name == e["table"]
        if fmt == "csv":
            lines = path.read_text().splitlines()
            columns = energy_tables()[e["table"]]["columns"]
            # hidden: true columns drive others but are never written (issue 13.3)
            header = [
                n for n, c in columns.items() if not (isinstance(c, dict) and c.get("hidden"))
            ]
            assert lines[0].replace('"', "").split(",")[: len(header)] == list(header)
            assert len(lines) == e["rows"] + 1
        else:
            assert pq.read_table(path).num_rows == e["rows"]
    assert run("verify", "Energy", "--schema-dir", SCHEMA, "--out", out).exit_code == 0


def test_second_generate_needs_fresh(tmp_path):
    out = tmp_path / "o"
    assert generate(out, "--cycles", "1", "--scale", "0.1").exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    again = generate(out, "--cycles", "1", "--scale", "0.1", "--seed", "9")
    assert again.exit_code == 1
    no_traceback(again)
    assert "--fresh" in flat(again.stderr) and "already holds" in flat(again.stderr)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    fresh = generate(out, "--cycles", "1", "--scale", "0.1", "--seed", "9", "--fresh")
    assert fresh.exit_code == 0, fresh.stderr
    assert len(manifest(out)) == len(energy_tables())  # replaced, not appended
    assert {p.name.rsplit("-", 1)[1] for p in out.glob("*/*.json")} != {
        p.name.rsplit("-", 1)[1] for p in before if p.suffix == ".json"
    }


@pytest.mark.parametrize("start", ["yesterday", "2026-13-01", "01/02/2026"])
def test_bad_start_is_a_clear_error(tmp_path, start):
    result = generate(tmp_path / "o", "--start", start)
    assert result.exit_code == 1
    no_traceback(result)
    assert f"--start '{start}' is not ISO-8601" in flat(result.stderr)
    assert not (tmp_path / "o").exists()


def test_bad_start_with_fresh_keeps_the_existing_landing_area(tmp_path):
    """Arguments are checked before --fresh clears anything: a refused command destroys nothing."""
    out = tmp_path / "o"
    assert generate(out, "--cycles", "1", "--scale", "0.1").exit_code == 0

    def data() -> dict[str, int]:
        return {str(p.relative_to(out)): p.stat().st_size for p in out.glob("*/*.json*")}

    before = data()
    result = generate(out, "--fresh", "--start", "yesterday")
    assert result.exit_code == 1
    assert data() == before, "a refused command deleted the previous run"


def test_verify_passes_on_generated_output(landing):
    result = run("verify", "Energy", "--schema-dir", SCHEMA, "--out", landing)
    assert result.exit_code == 0, result.stderr
    made = sum(batch_rows(r, seed=7) for r in manifest(landing))
    feeds = (r for r in manifest(landing) if r["kind"] == "change_feed")
    copies = sum(r["faults"].get("duplicate", 0) for r in feeds)  # exact copies of change rows
    assert result.stdout.startswith(f"ok: 11 files, {made + copies:,} rows")


def test_verify_finds_an_orphan_foreign_key(landing, tmp_path):
    out = tmp_path / "o"
    shutil.copytree(landing, out)
    (path,) = out.glob("electricity_production/*-c000001-*.json")
    lines = path.read_text().splitlines()
    row = json.loads(lines[3])
    row["equipment_id"] = 999_999
    lines[3] = json.dumps(row, separators=(",", ":"))
    path.write_text("\n".join(lines) + "\n")  # same number of rows as the manifest says
    result = run("verify", "Energy", "--schema-dir", SCHEMA, "--out", out)
    assert result.exit_code == 1
    no_traceback(result)
    message = flat(result.stderr)
    assert (
        "electricity_production cycle 1: 1 orphan values in equipment_id (e.g. 999999)" in message
    )
    assert "1 problem in" in result.stdout


def test_verify_finds_a_row_count_mismatch(landing, tmp_path):
    out = tmp_path / "o"
    shutil.copytree(landing, out)
    (path,) = out.glob("outage_events/*-c000000-*.json")
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")
    result = run("verify", "Energy", "--schema-dir", SCHEMA, "--out", out)
    assert result.exit_code == 1
    assert "199 rows in file, manifest says 200" in flat(result.stderr)


def test_verify_without_a_landing_area(tmp_path):
    result = run("verify", "Energy", "--schema-dir", SCHEMA, "--out", tmp_path)
    assert result.exit_code == 1
    no_traceback(result)
    assert "no StreamForge landing area" in flat(result.stderr)


def test_internal_error_without_debug_has_no_traceback(monkeypatch):
    def boom(*_args, **_kw):
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "list_sectors", boom)
    result = run("sectors")
    assert result.exit_code == 1
    no_traceback(result)
    assert "internal error: RuntimeError: boom" in flat(result.stderr)
    assert "--debug" in result.stderr
    debug = run("--debug", "sectors")
    assert isinstance(debug.exception, RuntimeError)


def test_debug_prints_the_traceback():
    script = (
        "import sys, streamforge.api as api\n"
        "def boom(*a, **k): raise RuntimeError('boom')\n"
        "api.list_sectors = boom\n"
        "from streamforge.cli import main\n"
        "main(sys.argv[1:], prog_name='streamforge')\n"
    )
    for args, traceback in ((["sectors"], False), (["--debug", "sectors"], True)):
        done = subprocess.run(
            [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 1
        assert ("Traceback (most recent call last)" in done.stderr) is traceback, done.stderr
        assert "RuntimeError: boom" in done.stderr


def test_every_command_describes_its_shared_options_alike():
    """--schema-dir reads the same in every command that takes it (run's had no help at all),
    and generate and run offer the same landing formats with the same default."""
    from streamforge.cli_run import run as run_command

    assert isinstance(main, click.Group)
    commands = {**main.commands, "run": run_command}
    options = {
        (name, flag): p
        for name, command in commands.items()
        for p in command.params
        if isinstance(p, click.Option)
        for flag in p.opts
    }
    helps = {name: p.help for (name, flag), p in options.items() if flag == "--schema-dir"}
    assert {"generate", "run", "verify", "pipeline", "validate", "sectors"} <= set(helps)
    assert len(set(helps.values())) == 1 and all(helps.values()), helps
    generate, run_ = options["generate", "--format"], options["run", "--format"]
    assert isinstance(generate.type, click.Choice) and isinstance(run_.type, click.Choice)
    assert (generate.type.choices, generate.default) == (run_.type.choices, run_.default)
