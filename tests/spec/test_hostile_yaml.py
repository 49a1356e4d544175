"""Every hostile schema gets a clear error with file and line, quickly, in bounded memory
(issue 11.2): never an exception out of the loader, never an alias bomb's gigabytes."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamforge import sectors
from streamforge.errors import Issue
from streamforge.spec.load import MAX_FILE_BYTES, load_sector
from streamforge.spec.yaml_lines import MAX_DEPTH, YamlSyntaxError, load_lined

from .conftest import errors_of
from .hostile import TABLES, bomb, mutate

ROOT = Path(__file__).resolve().parents[2]
YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what YAML counts as a new line
# CPU seconds per schema, of this process: what the loader costs, not how long it waited for a
# core (a wall-clock bound flaked on a shared 2-core CI runner; CPU time does not grow with load).
SECONDS = 2.0
MEMORY = 256 << 20  # bytes of Python allocations per schema


def check_in_bounds(folder: Path) -> tuple[list[Issue], float, int]:
    """Load and plan one sector as `validate` does: (issues, CPU seconds of this process, peak
    traced bytes)."""
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]  # what earlier tests still hold is not ours
    began = time.process_time()
    check = sectors.check_sector(folder.parent, folder.name)
    elapsed = time.process_time() - began
    return list(check.issues), elapsed, tracemalloc.get_traced_memory()[1] - before


def assert_located(issues: list[Issue], folder: Path) -> None:
    """Each issue names a file of the folder, and a line inside it (0: the whole file)."""
    for issue in issues:
        file = Path(issue.file)
        assert file.parent == folder, issue
        if issue.line:
            text = file.read_bytes().decode("utf-8", errors="replace")
            lines = len(YAML_LINE_BREAK.findall(text)) + 1
            assert 1 <= issue.line <= lines, issue
        assert issue.message.strip(), issue


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    # The loader and planner import their modules on first use (commands start fast): load one
    # valid sector first, so the measured peaks are the hostile file's, not the imports'.
    warm = tmp_path_factory.mktemp("warm") / "Warm"
    warm.mkdir()
    (warm / "t.yml").write_text("table: t\ntype: dimension\nnum_rows: 1\ncolumns:\n  t_id: int\n")
    sectors.check_sector(warm.parent, warm.name)
    library = sectors.resolve_schema_dir(None)
    for sector in sectors.sector_names(library):  # every generator's capacity, pools included
        sectors.check_sector(library, sector)
    tracemalloc.start()
    yield
    tracemalloc.stop()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rng=st.randoms(use_true_random=False), victim=st.sampled_from(sorted(TABLES)))
def test_fuzzed_schemas_fail_cleanly_and_quickly(traced, tmp_path_factory, rng, victim):
    folder = tmp_path_factory.mktemp("Fuzz")
    for name, text in TABLES.items():
        hostile = mutate(rng, text) if name == victim else text
        (folder / f"{name}.yml").write_text(hostile, encoding="utf-8", errors="surrogatepass")
    issues, seconds, peak = check_in_bounds(folder)  # raises nothing: that is the test
    assert_located(issues, folder)
    assert seconds < SECONDS
    assert peak < MEMORY


def test_the_fuzz_mutations_reach_the_loaders_errors():
    """The fuzz above is worth something only if its schemas are mostly invalid, in many ways."""
    rng = random.Random(1)
    kinds = set()
    for _ in range(40):
        try:
            load_lined(mutate(rng, rng.choice(list(TABLES.values()))))
        except YamlSyntaxError as exc:
            kinds.add(str(exc).split(":")[0][:30])
    assert len(kinds) >= 6, kinds


def test_billion_laughs_is_refused_in_bounded_time_and_memory(traced, tmp_path):
    folder = tmp_path / "Bomb"
    folder.mkdir()
    (folder / "bomb.yml").write_text(bomb())  # 9**9 = 387 million strings if expanded
    assert (folder / "bomb.yml").stat().st_size < 1024
    issues, seconds, peak = check_in_bounds(folder)
    (issue,) = issues
    assert "aliases" in issue.message and issue.line >= 1
    assert seconds < SECONDS
    assert peak < 32 << 20  # measured: ~3 MB; before the limit: 6.4 GB after 60 s


def test_a_10_mb_file_is_refused_before_parsing(traced, tmp_path):
    folder = tmp_path / "Big"
    folder.mkdir()
    (folder / "big.yml").write_text("columns:\n" + "  - x\n" * ((10 << 20) // 6))
    issues, seconds, peak = check_in_bounds(folder)
    (issue,) = issues
    assert f"larger than {MAX_FILE_BYTES // 1024:,} KiB" in issue.message
    assert seconds < 0.5
    assert peak < 4 * MAX_FILE_BYTES


HOSTILE_FILES = {
    # name: (text, line of the error)
    "deep_flow": ("table: t\ncolumns: " + "[" * 10_000 + "]" * 10_000 + "\n", 2),
    "deep_block": ("table: t\n" + "".join(" " * i + f"k{i}:\n" for i in range(200)), None),
    "recursive": ("table: t\ncolumns: &c\n  x: *c\n", 3),
    "complex_key": ("table: t\ncolumns:\n  ? [a, b]\n  : int\n", 3),
    "mapping_key": ("table: t\n{a: 1}: 2\n", 2),
    "nul": ("table: t\ntype: dimension\nnum_rows: 5\x00\n", 3),
    "control": ("table: t\ncolumns:\n  a: \x1b[31mint\n", 3),
    "long_number": ("table: t\ntype: dimension\nnum_rows: " + "9" * 5_000 + "\n", 3),
    "bad_date": (
        "table: t\ntype: fact\nnum_rows: 5\ncolumns:\n  t_id: int\n"
        "  at: {type: datetime, min: 2020-02-30}\n",
        6,
    ),
    "python_tag": ("table: !!python/object/apply:os.system [echo hi]\n", 1),
    "binary_tag": ("table: t\ntype: !!binary aGk=\n", 2),
    "undefined_alias": ("table: *nope\n", 1),
    "two_documents": ("table: a\n---\ntable: b\n", 2),
    "duplicate_key": (
        "table: t\ntype: dimension\nnum_rows: 5\nnum_rows: 6\ncolumns: {a: int}\n",
        4,
    ),
    "huge_num_rows": ("table: t\ntype: dimension\nnum_rows: 1e999\ncolumns: {a: int}\n", 3),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_each_hostile_file_gets_one_located_error(traced, tmp_path, name):
    text, line = HOSTILE_FILES[name]
    folder = tmp_path / "Hostile"
    folder.mkdir()
    (folder / f"{name}.yml").write_text(text, encoding="utf-8")
    issues, seconds, peak = check_in_bounds(folder)
    errors = errors_of(issues)
    assert errors, issues
    assert_located(issues, folder)
    if line is not None:
        assert errors[0].line == line, errors[0]
    assert seconds < SECONDS and peak < MEMORY


def test_deep_nesting_limit_is_named(tmp_path):
    folder = tmp_path / "Deep"
    folder.mkdir()
    (folder / "deep.yml").write_text("table: t\ncolumns: " + "[" * 100 + "]" * 100 + "\n")
    (issue,) = load_sector(folder)[1]
    assert f"more than {MAX_DEPTH} levels" in issue.message


def test_folders_links_and_non_utf8_named_yml_are_reported(tmp_path):
    folder = tmp_path / "Odd"
    folder.mkdir()
    (folder / "folder.yml").mkdir()
    (folder / "broken.yml").symlink_to(tmp_path / "nowhere.yml")
    (folder / "latin1.yml").write_bytes(b"table: t\ndescription: caf\xe9\n")
    (folder / "pipe.yml").unlink(missing_ok=True)
    os.mkfifo(folder / "pipe.yml")  # reading it would block forever
    issues = {Path(i.file).name: i for i in load_sector(folder)[1]}
    assert "folder" in issues["folder.yml"].message
    assert "broken link" in issues["broken.yml"].message
    assert "regular file" in issues["pipe.yml"].message
    assert (issues["latin1.yml"].line, issues["latin1.yml"].message) == (
        2,
        "file is not UTF-8 text",
    )


def test_cli_validate_on_hostile_files_exits_2_with_file_and_line(tmp_path):
    """The real command, in its own process: exit 2, `file:line:` for each, no traceback."""
    folder = tmp_path / "Hostile"
    folder.mkdir()
    (folder / "bomb.yml").write_text(bomb())
    (folder / "big.yml").write_text("#" * (10 << 20))
    for name in ("deep_flow", "nul", "complex_key", "long_number", "bad_date"):
        (folder / f"{name}.yml").write_text(HOSTILE_FILES[name][0], encoding="utf-8")
    (folder / "folder.yml").mkdir()
    # VmHWM is the peak of this process's own memory map. ru_maxrss is not: Linux keeps it across
    # execve, so a child of a big pytest process reported the parent's peak (903 MB in the suite).
    probe = (
        "import sys\n"
        "from streamforge.cli import main\n"
        "try:\n    main()\n"
        "finally:\n"
        "    status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
        "    print(f'maxrss_kb={status}', file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1", "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-c", probe, "validate", str(folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "internal error" not in result.stderr
    for name in ("bomb", "deep_flow", "nul", "complex_key", "long_number", "bad_date"):
        assert f"{folder / name}.yml:" in result.stderr
        line = next(x for x in result.stderr.splitlines() if x.startswith(f"{folder / name}.yml:"))
        assert line.split(":")[1].isdigit(), line  # file:line:
    assert f"{folder / 'big.yml'}: the file is larger" in result.stderr
    assert f"{folder / 'folder.yml'}: is a folder" in result.stderr
    peak_kb = int(result.stderr.rsplit("maxrss_kb=", 1)[1].split()[0])
    assert peak_kb * 1024 < MEMORY  # the whole CLI process, imports included
