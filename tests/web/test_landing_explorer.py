"""The landing explorer: tables, files, samples read back in every format, the manifest, verify."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from streamforge import api
from streamforge.readback import read_manifest
from streamforge.web.landing_routes import volume_link


def finished_run(client: TestClient, fmt: str) -> dict:
    body = {"sector": "Energy", "destination": f"x-{fmt}", "interval": 0.2, "format": fmt}
    run = client.post("/api/runs", json=body).json()
    deadline = time.monotonic() + 30
    while client.get(f"/api/runs/{run['id']}").json()["cycle"] < 2:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    client.post(f"/api/runs/{run['id']}/stop")
    while client.get(f"/api/runs/{run['id']}").json()["active"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return run


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
def test_tables_files_and_samples_match_the_manifest(client: TestClient, fmt: str) -> None:
    run = finished_run(client, fmt)
    manifest = read_manifest(Path(run["destination"]))
    view = client.get(f"/api/runs/{run['id']}/landing").json()
    tables = {t["name"]: t for t in view["tables"]}
    for name, table in tables.items():
        entries = [e for e in manifest if e["table"] == name]
        assert table["files"] == len(entries)
        assert table["rows"] == sum(e["rows"] for e in entries)
        assert table["bytes"] == sum(e["bytes"] for e in entries)
        assert [f["file"] for f in table["newest"]] == [e["file"] for e in entries][::-1][:10]
    assert [c["cycle"] for c in view["cycles"]] == sorted({e["cycle"] for e in manifest})[::-1]

    # A sample read back from the landed file equals the first rows of that file.
    entry = next(e for e in manifest if e["table"] == "meter_readings")
    sample = client.get(f"/api/runs/{run['id']}/sample", params={"file": entry["file"]}).json()
    plan = api.load_plan("Energy")
    expected = api.sample_landed_file(run["destination"], plan, entry["file"], 20)
    assert sample["columns"] == expected.column_names
    assert len(sample["rows"]) == min(20, entry["rows"])
    first = pa.Table.from_pylist([sample["rows"][0]]).column(0)[0].as_py()
    assert first == expected.column(0)[0].as_py()

    report = client.post(f"/api/runs/{run['id']}/verify").json()
    assert report["ok"] and report["findings"] == []
    assert report["rows"]["meter_readings"] == tables["meter_readings"]["rows"]


def test_verify_reports_a_corrupted_landing(client: TestClient) -> None:
    run = finished_run(client, "json")
    entry = next(e for e in read_manifest(Path(run["destination"])) if e["table"] == "customer")
    path = Path(run["destination"]) / entry["file"]
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], *lines]) + "\n")  # a repeated key
    report = client.post(f"/api/runs/{run['id']}/verify").json()
    assert not report["ok"]
    assert any(f["table"] == "customer" for f in report["findings"])


def test_a_file_outside_the_manifest_is_refused(client: TestClient) -> None:
    run = finished_run(client, "json")
    answer = client.get(f"/api/runs/{run['id']}/sample", params={"file": "../../etc/passwd"})
    assert answer.status_code == 400 and "manifest" in answer.json()["detail"]


def test_the_explorer_page_renders(client: TestClient) -> None:
    run = finished_run(client, "json")
    page = client.get(f"/runs/{run['id']}/landing")
    assert page.status_code == 200 and "landing.js" in page.text
    assert client.get("/runs/nope/landing").status_code == 404


def test_volume_links_point_at_catalog_explorer() -> None:
    link = volume_link("/Volumes/main/sf/landing/energy", "https://adb-1.azuredatabricks.net/")
    assert link == "https://adb-1.azuredatabricks.net/explore/data/volumes/main/sf/landing"
    assert volume_link("/tmp/x", "https://h") is None
    assert volume_link("/Volumes/main/sf/landing", None) is None
