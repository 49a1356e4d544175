"""Create or update a generated pipeline in a Databricks workspace, through databricks-sdk."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Any one of these with DATABRICKS_HOST lets the SDK's default chain authenticate (a Databricks
# App sets DATABRICKS_CLIENT_ID/SECRET for its service principal).
CREDENTIALS = ("DATABRICKS_TOKEN", "DATABRICKS_CLIENT_ID", "DATABRICKS_CONFIG_PROFILE")


@dataclass(frozen=True, slots=True)
class Deployment:
    pipeline_id: str
    url: str
    created: bool  # False when an existing pipeline of that name was updated


def credentials_present(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return bool(env.get("DATABRICKS_HOST")) and any(env.get(name) for name in CREDENTIALS)


def workspace_client() -> Any:
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient()


def deploy_pipeline(
    client: Any,
    *,
    name: str,
    files: Mapping[str, str],
    catalog: str,
    schema: str,
    landing: str,
    folder: str | None = None,
) -> Deployment:
    """Upload the project's transformations to the workspace, then create the serverless
    pipeline (or update the one with the same name) that runs them."""
    from databricks.sdk.service.pipelines import FileLibrary, PipelineLibrary
    from databricks.sdk.service.workspace import ImportFormat

    root = folder or f"/Workspace/Shared/streamforge/{name}"
    sources = sorted(path for path in files if path.startswith("transformations/"))
    client.workspace.mkdirs(f"{root}/transformations")
    for path in sources:
        content = files[path].encode("utf-8")
        client.workspace.upload(f"{root}/{path}", content, format=ImportFormat.AUTO, overwrite=True)
    settings: dict[str, Any] = {
        "name": name,
        "catalog": catalog,
        "schema": schema,
        "serverless": True,
        "continuous": False,
        "channel": "CURRENT",
        "configuration": {"streamforge.landing": landing},
        "libraries": [PipelineLibrary(file=FileLibrary(path=f"{root}/{p}")) for p in sources],
        "root_path": root,
    }
    existing = next(
        (
            p
            for p in client.pipelines.list_pipelines(filter=f"name LIKE '{name}'")
            if p.name == name
        ),
        None,
    )
    if existing is not None:
        client.pipelines.update(existing.pipeline_id, **settings)
        pipeline_id, created = existing.pipeline_id, False
    else:
        pipeline_id, created = client.pipelines.create(**settings).pipeline_id, True
    host = (client.config.host or "").rstrip("/")
    return Deployment(pipeline_id, f"{host}/pipelines/{pipeline_id}", created)
