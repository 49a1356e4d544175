"""Schema editing in the browser: check and preview an edited table file as you type, save it,
start a new table or sector from a template. Saving needs a writable schema folder (the app's
`--schema-dir`); the shipped sectors stay read-only, but can still be tried without saving.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from streamforge import api, schema_edit, sectors
from streamforge.errors import Issue
from streamforge.web.params import ERRORS, MAX_SEED, Text

api_router = APIRouter(prefix="/api/sectors", tags=["schema"], responses=ERRORS)
page_router = APIRouter(include_in_schema=False)
PREVIEW_ROWS, PROFILE_ROWS = 50, 500


class EditIn(BaseModel):
    text: Text = Field(max_length=schema_edit.MAX_TEXT, description="the table file's YAML")
    seed: int = Field(api.DEFAULT_SEED, ge=0, le=MAX_SEED)


class NewTableIn(BaseModel):
    name: Text = Field(description="snake_case table name")
    kind: Literal["dimension", "fact"] = "dimension"


class NewSectorIn(BaseModel):
    name: Text


def _root(request: Request) -> Path:
    return sectors.resolve_schema_dir(request.app.state.settings.schema_dir)


def _writable(request: Request) -> Path:
    root = _root(request)
    schema_edit.check_writable(root, request.app.state.settings.schema_editable)
    return root


def _writer(request: Request) -> schema_edit.Writer | None:
    """Writes through to the workspace folder or Volume the app's schema comes from, if any."""
    remote = request.app.state.remote_schema
    return remote.write if remote is not None else None


def _issue_json(issue: Issue) -> dict[str, Any]:
    return {
        "line": issue.line,
        "severity": issue.severity,
        "message": issue.message,
        "hint": issue.hint,
        "text": str(issue),
    }


def _checked(request: Request, sector: str, table: str, text: str) -> schema_edit.EditedCheck:
    path = schema_edit.table_file(_root(request), sector, table)
    return schema_edit.check_edited(_root(request), sector, path.name, text)


@api_router.post("/{sector}/tables/{table}/check", summary="Validate an edited table file")
def check(request: Request, sector: str, table: str, body: EditIn) -> dict[str, Any]:
    result = _checked(request, sector, table, body.text)
    others = [i for i in result.check.issues if i.file != result.file]
    return {
        "valid": result.check.plan is not None and not result.check.errors,
        "issues": [_issue_json(i) for i in result.issues_here],
        "other_files": [str(i) for i in others],
    }


@api_router.put("/{sector}/tables/{table}", summary="Save an edited table file (403 read-only)")
def save(request: Request, sector: str, table: str, body: EditIn) -> dict[str, Any]:
    root = _writable(request)
    path = schema_edit.table_file(root, sector, table)
    result = schema_edit.save_table(root, sector, path.name, body.text, _writer(request))
    return {"saved": result.file, "warnings": [_issue_json(i) for i in result.issues_here]}


@api_router.post("/{sector}/tables", status_code=201, summary="A new table from a template")
def new_table(request: Request, sector: str, body: NewTableIn) -> dict[str, str]:
    root = _writable(request)
    path = schema_edit.new_table(root, sector, body.name, body.kind, _writer(request))
    return {"sector": sector, "table": body.name, "file": str(path.name)}


@api_router.post("", status_code=201, summary="A new sector with one table from a template")
def new_sector(request: Request, body: NewSectorIn) -> dict[str, str]:
    directory = schema_edit.new_sector(_writable(request), body.name, _writer(request))
    return {"sector": directory.name}


@page_router.get("/sectors/{sector}/tables/{table}/edit", response_class=HTMLResponse)
def edit_page(request: Request, sector: str, table: str) -> HTMLResponse:
    path = schema_edit.table_file(_root(request), sector, table)
    templates = request.app.state.templates
    context = {
        "page": "sectors",
        "settings": request.app.state.settings,
        "sector": sectors.sector_dir(_root(request), sector).name,
        "table": table,
        "file": path.name,
        "text": path.read_text(encoding="utf-8"),
    }
    return templates.TemplateResponse(request, "table_edit.html", context)


@page_router.post("/sectors/{sector}/tables/{table}/edit/preview", response_class=HTMLResponse)
def edit_preview(request: Request, sector: str, table: str, body: EditIn):
    """The charts and preview rows of the edited text, as HTML to swap into the page."""
    result = _checked(request, sector, table, body.text)
    plan = result.check.plan
    if plan is None or result.check.errors:
        problems = [_issue_json(i) for i in result.check.errors]
        return JSONResponse({"detail": jsonable_encoder(problems)}, status_code=422)
    filename = schema_edit.table_file(_root(request), sector, table).name
    name = next(t.name for t in plan.tables if t.spec.file.name == filename)
    with schema_edit.edited_schema(_root(request), sector, filename, body.text) as tmp:
        rows = api.preview(plan.sector.name, name, PROFILE_ROWS, body.seed, tmp)
    shown = rows.slice(0, PREVIEW_ROWS)
    context = {
        "profiles": api.column_profile(rows),
        "columns": shown.column_names,
        "types": [str(t) for t in shown.schema.types],
        "rows": shown.to_pylist(),
        "profiled": rows.num_rows,
    }
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "_edit_preview.html", context)
