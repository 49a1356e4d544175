"""The app factory: settings, the run registry, routers, static files and error answers."""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from streamforge import api, schema_remote
from streamforge.errors import SchemaError, StreamForgeError
from streamforge.schema_edit import ReadOnlySchema
from streamforge.sinks.destination import is_volume
from streamforge.web.destinations import BadDestination, RunConflict
from streamforge.web.limits import RunLimits
from streamforge.web.run_store import RunStore
from streamforge.web.runs import RunRegistry, RunRequest
from streamforge.web.security import LOCAL_HOSTS, protect

HERE = Path(__file__).resolve().parent
DEFAULT_VOLUME = "/Volumes/main/streamforge/landing"


@dataclass(frozen=True, slots=True)
class Settings:
    schema_dir: Path | None
    landing_root: Path
    deploy_enabled: bool
    pipeline_landing: str  # what generated pipelines read by default
    workspace_host: str | None = None  # DATABRICKS_HOST, for links into the workspace
    schema_editable: bool = False  # started with its own schema folder: tables may be saved
    schema_source: str | None = None  # a workspace folder or Volume the schema is read from


def create_app(
    schema_dir: Path | str | None = None,
    landing_root: Path | str = "landing",
    autostart: RunRequest | None = None,
    env: Mapping[str, str] | None = None,
    workspace_client=None,
) -> FastAPI:
    """The web app; `autostart` starts one run when the server starts (and all stop with it)."""
    env = os.environ if env is None else env
    root = Path(landing_root).resolve()
    landing = autostart.destination if autostart else ""
    remote = None
    if schema_remote.is_remote(schema_dir):  # /Workspace/... or /Volumes/...: through the SDK
        client = workspace_client or _schema_client(str(schema_dir))
        mirror = Path(tempfile.mkdtemp(prefix="streamforge-schema-")) / "schema"
        remote = schema_remote.RemoteSchema(str(schema_dir), client, mirror)
        schema_dir = remote.pull()
    settings = Settings(
        schema_dir=Path(schema_dir) if schema_dir else None,
        landing_root=root,
        deploy_enabled=workspace_client is not None or api.deploy_credentials_present(env),
        pipeline_landing=landing if landing.startswith("/Volumes/") else DEFAULT_VOLUME,
        workspace_host=_workspace_host(env),
        # The sectors shipped with StreamForge are never edited in place: saving needs a folder
        # the app was given (--schema-dir / STREAMFORGE_SCHEMA_DIR).
        schema_editable=schema_dir is not None,
        schema_source=remote.folder if remote is not None else None,
    )
    registry = RunRegistry(
        root,
        settings.schema_dir,
        limits=RunLimits.from_env(env),
        store=RunStore(_store_landing(env, root, landing)),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        registry.restore()  # runs active when the app last stopped go on where they were
        if autostart is not None and not any(
            r.active and r.request.destination == autostart.destination for r in registry.all()
        ):
            try:
                registry.start(autostart)
            except StreamForgeError as exc:  # the Run page shows why nothing runs
                app.state.autostart_error = str(exc)
        yield
        registry.stop_all()

    app = FastAPI(
        title="StreamForge",
        description="Synthetic, referentially intact data for Databricks pipelines.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served below from vendored assets, so /docs works offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.registry = registry
    app.state.autostart_error = None
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.state.workspace_client = workspace_client
    app.state.remote_schema = remote
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    from streamforge.web import api_routes, landing_routes, pages, pipeline_routes, schema_routes

    app.include_router(api_routes.router)
    app.include_router(landing_routes.router)
    app.include_router(schema_routes.api_router)
    app.include_router(schema_routes.page_router)
    app.include_router(pipeline_routes.router)
    app.include_router(pages.router)
    _docs(app)
    _errors(app)
    # Locally the app answers only to the names it is served under; on Databricks Apps the
    # platform's proxy fronts it (DATABRICKS_APP_PORT set) and decides who may reach it.
    on_databricks = bool(env.get("DATABRICKS_APP_PORT"))
    extra = [h for h in env.get("STREAMFORGE_ALLOWED_HOSTS", "").split(",") if h.strip()]
    protect(app, None if on_databricks else [*LOCAL_HOSTS, *(h.strip() for h in extra)])
    return app


def _schema_client(folder: str):
    """The SDK client for a remote schema folder, or a message saying what is missing."""
    try:
        return api.workspace_client()
    except Exception as exc:  # the SDK's own words: no host, no credentials, a bad profile
        raise StreamForgeError(
            f"schema folder {folder} is read through databricks-sdk, which cannot "
            f"authenticate here ({exc}); set DATABRICKS_HOST and a token (or run as a "
            "Databricks App), or use a local folder"
        ) from exc


def _workspace_host(env: Mapping[str, str]) -> str | None:
    host = env.get("DATABRICKS_HOST")
    if not host:
        return None
    return host if host.startswith(("https://", "http://")) else f"https://{host}"


def _store_landing(env: Mapping[str, str], root: Path, autostart_destination: str):
    """Where the list of runs is kept: `STREAMFORGE_RUNS_STORE`, else the app's Volume when it
    writes to one (an app's local disk does not survive a redeploy), else the landing root."""
    where = env.get("STREAMFORGE_RUNS_STORE") or (
        autostart_destination if is_volume(autostart_destination) else str(root)
    )
    try:
        return api.open_landing(where)
    except StreamForgeError:
        return None  # no credentials for the Volume yet: runs are kept in memory only


def _docs(app: FastAPI) -> None:
    @app.get("/docs", include_in_schema=False)
    def docs(request: Request):
        return request.app.state.templates.TemplateResponse(request, "docs.html", {})


def _errors(app: FastAPI) -> None:
    """User errors become answers with a message: 404, 400, 409, 422; never a traceback."""

    def status(exc: StreamForgeError) -> int:
        if isinstance(exc, api.NotFound):
            return 404
        if isinstance(exc, RunConflict):
            return 409
        if isinstance(exc, SchemaError):
            return 422
        if isinstance(exc, ReadOnlySchema):
            return 403
        return 400

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
            return JSONResponse({"detail": _json_safe(jsonable_encoder(exc.errors()))}, 422)
        fields = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}"
            for e in exc.errors()
        )
        templates = request.app.state.templates
        context = {"title": "Problem", "message": fields, "code": 422}
        return templates.TemplateResponse(request, "error.html", context, status_code=422)

    @app.exception_handler(StreamForgeError)
    async def user_error(request: Request, exc: StreamForgeError):
        code = status(exc)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=code)
        templates = request.app.state.templates
        context = {"title": "Problem", "message": str(exc), "code": code}
        return templates.TemplateResponse(request, "error.html", context, status_code=code)


def _json_safe(value: Any) -> Any:
    """`value` with every non-finite float (a JSON body's 1e400 or NaN, echoed back as the
    refused input) turned into its text, which JSON can carry: JSONResponse refuses them."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


__all__ = ["BadDestination", "RunConflict", "Settings", "create_app"]
