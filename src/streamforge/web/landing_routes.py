"""The landing explorer's JSON API: what a run's landing holds, a sample of a file, and verify."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder

from streamforge import api
from streamforge.errors import StreamForgeError
from streamforge.sinks.destination import is_volume
from streamforge.web.api_routes import find_run, schema_dir
from streamforge.web.params import ERRORS, Text

router = APIRouter(prefix="/api/runs", tags=["landing"], responses=ERRORS)


def volume_link(destination: str, host: str | None) -> str | None:
    """The Volume's page in the workspace's Catalog Explorer, when the app knows the workspace."""
    if not host or not is_volume(destination):
        return None
    catalog, schema, volume = destination.strip("/").split("/")[1:4]
    return f"{host.rstrip('/')}/explore/data/volumes/{catalog}/{schema}/{volume}"


@router.get("/{run_id}/landing", summary="Tables, files, bytes and cycles of a run's landing")
def landing(request: Request, run_id: str) -> dict[str, Any]:
    record = find_run(request, run_id)
    plan = api.load_plan(record.request.sector, schema_dir(request))
    view = api.view_landing(record.destination, plan)
    host = request.app.state.settings.workspace_host
    return {
        "id": record.id,
        "sector": record.request.sector,
        "destination": record.destination,
        "format": record.request.fmt,
        "tables": [asdict(t) for t in view.tables],
        "cycles": view.cycles,
        "can_verify": not is_volume(record.destination),
        "volume_link": volume_link(record.destination, host),
    }


@router.get("/{run_id}/sample", summary="The first rows of one landed file, read back")
def sample(
    request: Request,
    run_id: str,
    file: Annotated[Text, Query(description="the file's path, as the landing's manifest has it")],
    rows: int = Query(20, ge=1, le=200),
) -> dict[str, Any]:
    record = find_run(request, run_id)
    plan = api.load_plan(record.request.sector, schema_dir(request))
    data = api.sample_landed_file(record.destination, plan, file, rows)
    return {
        "file": file,
        "columns": data.column_names,
        "types": [str(t) for t in data.schema.types],
        "rows": jsonable_encoder(data.to_pylist()),
    }


@router.post("/{run_id}/verify", summary="Run `streamforge verify` on a run's local landing")
def verify(request: Request, run_id: str) -> dict[str, Any]:
    record = find_run(request, run_id)
    if is_volume(record.destination):
        raise StreamForgeError(
            "verify reads local landings; on a Volume run `streamforge verify` where it is mounted"
        )
    report = api.verify(record.request.sector, record.destination, schema_dir(request))
    return {
        "ok": report.ok,
        "rows": report.rows,
        "findings": [
            {"table": f.table, "cycle": f.cycle, "message": f.message} for f in report.findings
        ],
    }
