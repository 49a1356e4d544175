"""JSON API of generated pipelines: the code, a zip of the project, and a deploy to Databricks."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel

from streamforge import api, deploy
from streamforge.web.params import DEFAULT_TARGET, ERRORS, Language, PipelineTarget, Text

router = APIRouter(prefix="/api/pipeline", tags=["pipeline"], responses=ERRORS)


def project(
    request: Request,
    sector: str,
    target: PipelineTarget | str,
    language: Language | str,
    landing: str | None,
):
    target, language = getattr(target, "value", target), getattr(language, "value", language)
    settings = request.app.state.settings
    landing = landing or (settings.pipeline_landing if target != "spark" else "landing")
    return api.pipeline(
        sector, schema_dir=settings.schema_dir, target=target, language=language, landing=landing
    )


@router.get("/targets", summary="Pipeline targets")
def targets() -> dict[str, str]:
    return api.pipeline_targets()


@router.get("/{sector}", summary="The generated pipeline project, file by file")
def files(
    request: Request,
    sector: str,
    target: PipelineTarget = DEFAULT_TARGET,
    language: Language = Language.python,
    landing: Text | None = None,
) -> dict[str, Any]:
    generated = project(request, sector, target, language, landing)
    return {
        "sector": sector,
        "target": target.value,
        "language": language.value,
        "files": generated.files,
    }


@router.get("/{sector}/zip", summary="The generated pipeline project as a zip")
def download(
    request: Request,
    sector: str,
    target: PipelineTarget = DEFAULT_TARGET,
    language: Language = Language.python,
    landing: Text | None = None,
) -> Response:
    generated = project(request, sector, target, language, landing)
    folder = f"streamforge-{sector.lower()}-{target.value}-{language.value}"
    return Response(
        api.pipeline_zip(generated, folder),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{folder}.zip"'},
    )


class DeployIn(BaseModel):
    target: Literal["databricks", "dlt-legacy"] = "databricks"
    language: Language = Language.python
    catalog: Text = "main"
    schema_name: Text = "streamforge"
    landing: Text | None = None


@router.post("/{sector}/deploy", summary="Create or update the pipeline in the workspace")
def deploy_pipeline(request: Request, sector: str, body: DeployIn) -> dict[str, Any]:
    state = request.app.state
    if not state.settings.deploy_enabled:
        raise HTTPException(403, "no Databricks credentials (DATABRICKS_HOST and a token)")
    generated = project(request, sector, body.target, body.language, body.landing)
    client = state.workspace_client or deploy.workspace_client()
    landing = body.landing or state.settings.pipeline_landing
    try:
        result = deploy.deploy_pipeline(
            client,
            name=f"streamforge_{sector.lower()}",
            files=generated.files,
            catalog=body.catalog,
            schema=body.schema_name,
            landing=landing,
        )
    except Exception as exc:  # the workspace's answer, shown on the page
        raise HTTPException(502, f"deploy failed: {exc}") from None
    return asdict(result)
