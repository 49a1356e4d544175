"""JSON API: sectors, tables (YAML, preview rows, column profiles) and live runs."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from streamforge import api
from streamforge.engine.scenario import MAX_BURST, Scenario
from streamforge.sectors import SectorCheck
from streamforge.web.params import (
    DEFAULT_FORMAT,
    ERRORS,
    MAX_SEED,
    LandingFormat,
    SeedQuery,
    Text,
)
from streamforge.web.runs import RunRecord, RunRequest

router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)


def sector_json(check: SectorCheck) -> dict[str, Any]:
    summary = api.summarize(check)
    return {
        "name": summary.name,
        "errors": summary.errors,
        "warnings": summary.warnings,
        "issues": [{**asdict(i), "text": str(i)} for i in check.issues],
        "tables": [asdict(t) for t in summary.tables],
    }


def schema_dir(request: Request):
    return request.app.state.settings.schema_dir


@router.get("/sectors", summary="Every sector: tables, keys, foreign keys and problems")
def sectors(request: Request) -> list[dict[str, Any]]:
    return [sector_json(c) for c in api.validate(schema_dir(request))]


@router.get("/sectors/{sector}", summary="One sector")
def sector(request: Request, sector: str) -> dict[str, Any]:
    return sector_json(api.check_sector(sector, schema_dir(request)))


@router.get("/sectors/{sector}/tables/{table}", summary="A table's YAML definition")
def table(request: Request, sector: str, table: str) -> dict[str, Any]:
    return asdict(api.table_source(sector, table, schema_dir(request)))


@router.get("/sectors/{sector}/tables/{table}/preview", summary="Rows a run would write")
def preview(
    request: Request,
    sector: str,
    table: str,
    rows: int = Query(20, ge=1, le=1000),
    seed: SeedQuery = api.DEFAULT_SEED,
) -> dict[str, Any]:
    data = api.preview(sector, table, rows, seed, schema_dir(request))
    return {
        "columns": data.column_names,
        "types": [str(t) for t in data.schema.types],
        "rows": jsonable_encoder(data.to_pylist()),
    }


@router.get("/sectors/{sector}/tables/{table}/profile", summary="Counts per column, for charts")
def profile(
    request: Request, sector: str, table: str, rows: int = Query(500, ge=10, le=5000)
) -> list[dict[str, Any]]:
    data = api.preview(sector, table, rows, schema_dir=schema_dir(request))
    return [asdict(p) for p in api.column_profile(data)]


@router.get("/sectors/{sector}/estimate", summary="Rows and bytes a run writes, before it starts")
def estimate(
    request: Request,
    sector: str,
    format: LandingFormat = DEFAULT_FORMAT,
    scale: float = Query(1.0, gt=0, allow_inf_nan=False),
    seed: SeedQuery = api.DEFAULT_SEED,
) -> dict[str, Any]:
    plan = api.load_plan(sector, schema_dir(request))
    result = api.estimate(plan, format.value, scale, seed)
    return {
        "format": result.fmt,
        "scale": result.scale,
        "dimension_rows": result.dimension_rows,
        "dimension_bytes": result.dimension_bytes,
        "cycle_rows": result.cycle_rows,
        "cycle_bytes": result.cycle_bytes,
        "peak_cycle_rows": result.peak_cycle_rows,
        "peak_cycle_bytes": result.peak_cycle_bytes,
        "tables": [asdict(t) for t in result.tables],
    }


class RunIn(BaseModel):
    sector: Text = "Energy"
    destination: Text = Field(".", description="a folder under the landing root, or /Volumes/…")
    format: LandingFormat = DEFAULT_FORMAT
    interval: float = Field(30.0, gt=0, allow_inf_nan=False, description="seconds between cycles")
    seed: int = Field(api.DEFAULT_SEED, ge=0, le=MAX_SEED)
    scale: float = Field(1.0, gt=0, allow_inf_nan=False, description="multiplies every num_rows")
    fresh: bool = Field(False, description="start over: delete what an earlier run wrote there")


def registry(request: Request):
    return request.app.state.registry


def find_run(request: Request, run_id: str) -> RunRecord:
    record = registry(request).get(run_id)
    if record is None:
        raise HTTPException(404, f"no run '{run_id}'")
    return record


@router.get("/runs", summary="Every run of this server, newest first")
def runs(request: Request) -> list[dict[str, Any]]:
    return [r.to_json() for r in registry(request).all()]


@router.post("/runs", status_code=201, summary="Start a live run (409 if one writes there)")
def start_run(request: Request, body: RunIn) -> dict[str, Any]:
    run_request = RunRequest(
        body.sector,
        body.destination,
        body.format.value,
        body.interval,
        body.seed,
        body.scale,
        body.fresh,
    )
    return registry(request).start(run_request).to_json()


@router.get("/runs/{run_id}", summary="A run's status: cycle, rows and files per table")
def run_status(request: Request, run_id: str) -> dict[str, Any]:
    return find_run(request, run_id).to_json()


@router.delete("/runs/{run_id}", status_code=204, summary="Forget a stopped or failed run")
def remove_run(request: Request, run_id: str) -> Response:
    registry(request).remove(find_run(request, run_id))  # 409 while it is active
    return Response(status_code=204)


class ScenarioIn(BaseModel):
    """Shares of rows (0 to 0.5); null keeps what the YAML says. Applies from the next cycle."""

    late_rate: float | None = Field(None, ge=0, le=0.5)
    duplicate_rate: float | None = Field(None, ge=0, le=0.5)
    out_of_order_rate: float | None = Field(None, ge=0, le=0.5)
    anomaly_rate: float | None = Field(None, ge=0, le=0.5)
    burst: float = Field(1.0, gt=0, le=MAX_BURST, description="rows of the next cycles times this")


@router.put("/runs/{run_id}/scenario", summary="Fault rates and a burst for the next cycles")
def set_scenario(request: Request, run_id: str, body: ScenarioIn) -> dict[str, Any]:
    record = find_run(request, run_id)
    record.scenario = Scenario(**body.model_dump())
    record._event(f"scenario for the next cycles: {record.scenario.to_json() or 'as the YAML'}")
    return record.to_json()


@router.post("/runs/{run_id}/stop", summary="Ask a run to stop after the file it is writing")
def stop_run(request: Request, run_id: str) -> dict[str, Any]:
    return registry(request).stop(find_run(request, run_id), wait=5.0).to_json()
