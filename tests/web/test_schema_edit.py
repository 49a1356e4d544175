"""Schema editing through the app: check and preview edited text, save only when it validates."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from streamforge import sectors
from streamforge.web import create_app

LIBRARY = sectors.resolve_schema_dir(None)


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    folder = tmp_path / "schema"
    shutil.copytree(LIBRARY / "Energy", folder / "Energy")
    return folder


@pytest.fixture
def editable(schema: Path, landing_root: Path) -> Iterator[TestClient]:
    with TestClient(create_app(schema, landing_root=landing_root, env={})) as client:
        yield client


PLANT = "/api/sectors/Energy/tables/plant"


def test_a_typo_is_reported_at_its_line_and_other_files_are_untouched(editable, schema) -> None:
    text = (schema / "Energy" / "plant.yml").read_text()
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("num_rows"))
    lines[row] = lines[row].replace("num_rows", "num_rowz")
    result = editable.post(f"{PLANT}/check", json={"text": "\n".join(lines)}).json()
    assert not result["valid"]
    lines_reported = {i["line"] for i in result["issues"]}
    assert row + 1 in lines_reported  # 1-based, the edited line
    assert any("did you mean 'num_rows'" in (i["hint"] or "") for i in result["issues"])
    assert (schema / "Energy" / "plant.yml").read_text() == text  # a check writes nothing


def test_a_reference_to_a_missing_table_is_an_error_at_its_line(editable, schema) -> None:
    text = (schema / "Energy" / "plant.yml").read_text().rstrip("\n")
    text += "\n  owner_id: {type: int, references: nowhere.nowhere_id}\n"
    result = editable.post(f"{PLANT}/check", json={"text": text}).json()
    assert not result["valid"]
    last = len(text.rstrip("\n").splitlines())
    assert any(i["line"] == last and "nowhere" in i["message"] for i in result["issues"])


def test_the_preview_follows_the_edited_text_without_saving(editable, schema) -> None:
    path = schema / "Energy" / "plant.yml"
    original = path.read_text()
    edited = (
        original.replace("num_rows: 120", "num_rows: 7")
        + "  zz_added: {type: int, min: 5, max: 5}\n"
    )
    answer = editable.post("/sectors/Energy/tables/plant/edit/preview", json={"text": edited})
    assert answer.status_code == 200
    assert "zz_added" in answer.text and "over 7 rows" in answer.text
    assert path.read_text() == original
    broken = editable.post("/sectors/Energy/tables/plant/edit/preview", json={"text": "table: ["})
    assert broken.status_code == 422


def test_save_writes_only_valid_text(editable, schema) -> None:
    path = schema / "Energy" / "plant.yml"
    original = path.read_text()
    refused = editable.put(PLANT, json={"text": original.replace("type: dimension", "type: dim")})
    assert refused.status_code == 400 and "not saved" in refused.json()["detail"]
    assert path.read_text() == original
    better = original.replace("num_rows: 120", "num_rows: 121")
    assert editable.put(PLANT, json={"text": better}).status_code == 200
    assert path.read_text() == better
    tables = {t["name"]: t for t in editable.get("/api/sectors/Energy").json()["tables"]}
    assert tables["plant"]["rows"] == 121


def test_new_tables_and_sectors_start_from_a_template(editable, schema) -> None:
    made = editable.post("/api/sectors/Energy/tables", json={"name": "tariff", "kind": "dimension"})
    assert made.status_code == 201 and (schema / "Energy" / "tariff.yml").exists()
    assert editable.post("/api/sectors/Energy/tables", json={"name": "tariff"}).status_code == 400
    assert editable.post("/api/sectors/Energy/tables", json={"name": "Bad Name"}).status_code == 400
    assert editable.post("/api/sectors", json={"name": "Telecom"}).status_code == 201
    sector = editable.get("/api/sectors/Telecom").json()
    assert sector["errors"] == 0 and [t["name"] for t in sector["tables"]] == ["telecom"]
    assert editable.get("/api/sectors/Energy").json()["errors"] == 0


def test_the_shipped_library_is_read_only(client: TestClient) -> None:
    text = (LIBRARY / "Energy" / "plant.yml").read_text()
    assert client.put(PLANT, json={"text": text}).status_code == 403
    assert client.post("/api/sectors", json={"name": "Telecom"}).status_code == 403
    # ... but edits can still be tried: checked and previewed, never saved.
    assert client.post(f"{PLANT}/check", json={"text": text}).json()["valid"]
    page = client.get("/sectors/Energy/tables/plant/edit")
    assert page.status_code == 200 and "read-only" in page.text and 'id="save"' not in page.text
