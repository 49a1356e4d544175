"""Commands load only what they use: `--version` and `--help` must not pull in the web app, the
Databricks SDK, Delta, the engine's pyarrow or Faker (issue 14: a fast start). Speed itself is
measured in bench/bench_start.py, never asserted here."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("fastapi", "databricks.sdk", "deltalake", "faker", "pyarrow", "numpy", "pydantic", "rich")

PROBE = """
import json, sys
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


def loaded_after(args: list[str], watched: tuple[str, ...]) -> list[str]:
    """The modules of `watched` that a fresh interpreter holds after `streamforge ARGS`."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(watched)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.rsplit("LOADED=", 1)[1])


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["run", "--help"]])
def test_help_and_version_import_nothing_heavy(args: list[str]) -> None:
    assert loaded_after(args, HEAVY) == []


def test_the_probe_sees_a_heavy_import() -> None:
    """The check above can fail: a command that does load the engine is seen to."""
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
