"""Server-rendered pages: Sectors, Table, Run and Pipeline. Every value comes from the facade."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from streamforge import api
from streamforge.web.diagram import relationship_svg
from streamforge.web.params import SeedQuery
from streamforge.web.pipeline_routes import ProjectIn, generate, resolve_choice

router = APIRouter(include_in_schema=False)

PREVIEW_ROWS = 50
PROFILE_ROWS = 500


def render(request: Request, template: str, page: str, **context) -> HTMLResponse:
    templates = request.app.state.templates
    settings = request.app.state.settings
    return templates.TemplateResponse(
        request, template, {"page": page, "settings": settings, **context}
    )


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/sectors")


@router.get("/sectors", response_class=HTMLResponse)
def sectors(request: Request, sector: str | None = None) -> HTMLResponse:
    schema_dir = request.app.state.settings.schema_dir
    if request.app.state.remote_schema is not None:  # what others saved in the workspace
        request.app.state.remote_schema.pull()
    checks = [api.check_sector(sector, schema_dir)] if sector else api.validate(schema_dir)
    items = []
    for check in checks:
        summary = api.summarize(check)
        diagram = Markup(relationship_svg(summary)) if summary.tables else None
        items.append({"summary": summary, "issues": check.issues, "diagram": diagram})
    names = api.sector_names(schema_dir)
    return render(request, "sectors.html", "sectors", items=items, names=names, current=sector)


@router.get("/sectors/{sector}", response_class=HTMLResponse)
def sector(request: Request, sector: str) -> HTMLResponse:
    return sectors(request, sector)


@router.get("/sectors/{sector}/tables/{table}", response_class=HTMLResponse)
def table(
    request: Request, sector: str, table: str, seed: SeedQuery = api.DEFAULT_SEED
) -> HTMLResponse:
    schema_dir = request.app.state.settings.schema_dir
    source = api.table_source(sector, table, schema_dir)
    rows = api.preview(source.sector, table, PROFILE_ROWS, seed, schema_dir)
    shown = rows.slice(0, PREVIEW_ROWS)
    profiles = api.column_profile(rows)
    summary = next(
        t for t in api.summarize(api.check_sector(sector, schema_dir)).tables if t.name == table
    )
    return render(
        request,
        "table.html",
        "sectors",
        source=source,
        summary=summary,
        columns=shown.column_names,
        types=[str(t) for t in shown.schema.types],
        rows=shown.to_pylist(),
        profiles=profiles,
        profiled=rows.num_rows,
        seed=seed,
        editable=request.app.state.settings.schema_editable,
        curve=api.load_curve(source.sector, table, schema_dir),
    )


@router.get("/run", response_class=HTMLResponse)
def run(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    return render(
        request,
        "run.html",
        "run",
        names=api.sector_names(settings.schema_dir),
        formats=api.landing_formats(),
        default_format=api.DEFAULT_FORMAT,
        default_seed=api.DEFAULT_SEED,
        autostart_error=request.app.state.autostart_error,
        store_problem=request.app.state.registry.store_problem,
    )


@router.get("/runs/{run_id}/landing", response_class=HTMLResponse)
def landing(request: Request, run_id: str) -> HTMLResponse:
    record = request.app.state.registry.get(run_id)
    if record is None:
        raise api.NotFound(f"no run '{run_id}'")
    return render(request, "landing.html", "run", record=record)


@router.get("/pipeline", response_class=HTMLResponse)
def pipeline(
    request: Request, given: Annotated[ProjectIn, Query()], sector: str | None = None
) -> HTMLResponse:
    settings = request.app.state.settings
    choice = resolve_choice(request, sector, given, strict=False)
    project = generate(request, choice)
    current = {
        "sector": choice.sector,
        "target": choice.target,
        "language": choice.language,
        "scd": choice.scd,
        "format": choice.fmt,
        "run": choice.run or "",
        "notebooks": choice.notebooks or "",
        "workshop": "true" if choice.workshop else "",
    }

    def link(**changes: object) -> str:
        """This page's URL with some choices changed (a new run clears the landing)."""
        merged = {**current, **changes}
        return "?" + urlencode({k: v for k, v in merged.items() if v not in ("", None)})

    return render(
        request,
        "pipeline.html",
        "pipeline",
        names=api.sector_names(settings.schema_dir),
        choice=choice,
        link=link,
        runs=request.app.state.registry.all(),
        formats=api.pipeline_formats(),
        targets=api.pipeline_targets(),
        deployable=choice.target in api.deployable_targets(),
        files=project.files,
    )
