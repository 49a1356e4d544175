"""`api.run` into a Volume end to end: `WorkspaceClient()` from the environment, the fake Files API,
a resumed second run, and the files read back and verified as a local copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.times import FakeClock

from streamforge import api
from streamforge.cli import main
from streamforge.errors import StreamForgeError
from streamforge.verify import verify_landing

from .conftest import DEST, ROOT
from .files_api_server import TOKEN, FakeFilesApi

SCHEMA = Path(__file__).resolve().parents[2] / "schema"


@pytest.fixture
def workspace_env(monkeypatch: pytest.MonkeyPatch, files_api: FakeFilesApi) -> FakeFilesApi:
    """What `WorkspaceClient()` reads when nothing is injected: the SDK's usual environment."""
    monkeypatch.setenv("DATABRICKS_HOST", files_api.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    return files_api


def run(clock: FakeClock, cycles: int, dest: str | Path = DEST) -> api.RunSummary:
    return api.run(
        sector="Energy", dest=str(dest), schema_dir=SCHEMA, interval=30, cycles=cycles,
        scale=0.2, clock=clock,
    )  # fmt: skip


def download(files_api: FakeFilesApi, into: Path) -> Path:
    for path, data in files_api.files.items():
        if path.startswith(ROOT + "/"):
            target = into / path[len(ROOT) + 1 :]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return into


def test_a_run_writes_the_volume_and_a_second_run_resumes(
    workspace_env: FakeFilesApi, tmp_path: Path
) -> None:
    files_api, clock = workspace_env, FakeClock()
    first = run(clock, cycles=2)
    assert not first.resumed and len(first.cycles) == 2 and first.dimensions
    second = run(clock, cycles=1)
    assert second.resumed and [c.cycle for c in second.cycles] == [2]
    assert second.dimensions == []  # written once, by the first run

    manifest = [json.loads(line) for line in files_api.files[f"{ROOT}/_streamforge/manifest.jsonl"]
                .decode().splitlines()]  # fmt: skip
    landed = {f"{ROOT}/{e['file']}" for e in manifest}
    assert landed <= files_api.files.keys()
    state = json.loads(files_api.files[f"{ROOT}/_streamforge/state.json"])
    assert state["next_cycle"] == 3 and state["dimensions_written"]
    assert f"{ROOT}/_streamforge/lock.json" not in files_api.files  # released after each run
    # Every data PUT went to a final name listed in the manifest: no temp name was ever written.
    data_puts = [r.path for r in files_api.requests("PUT") if "/_streamforge/" not in r.path]
    assert set(data_puts) == landed and len(data_puts) == len(landed)

    plan = api.load_plan("Energy", SCHEMA)
    report = verify_landing(download(files_api, tmp_path / "copy"), plan)
    assert report.ok, report.findings
    assert sum(report.rows.values()) == first.rows + second.rows


def test_a_volume_run_writes_what_a_local_run_writes(
    workspace_env: FakeFilesApi, tmp_path: Path
) -> None:
    run(FakeClock(), cycles=2)
    run(FakeClock(), cycles=2, dest=tmp_path / "local")
    copy = download(workspace_env, tmp_path / "copy")
    local = sorted(p.relative_to(tmp_path / "local") for p in (tmp_path / "local").rglob("*.json")
                   if "_streamforge" not in p.parts)  # fmt: skip
    assert local and local == sorted(
        p.relative_to(copy) for p in copy.rglob("*.json") if "_streamforge" not in p.parts
    )
    for relpath in local:
        assert (copy / relpath).read_bytes() == (tmp_path / "local" / relpath).read_bytes()


def test_a_second_runner_on_the_same_volume_is_refused(workspace_env: FakeFilesApi) -> None:
    holder = api.open_landing(DEST)
    refused = pytest.raises(StreamForgeError, match=r"in use by pid 1 on app-1.*one runner per")
    with holder.lock("pid 1 on app-1"), refused:
        run(FakeClock(), cycles=1)


def test_fresh_clears_the_volume_first(workspace_env: FakeFilesApi) -> None:
    run(FakeClock(), cycles=1)
    before = set(workspace_env.files)
    summary = api.run(
        sector="Energy", dest=DEST, schema_dir=SCHEMA, interval=30, cycles=1, scale=0.2,
        seed=7, fresh=True, clock=FakeClock(),
    )  # fmt: skip
    assert not summary.resumed and summary.dimensions
    # A different seed names files differently: none of the first run's data files is left.
    old_data = {p for p in before if "/_streamforge/" not in p}
    assert old_data and not old_data & set(workspace_env.files)


def test_the_cli_says_which_grant_is_missing_without_a_traceback(
    workspace_env: FakeFilesApi,
) -> None:
    workspace_env.deny(ROOT)
    args = ["run", "Energy", "--out", DEST, "--schema-dir", str(SCHEMA), "--cycles", "1"]
    result = CliRunner().invoke(main, args, env={"NO_COLOR": "1", "COLUMNS": "100"})
    text = " ".join((result.output + (result.stderr or "")).split())
    assert result.exit_code == 1, text
    assert "error: permission denied" in text and "Traceback" not in text
    assert "READ VOLUME and WRITE VOLUME on main.demo.landing" in text


@pytest.mark.parametrize("dest", [DEST, "dbfs:" + DEST, DEST.replace("/Volumes/", "/Volumes//")])
def test_delta_to_a_volume_is_refused_up_front_without_a_traceback(
    workspace_env: FakeFilesApi, dest: str
) -> None:
    # With credentials and a reachable Volume, `--format delta` used to crash with a TypeError
    # after writing the lock: it is refused before anything is written, and says what works.
    args = ["run", "Energy", "--out", dest, "--schema-dir", str(SCHEMA), "--format", "delta"]
    result = CliRunner().invoke(main, [*args, "--cycles", "1"], env={"NO_COLOR": "1"})
    text = " ".join((result.output + (result.stderr or "")).split())
    assert result.exit_code == 1, text
    assert "Traceback" not in text and not isinstance(result.exception, TypeError)
    assert "--format delta cannot write to a Volume" in text
    assert "Write csv, json or parquet to the Volume" in text  # every format that writes files
    assert workspace_env.files == {} or not any(p.startswith(ROOT) for p in workspace_env.files)
