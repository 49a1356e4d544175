"""JSON API of generated pipelines: the code, a zip of the project, and a deploy to Databricks.

Every route takes the same choice (PipelineChoice): a sector, target, language, SCD type, landing
format, landing path and interval, or a run whose sector, format, landing and interval fill them
in. The page, the zip and the deploy therefore always generate the same project.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from streamforge import api
from streamforge.sinks.destination import is_volume
from streamforge.web.params import (
    DEFAULT_FORMAT,
    DEFAULT_TARGET,
    ERRORS,
    LandingFormat,
    Language,
    PipelineTarget,
    Text,
)

router = APIRouter(prefix="/api/pipeline", tags=["pipeline"], responses=ERRORS)
DEPLOY_TIMEOUT_S = 45  # the SDK's whole retry budget: a dead workspace answers well within 60 s


class ChoiceIn(BaseModel):
    target: PipelineTarget = DEFAULT_TARGET
    language: Language = Language.python
    scd: int = Field(1, ge=1, le=2, description="SCD type of the dimensions: 1 or 2 (history)")
    format: LandingFormat = DEFAULT_FORMAT
    landing: Text | None = Field(None, description="the landing path the pipeline reads")
    interval: float | None = Field(None, gt=0, allow_inf_nan=False, description="seconds")
    run: Text | None = Field(None, description="a run id: its sector, format, landing, interval")


class ProjectIn(ChoiceIn):
    """The choice, plus the project's form (the page and the zip; a deploy ships plain sources,
    which a workspace runs as they are)."""

    notebooks: Literal["source", "ipynb"] | None = Field(
        None, description="write the sources as Databricks notebooks: source or ipynb"
    )
    workshop: bool = Field(
        False, description="leave chosen steps as exercises, the solutions in solutions/"
    )


@dataclass(frozen=True, slots=True)
class PipelineChoice:
    sector: str
    target: str
    language: str
    scd: int
    fmt: str
    landing: str
    interval: float | None
    run: str | None
    notebooks: str | None = None
    workshop: bool = False


def resolve_choice(
    request: Request, sector: str | None, given: ChoiceIn, strict: bool = True
) -> PipelineChoice:
    """The choice with a run's settings filled in, and the default landing of the target.

    A run fixes the sector and the format. `strict` (the JSON API) refuses a sector or an explicit
    format that contradicts the run with 409 instead of answering for the run's; the page is not
    strict, because switching its "From run" menu submits the sector and format shown before."""
    settings = request.app.state.settings
    choice = PipelineChoice(
        sector or "",
        given.target.value,
        given.language.value,
        given.scd,
        given.format.value,
        given.landing or "",
        given.interval,
        given.run,
        getattr(given, "notebooks", None),
        getattr(given, "workshop", False),
    )
    if given.run:
        record = request.app.state.registry.get(given.run)
        if record is None:
            raise HTTPException(404, f"no run '{given.run}'")
        r = record.request
        if strict:
            _refuse_contradiction(given, sector, r.sector, r.fmt)
        choice = replace(
            choice,
            sector=r.sector,
            fmt=r.fmt,
            landing=given.landing or record.destination,
            interval=given.interval or r.interval,
        )
    if not choice.sector:
        names = api.sector_names(settings.schema_dir)
        choice = replace(choice, sector=names[0] if names else "")
    if not choice.landing:
        deployable = choice.target in api.deployable_targets()
        landing = settings.pipeline_landing if deployable else api.default_landing(choice.target)
        choice = replace(choice, landing=landing)
    return choice


def _refuse_contradiction(given: ChoiceIn, sector: str | None, run_sector: str, run_fmt: str):
    if sector is not None and sector != run_sector:
        raise HTTPException(
            409,
            f"run '{given.run}' writes sector {run_sector}, not {sector}: "
            f"ask for /api/pipeline/{run_sector}?run={given.run}, or leave out the run",
        )
    if "format" in given.model_fields_set and given.format.value != run_fmt:
        raise HTTPException(
            409,
            f"run '{given.run}' lands {run_fmt} files, not {given.format.value}: "
            "leave out format (the run's is used), or leave out the run",
        )


def generate(request: Request, choice: PipelineChoice):
    return api.pipeline(
        choice.sector,
        schema_dir=request.app.state.settings.schema_dir,
        target=choice.target,
        language=choice.language,
        landing=choice.landing,
        scd=choice.scd,
        fmt=choice.fmt,
        interval=choice.interval,
        notebooks=choice.notebooks,
        workshop=choice.workshop,
    )


@router.get("/targets", summary="Pipeline targets")
def targets() -> dict[str, str]:
    return api.pipeline_targets()


@router.get("/{sector}", summary="The generated pipeline project, file by file")
def files(request: Request, sector: str, given: Annotated[ProjectIn, Query()]) -> dict[str, Any]:
    choice = resolve_choice(request, sector, given)
    return {**asdict(choice), "files": generate(request, choice).files}


@router.get("/{sector}/zip", summary="The generated pipeline project as a zip")
def download(request: Request, sector: str, given: Annotated[ProjectIn, Query()]) -> Response:
    choice = resolve_choice(request, sector, given)
    form = ("-notebooks" if choice.notebooks else "") + ("-workshop" if choice.workshop else "")
    folder = f"streamforge-{choice.sector.lower()}-{choice.target}-{choice.language}{form}"
    return Response(
        api.pipeline_zip(generate(request, choice), folder),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{folder}.zip"'},
    )


class DeployIn(ChoiceIn):
    catalog: Text = "main"
    schema_name: Text = Field("", description="default: streamforge_<sector>")
    start: bool = Field(True, description="start the pipeline's first update")


@router.post("/{sector}/deploy", summary="Create or update the pipeline, share it, start it")
def deploy_pipeline(request: Request, sector: str, body: DeployIn) -> dict[str, Any]:
    state = request.app.state
    if not state.settings.deploy_enabled:
        raise HTTPException(403, "no Databricks credentials (DATABRICKS_HOST and a token)")
    choice = resolve_choice(request, sector, body)
    if choice.target not in api.deployable_targets():
        raise HTTPException(400, f"target: '{choice.target}' runs locally, not in a workspace")
    if not is_volume(choice.landing):
        raise HTTPException(400, f"landing: '{choice.landing}' is not a /Volumes/... path")
    generated = generate(request, choice)
    # Databricks Apps with user authorization forward the user's token and e-mail: the pipeline
    # is then created as that user; otherwise as the app, shared with the user.
    user_token = request.headers.get("x-forwarded-access-token")
    user = request.headers.get("x-forwarded-email") or request.headers.get("x-forwarded-user")
    try:
        result = api.deploy_pipeline(
            generated,
            name=f"streamforge_{choice.sector.lower()}",
            catalog=body.catalog,
            schema=body.schema_name or f"streamforge_{choice.sector.lower()}",
            landing=choice.landing,
            share_with=None if user_token else user,
            start=body.start,
            user_token=user_token,
            client=state.workspace_client,
            timeout_s=DEPLOY_TIMEOUT_S,
        )
    except api.DeployFailed as exc:
        raise HTTPException(502, str(exc)) from None
    return {**asdict(result), "choice": asdict(choice)}
