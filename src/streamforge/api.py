"""The one facade the CLI and the web app call: list, validate, preview, generate, run, verify,
and make and deploy pipelines. Each job lives in its own `api_*` module; this one names them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# Where each name of the facade lives. A name loads its module on first use (`api.generate`), not
# on `import streamforge.api`: the CLI imports this module for every command, `--version` too, and
# the engine, the sinks, pyarrow and the spec models load only when a function needs them.
_HOMES = {
    "streamforge.api_choices": (
        "DEFAULT_FORMAT",
        "DEFAULT_SEED",
        "DEFAULT_TARGET",
        "STATE_DIR",
        "default_landing",
        "deployable_targets",
        "landing_formats",
        "local_targets",
        "pipeline_formats",
        "pipeline_targets",
    ),
    "streamforge.api_sectors": (
        "SectorSummary",
        "TableSource",
        "TableSummary",
        "check_sector",
        "list_sectors",
        "load_curve",
        "load_plan",
        "sector_names",
        "summarize",
        "table_source",
        "validate",
    ),
    "streamforge.api_rows": ("column_profile", "estimate", "expected_rows", "preview"),
    "streamforge.api_generate": ("generate", "run"),
    "streamforge.api_landing": (
        "check_destination",
        "open_landing",
        "sample_landed_file",
        "verify",
        "view_landing",
    ),
    "streamforge.api_pipelines": (
        "pipeline",
        "pipeline_quality",
        "pipeline_zip",
        "run_pipeline_locally",
    ),
    "streamforge.api_deploy": (
        "DeployFailed",
        "deploy_credentials_present",
        "deploy_pipeline",
        "workspace_client",
    ),
    # Types callers name as `api.X` in annotations, and the error the web API answers 404 for.
    "streamforge.sectors": ("NotFound", "SectorCheck"),
    "streamforge.estimate": ("RunEstimate",),
    "streamforge.landing_view": ("LandingView",),
    "streamforge.plan": ("Plan",),
    "streamforge.profile": ("ColumnProfile",),
    "streamforge.landing_write": ("GenerateResult", "WrittenFile"),
    "streamforge.runner": ("RunSummary",),
    "streamforge.engine.settings": ("RunSettings",),
    "streamforge.sinks.formats": ("FileFormat",),
    "streamforge.sinks.landing": ("Landing",),
    "streamforge.sinks.local": ("LocalLanding",),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_HOME_OF)

if TYPE_CHECKING:  # the same names, for mypy and editors (tests check the two lists agree)
    from streamforge.api_choices import DEFAULT_FORMAT as DEFAULT_FORMAT
    from streamforge.api_choices import DEFAULT_SEED as DEFAULT_SEED
    from streamforge.api_choices import DEFAULT_TARGET as DEFAULT_TARGET
    from streamforge.api_choices import STATE_DIR as STATE_DIR
    from streamforge.api_choices import default_landing as default_landing
    from streamforge.api_choices import deployable_targets as deployable_targets
    from streamforge.api_choices import landing_formats as landing_formats
    from streamforge.api_choices import local_targets as local_targets
    from streamforge.api_choices import pipeline_formats as pipeline_formats
    from streamforge.api_choices import pipeline_targets as pipeline_targets
    from streamforge.api_deploy import DeployFailed as DeployFailed
    from streamforge.api_deploy import deploy_credentials_present as deploy_credentials_present
    from streamforge.api_deploy import deploy_pipeline as deploy_pipeline
    from streamforge.api_deploy import workspace_client as workspace_client
    from streamforge.api_generate import generate as generate
    from streamforge.api_generate import run as run
    from streamforge.api_landing import check_destination as check_destination
    from streamforge.api_landing import open_landing as open_landing
    from streamforge.api_landing import sample_landed_file as sample_landed_file
    from streamforge.api_landing import verify as verify
    from streamforge.api_landing import view_landing as view_landing
    from streamforge.api_pipelines import pipeline as pipeline
    from streamforge.api_pipelines import pipeline_quality as pipeline_quality
    from streamforge.api_pipelines import pipeline_zip as pipeline_zip
    from streamforge.api_pipelines import run_pipeline_locally as run_pipeline_locally
    from streamforge.api_rows import column_profile as column_profile
    from streamforge.api_rows import estimate as estimate
    from streamforge.api_rows import expected_rows as expected_rows
    from streamforge.api_rows import preview as preview
    from streamforge.api_sectors import SectorSummary as SectorSummary
    from streamforge.api_sectors import TableSource as TableSource
    from streamforge.api_sectors import TableSummary as TableSummary
    from streamforge.api_sectors import check_sector as check_sector
    from streamforge.api_sectors import list_sectors as list_sectors
    from streamforge.api_sectors import load_curve as load_curve
    from streamforge.api_sectors import load_plan as load_plan
    from streamforge.api_sectors import sector_names as sector_names
    from streamforge.api_sectors import summarize as summarize
    from streamforge.api_sectors import table_source as table_source
    from streamforge.api_sectors import validate as validate
    from streamforge.engine.settings import RunSettings as RunSettings
    from streamforge.estimate import RunEstimate as RunEstimate
    from streamforge.landing_view import LandingView as LandingView
    from streamforge.landing_write import GenerateResult as GenerateResult
    from streamforge.landing_write import WrittenFile as WrittenFile
    from streamforge.plan import Plan as Plan
    from streamforge.profile import ColumnProfile as ColumnProfile
    from streamforge.runner import RunSummary as RunSummary
    from streamforge.sectors import NotFound as NotFound
    from streamforge.sectors import SectorCheck as SectorCheck
    from streamforge.sinks.formats import FileFormat as FileFormat
    from streamforge.sinks.landing import Landing as Landing
    from streamforge.sinks.local import LocalLanding as LocalLanding


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found once: later reads are plain module attributes
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME_OF})
