"""The `databricks.yml` Asset Bundle of a generated pipeline: one pipeline, in its own schema, with
`dev` (default, per-user) and `prod` targets, permissions, and a job that refreshes it when files
land (or a continuous pipeline instead).

Two shapes: Unity Catalog (`catalog` + `schema`, serverless, a schema resource so that deploying
creates it, a file-arrival trigger on the landing Volume) and legacy Hive metastore (`target`
schema, a classic `clusters` entry, a periodic trigger: file-arrival triggers need Unity Catalog).
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from streamforge.pipelines.generator_job import (
    generator_artifacts,
    generator_job,
    generator_variables,
)

# A file-arrival trigger fires at most once a minute (Databricks minimum); classic compute takes
# minutes to start, so the legacy job refreshes on a slower clock.
MIN_TRIGGER_SECONDS = 60
LEGACY_REFRESH_MINUTES = 15
VIEWERS = "users"  # the workspace group every user belongs to


def bundle_yaml(
    name: str,
    title: str,
    *,
    landing: str,
    catalog: str,
    schema: str,
    interval: float,
    continuous: bool,
    unity_catalog: bool,
    language: str,
    sources: list[str],
    notebooks: bool = False,
    generator: tuple[str, str] | None = None,
) -> str:
    """The bundle as YAML text. `name` is the bundle, pipeline and schema key
    (`streamforge_<sector>`), `title` the pipeline's display name, `interval` the seconds between
    the landing's cycles (the trigger fires at most once per cycle), `sources` the transformation
    files relative to the project root (notebooks when `notebooks`). `generator`: (sector, format)
    adds a job that writes the landing with the Spark engine (`generator_job.py`)."""
    landing = landing.rstrip("/")
    variables: dict[str, Any] = {
        "schema": {
            "description": "Schema of the tables: one per sector, so sectors never collide",
            "default": schema,
        },
        "landing": {"description": "Landing area the generator writes", "default": landing},
        "viewers": {"description": "Group that may view the pipeline and job", "default": VIEWERS},
    }
    if unity_catalog:
        variables = {
            "catalog": {"description": "Unity Catalog catalog", "default": catalog},
            **variables,
        }
    resources: dict[str, Any] = {}
    if unity_catalog:
        # Deploying creates the schema; in `mode: development` the CLI prefixes its name with
        # `dev_<short_name>_`, so every developer gets a schema of their own.
        resources["schemas"] = {
            f"{name}_schema": {
                "catalog_name": "${var.catalog}",
                "name": "${var.schema}",
                "comment": f"{title}: bronze, silver and gold datasets",
            }
        }
    libraries = _libraries(unity_catalog, sources, notebooks)
    resources["pipelines"] = {name: _pipeline(name, title, continuous, unity_catalog, libraries)}
    jobs = {}
    if not continuous:  # a continuous pipeline runs by itself: nothing to trigger
        jobs[f"{name}_refresh"] = _job(name, title, interval, unity_catalog)
    if generator is not None:
        jobs[f"{name}_generate"] = generator_job(title, *generator, unity_catalog)
        variables |= generator_variables(unity_catalog)
    if jobs:
        resources["jobs"] = jobs
    document: dict[str, Any] = {"bundle": {"name": name}, "variables": variables}
    if generator is not None:  # the job installs StreamForge's wheel, built at deploy
        document["artifacts"] = generator_artifacts()
    document |= {
        "permissions": [
            {"level": "CAN_MANAGE", "user_name": "${workspace.current_user.userName}"},
            {"level": "CAN_VIEW", "group_name": "${var.viewers}"},
        ],
        "resources": resources,
        "targets": _targets(name, unity_catalog),
    }
    return _header(name, language) + yaml.safe_dump(document, sort_keys=False, width=100)


def _libraries(unity_catalog: bool, sources: list[str], notebooks: bool) -> list[dict[str, Any]]:
    """Notebooks are listed one by one; Hive metastore pipelines list their source files too
    (glob includes are newer); a Unity Catalog pipeline includes transformations/."""
    if notebooks:
        return [{"notebook": {"path": path}} for path in sources]
    if unity_catalog:
        return [{"glob": {"include": "transformations/**"}}]
    return [{"file": {"path": path}} for path in sources]


def _pipeline(
    name: str,
    title: str,
    continuous: bool,
    unity_catalog: bool,
    libraries: list[dict[str, Any]],
) -> dict[str, Any]:
    pipeline: dict[str, Any] = {"name": title}
    if unity_catalog:
        pipeline |= {
            "catalog": "${var.catalog}",
            "schema": f"${{resources.schemas.{name}_schema.name}}",  # deploy order: schema first
            "serverless": True,
            # published as a table, so that reports/data_quality.sql reads the expectations
            "event_log": {
                "catalog": "${var.catalog}",
                "schema": f"${{resources.schemas.{name}_schema.name}}",
                "name": f"{name}_event_log",
            },
        }
    else:
        pipeline |= {
            "target": "${var.schema}",  # Hive metastore: a schema, no catalog
            "edition": "ADVANCED",  # expectations and APPLY CHANGES need the ADVANCED edition
            "clusters": [
                {"label": "default", "autoscale": {"min_workers": 1, "max_workers": 2}},
            ],
        }
    pipeline |= {
        "continuous": continuous,
        "channel": "CURRENT",
        "configuration": {"streamforge.landing": "${var.landing}"},
        "libraries": libraries,
    }
    return pipeline


def _job(name: str, title: str, interval: float, unity_catalog: bool) -> dict[str, Any]:
    if unity_catalog:
        trigger: dict[str, Any] = {
            "file_arrival": {
                "url": "${var.landing}/",  # a directory: the trigger watches it recursively
                "min_time_between_triggers_seconds": max(MIN_TRIGGER_SECONDS, math.ceil(interval)),
            }
        }
        what = "when files arrive in the landing area"
    else:
        trigger = {"periodic": {"interval": LEGACY_REFRESH_MINUTES, "unit": "MINUTES"}}
        what = f"every {LEGACY_REFRESH_MINUTES} minutes"
    return {
        "name": f"{title}: refresh {what}",
        "max_concurrent_runs": 1,
        "trigger": {"pause_status": "UNPAUSED", **trigger},
        "tasks": [
            {
                "task_key": "refresh_pipeline",
                "pipeline_task": {"pipeline_id": f"${{resources.pipelines.{name}.id}}"},
            }
        ],
    }


def _targets(name: str, unity_catalog: bool) -> dict[str, Any]:
    dev: dict[str, Any] = {"mode": "development", "default": True}
    if not unity_catalog:  # no schema resource to prefix: name the per-user schema here
        dev["variables"] = {"schema": f"dev_${{workspace.current_user.short_name}}_{name}"}
    prod = {
        "mode": "production",
        # Production mode refuses to deploy without an explicit root path (one copy only);
        # a shared one, so that whoever deploys updates the same pipeline.
        "workspace": {"root_path": "/Workspace/Shared/.bundle/${bundle.name}/${bundle.target}"},
    }
    return {"dev": dev, "prod": prod}


def _header(name: str, language: str) -> str:
    return (
        f"# Databricks Asset Bundle generated by StreamForge; pipeline source: transformations/ "
        f"({language}).\n"
        "#   databricks bundle deploy            # dev (default): own schema, triggers paused\n"
        f"#   databricks bundle run {name}  # one pipeline update now\n"
        "#   databricks bundle deploy -t prod    # one shared copy, triggers active\n"
    )
