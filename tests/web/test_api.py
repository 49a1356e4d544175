"""The JSON API: sectors, tables, previews, and the answers for unknown names."""

from __future__ import annotations

import io
import re
import zipfile

from fastapi.testclient import TestClient


def test_sectors_list_every_sector_with_tables_and_keys(client: TestClient) -> None:
    sectors = {s["name"]: s for s in client.get("/api/sectors").json()}
    assert {"Energy", "Finance", "Healthcare", "Manufacturing", "Retail"} <= sectors.keys()
    tables = {t["name"]: t for t in sectors["Energy"]["tables"]}
    assert tables["meter_readings"]["kind"] == "fact"
    assert tables["meter_readings"]["foreign_keys"] == {"customer_id": "customer"}
    assert tables["customer_changes"]["tracks"] == "customer"
    assert sectors["Energy"]["errors"] == 0


def test_table_yaml_preview_and_profile(client: TestClient) -> None:
    source = client.get("/api/sectors/Energy/tables/plant").json()
    assert source["kind"] == "dimension" and "table: plant" in source["text"]
    preview = client.get("/api/sectors/Energy/tables/meter_readings/preview?rows=7").json()
    assert len(preview["rows"]) == 7
    assert "customer_id" in preview["columns"] and len(preview["types"]) == len(preview["columns"])
    profile = {
        p["column"]: p for p in client.get("/api/sectors/Energy/tables/customer/profile").json()
    }
    assert profile["customer_id"]["chart"] == "histogram"
    assert sum(b["count"] for b in profile["customer_id"]["bars"]) == 500


def test_unknown_sector_or_table_is_404_with_a_message(client: TestClient) -> None:
    answer = client.get("/api/sectors/Atlantis")
    assert answer.status_code == 404 and "unknown sector 'Atlantis'" in answer.json()["detail"]
    answer = client.get("/api/sectors/Energy/tables/nope/preview")
    assert answer.status_code == 404 and "unknown table 'nope'" in answer.json()["detail"]
    assert client.get("/api/sectors/Energy/tables/nope").status_code == 404
    assert client.get("/api/pipeline/Atlantis").status_code == 404
    assert client.get("/sectors/Atlantis").status_code == 404  # the page, too


def test_pipeline_files_and_zip_with_bundle(client: TestClient) -> None:
    files = client.get("/api/pipeline/Energy?language=sql").json()["files"]
    assert "databricks.yml" in files and any(p.endswith(".sql") for p in files)
    answer = client.get("/api/pipeline/Energy/zip?target=databricks&language=python")
    assert answer.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    assert "streamforge-energy-databricks-python/databricks.yml" in names


def test_pages_render(client: TestClient) -> None:
    for url in ("/sectors", "/sectors/Energy/tables/meter_readings", "/run", "/pipeline"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert "StreamForge" in answer.text
    assert "Deploy pipeline" not in client.get("/pipeline").text  # no credentials here
    assert client.get("/openapi.json").json()["paths"]["/api/runs"]


def test_a_delta_run_into_a_volume_is_refused_with_the_reason(client: TestClient) -> None:
    body = {"sector": "Energy", "destination": "/Volumes/main/sf/landing", "format": "delta"}
    answer = client.post("/api/runs", json=body)
    assert 400 <= answer.status_code < 500, answer.text
    assert "--format delta cannot write to a Volume" in answer.json()["detail"]
    assert client.get("/api/runs").json() in ([], {"runs": []})  # nothing was started


def test_pipeline_as_notebooks_and_workshop_as_the_cli_writes_them(client: TestClient) -> None:
    """The page's project forms are `streamforge pipeline --notebooks ... --workshop`'s: the same
    files, the same text, and the zip holds them under a folder named for the form."""
    from streamforge import api

    for form in ("source", "ipynb"):
        for workshop in (False, True):
            query = {"notebooks": form, "workshop": str(workshop).lower()}
            files = client.get("/api/pipeline/Energy", params=query).json()["files"]
            expected = api.pipeline("Energy", None, notebooks=form, workshop=workshop).files
            assert files == expected
            assert any(name.startswith("solutions/") for name in files) == workshop
            answer = client.get("/api/pipeline/Energy/zip", params=query)
            folder = f"streamforge-energy-databricks-python-notebooks{'-workshop' * workshop}"
            archive = zipfile.ZipFile(io.BytesIO(answer.content))
            assert sorted(archive.namelist()) == sorted(f"{folder}/{n}" for n in expected)
    assert client.get("/api/pipeline/Energy", params={"notebooks": "pdf"}).status_code == 422


def test_pipeline_page_offers_notebooks_and_workshop(client: TestClient) -> None:
    page = client.get("/pipeline", params={"sector": "Energy"}).text
    assert "notebooks=ipynb" in page and "workshop=true" in page  # the switches link to them
    chosen = {"sector": "Energy", "notebooks": "ipynb", "workshop": "true"}
    page = client.get("/pipeline", params=chosen)
    assert page.status_code == 200
    assert "<code>solutions/streamforge_energy.ipynb</code>" in page.text
    assert re.search(r'/zip\?[^"]*notebooks=ipynb&amp;workshop=true', page.text)  # zip keeps it
