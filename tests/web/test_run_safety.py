"""Runs started from the app cannot destroy each other, fail cleanly, and stay within bounds."""

from __future__ import annotations

import collections
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from streamforge import api
from streamforge.web import create_app
from streamforge.web.runs import BadDestination, resolve_destination

SLOW = {"sector": "Energy", "interval": 30, "seed": 3}  # writes dimensions and cycle 0, then waits


def start(client: TestClient, destination: str, **extra) -> object:
    return client.post("/api/runs", json={**SLOW, "destination": destination, **extra})


@pytest.fixture
def default_client(landing_root: Path) -> Iterator[TestClient]:
    """The app with its default limits (the shared `client` lowers the minimum interval)."""
    with TestClient(create_app(landing_root=landing_root, env={})) as test_client:
        yield test_client


def test_a_destination_inside_another_runs_table_folder_or_control_folder_is_409(
    client: TestClient,
) -> None:
    assert start(client, "a").status_code == 201
    for inside in ("a/customer", "a/customer/deeper", "a/_streamforge", "a/_streamforge/x"):
        answer = start(client, inside)
        assert answer.status_code == 409, inside
        assert "Energy run" in answer.json()["detail"]
    # Beside its folders is fine: "Start over" on `a` deletes only a's tables and control folder.
    assert start(client, "a/other").status_code == 201


def test_a_destination_around_another_runs_landing_is_409(client: TestClient) -> None:
    # A run at `x/customer`, then one at `x`: x's own `customer` table folder would hold it.
    assert start(client, "x/customer").status_code == 201
    answer = start(client, "x")
    assert answer.status_code == 409 and "x/customer" in answer.json()["detail"]


def test_a_landing_on_disk_from_an_earlier_server_counts_too(
    client: TestClient, landing_root: Path
) -> None:
    api.generate("Energy", landing_root / "old", cycles=1)
    answer = start(client, "old/customer")
    assert answer.status_code == 409 and "on disk" in answer.json()["detail"]
    assert start(client, "old/customer2").status_code == 201


def test_a_run_that_cannot_create_its_folder_fails_and_frees_the_destination(
    client: TestClient, landing_root: Path
) -> None:
    (landing_root / "blocked").write_text("a file where the folder should be")
    answer = start(client, "blocked/run")
    assert answer.status_code == 400 and "blocked" in answer.json()["detail"]
    failed = client.get("/api/runs").json()
    assert [r["state"] for r in failed] == ["failed"] and failed[0]["last_error"]
    (landing_root / "blocked").unlink()
    assert start(client, "blocked/run").status_code == 201  # not 409: the failed run is gone


def test_a_name_the_file_system_refuses_fails_with_400(client: TestClient) -> None:
    answer = start(client, "n" * 300)
    assert answer.status_code == 400 and "cannot create" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("seed", -1), ("seed", 10**30), ("format", "xml"), ("scale", 0), ("interval", 0)],
)
def test_bad_fields_are_422_naming_the_field(client: TestClient, field: str, value) -> None:
    answer = client.post("/api/runs", json={**SLOW, "destination": "f", field: value})
    assert answer.status_code == 422
    assert field in [e["loc"][-1] for e in answer.json()["detail"]]


def test_the_default_limits_refuse_short_intervals_and_huge_scales(
    default_client: TestClient,
) -> None:
    short = start(default_client, "f", interval=0.5)
    assert short.status_code == 400 and short.json()["detail"].startswith("interval:")
    huge = start(default_client, "f", scale=5000)
    assert huge.status_code == 400 and huge.json()["detail"].startswith("scale:")
    assert default_client.get("/api/runs").json() == []


def test_rows_per_cycle_are_bounded_by_the_configured_limit(landing_root: Path) -> None:
    plan = api.load_plan("Energy")
    per_cycle = sum(busiest(t) for t in plan.streams)
    env = {"STREAMFORGE_MAX_ROWS_PER_CYCLE": str(per_cycle - 1)}
    with TestClient(create_app(landing_root=landing_root, env=env)) as client:
        answer = start(client, "f")
        assert answer.status_code == 400
        assert f"{per_cycle:,} rows in the busiest cycle" in answer.text


def busiest(table, scale: float = 1.0) -> int:
    """A stream's rows in its busiest cycle by the rule: num_rows × scale × the profile's busiest
    hour (of its busiest weekday) over the average, in a burst when it has bursts."""
    profile = table.spec.profile
    if profile is None:
        return round(table.spec.num_rows * scale)
    hourly = max(profile.hourly) * 24 / sum(profile.hourly)
    weekday = max(profile.weekday) * 7 / sum(profile.weekday)
    burst = max(profile.burst_multiplier, 1) if profile.burst_probability else 1
    return math.ceil(table.spec.num_rows * scale * hourly * weekday * burst)


def test_a_run_larger_than_the_free_space_is_refused(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr("streamforge.web.limits.shutil.disk_usage", lambda _: usage(1, 1, 1000))
    answer = start(client, "f")
    assert answer.status_code == 400 and "MiB are free" in answer.json()["detail"]


def test_the_estimate_counts_the_yaml_rows_times_the_scale(client: TestClient) -> None:
    plan = api.load_plan("Energy")
    answer = client.get("/api/sectors/Energy/estimate", params={"scale": 2, "format": "csv"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["dimension_rows"] == sum(round(t.spec.num_rows * 2) for t in plan.dimensions)
    assert body["cycle_rows"] == sum(round(t.spec.num_rows * 2) for t in plan.streams)
    assert body["peak_cycle_rows"] == sum(busiest(t, 2) for t in plan.streams)
    assert body["peak_cycle_rows"] > body["cycle_rows"]  # meter_readings' evening peak
    assert body["dimension_bytes"] > body["dimension_rows"]  # every CSV row has some bytes
    assert {t["name"] for t in body["tables"]} == {t.name for t in plan.tables}


@pytest.mark.parametrize(
    "destination", ["s3://bucket/landing", "file:///tmp/landing", "~/landing", "abfss://c@a/x"]
)
def test_other_schemes_and_home_folders_are_refused(client: TestClient, destination: str) -> None:
    answer = start(client, destination)
    assert answer.status_code == 400
    made = {p.name for p in Path(client.app.state.settings.landing_root).iterdir()}
    assert made <= {"_streamforge_app"}  # the list of runs; no folder named after the URL


def test_volume_paths_are_normalised(tmp_path: Path) -> None:
    for given in ("/Volumes/c/s/v/x/", "dbfs:/Volumes/c/s/v/x", "/Volumes//c/s/v//x"):
        assert resolve_destination(given, tmp_path) == "/Volumes/c/s/v/x"
    with pytest.raises(BadDestination):
        resolve_destination("dbfs:/tmp/x", tmp_path)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/sectors/Energy/tables/customer/preview?seed=-1", "seed"),
        ("/api/sectors/Energy/estimate?seed=-1", "seed"),
        ("/api/sectors/Energy/estimate?scale=1e999", "scale"),
    ],
)
def test_bad_query_values_are_422_naming_the_field(client: TestClient, url: str, field: str):
    answer = client.get(url)
    assert answer.status_code == 422
    assert field in [e["loc"][-1] for e in answer.json()["detail"]]


def test_bad_query_values_on_pages_get_an_html_422(client: TestClient) -> None:
    answer = client.get("/sectors/Energy/tables/customer?seed=-1")
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html") and "seed" in answer.text


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("/api/pipeline/Energy?landing=/Volumes/a%00b", "landing"),
        ("/api/sectors/Ener%00gy", "path"),
        ("/sectors/Energy/tables/cust%00omer", "path"),
    ],
)
def test_nul_characters_are_400_never_500(client: TestClient, url: str, named: str) -> None:
    answer = client.get(url)
    assert answer.status_code == 400 and named in answer.json()["detail"]


def test_nul_in_a_destination_is_422(client: TestClient) -> None:
    answer = client.post("/api/runs", json={**SLOW, "destination": "a\x00b"})
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"][-1] == "destination"


@pytest.mark.parametrize("field", ["seed", "scale", "interval"])
@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity"])
def test_non_finite_numbers_in_a_body_are_422_naming_the_field(
    client: TestClient, field: str, number: str
) -> None:
    # Python's JSON parser reads 1e400 as inf and takes NaN/Infinity; the 422 that refuses them
    # echoes the input back, which must still be JSON (it was a 500 before).
    body = f'{{"sector": "Energy", "destination": "f", "{field}": {number}}}'
    answer = client.post("/api/runs", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert field in [e["loc"][-1] for e in answer.json()["detail"]]
