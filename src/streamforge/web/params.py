"""Typed request fields shared by the JSON API: closed sets as enums (so the OpenAPI document lists
them), bounded numbers, text without NUL characters, and the error answers every route documents.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from pydantic import AfterValidator, BaseModel

from streamforge import api

MAX_SEED = 2**63 - 1


def _without_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("contains a NUL character")
    return text


Text = Annotated[str, AfterValidator(_without_nul)]

# Built from the registries, so a new format or target appears here without editing this file.
LandingFormat = StrEnum(  # type: ignore[misc]
    "LandingFormat", {name: name for name in api.landing_formats()}
)
PipelineTarget = StrEnum(  # type: ignore[misc]
    "PipelineTarget", {name: name for name in api.pipeline_targets()}
)
DEFAULT_FORMAT = LandingFormat(api.DEFAULT_FORMAT)
DEFAULT_TARGET = PipelineTarget(api.DEFAULT_TARGET)


class Language(StrEnum):
    python = "python"
    sql = "sql"


SeedQuery = Annotated[int, Query(ge=0, le=MAX_SEED, description="the run's seed (≥ 0)")]


class Problem(BaseModel):
    """Every error answer: what is wrong, naming the field or the thing."""

    detail: Any


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "Bad input: the message names the field"},
    404: {"model": Problem, "description": "No such sector, table or run"},
    409: {"model": Problem, "description": "Conflicts with a run (same or overlapping landing)"},
    422: {"model": Problem, "description": "Invalid schema, or a field of the wrong shape"},
}
