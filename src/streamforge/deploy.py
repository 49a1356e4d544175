"""Create or update a generated pipeline in a Databricks workspace, share it with the person who
deployed it, and start its first update, through databricks-sdk.

The pipeline's owner (the user, or the app's service principal) needs USE CATALOG and USE SCHEMA
on the target catalog and schema, CREATE TABLE and CREATE MATERIALIZED VIEW on the schema, and
READ VOLUME on the landing Volume.
"""

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
    update_id: str | None = None  # the first update, when it was started
    shared_with: str | None = None  # the user granted CAN_MANAGE


def credentials_present(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return bool(env.get("DATABRICKS_HOST")) and any(env.get(name) for name in CREDENTIALS)


def workspace_client(user_token: str | None = None, timeout_s: float | None = None) -> Any:
    """The SDK's client: as the user when the app was handed their token, else the default chain
    (the app's service principal). `timeout_s` bounds the SDK's retries (and each request)."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    limits: dict[str, Any] = {}
    if timeout_s is not None:
        limits = {"retry_timeout_seconds": int(timeout_s), "http_timeout_seconds": timeout_s / 3}
    if user_token:
        host = os.environ.get("DATABRICKS_HOST")
        config = Config(host=host, token=user_token, auth_type="pat", **limits)
    else:
        config = Config(**limits)
    return WorkspaceClient(config=config)


def explain(exc: BaseException) -> str:
    """One line for the page: what the workspace said, or that it could not be reached."""
    text = str(exc) or type(exc).__name__
    unreachable = ("timed out", "timeout", "connection", "name or service", "unreachable")
    if isinstance(exc, TimeoutError | ConnectionError) or any(
        w in text.lower() for w in unreachable
    ):
        return f"deploy failed: the workspace could not be reached ({text}); check DATABRICKS_HOST"
    return f"deploy failed: {text}"


def deploy_pipeline(
    client: Any,
    *,
    name: str,
    files: Mapping[str, str],
    catalog: str,
    schema: str,
    landing: str,
    folder: str | None = None,
    share_with: str | None = None,
    start: bool = False,
) -> Deployment:
    """Upload the project's transformations to the workspace, then create the serverless
    pipeline (or update the one with the same name) that runs them.

    Args:
        share_with: a user name (e-mail) granted CAN_MANAGE, so the person who deployed through
            the app's service principal can open, run and edit the pipeline.
        start: start the pipeline's first update.
    """
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
    if share_with:
        from databricks.sdk.service.pipelines import (
            PipelineAccessControlRequest,
            PipelinePermissionLevel,
        )

        grant = PipelineAccessControlRequest(
            user_name=share_with, permission_level=PipelinePermissionLevel.CAN_MANAGE
        )
        client.pipelines.update_permissions(pipeline_id, access_control_list=[grant])
    update_id = client.pipelines.start_update(pipeline_id).update_id if start else None
    host = (client.config.host or "").rstrip("/")
    url = f"{host}/pipelines/{pipeline_id}"
    return Deployment(pipeline_id, url, created, update_id, share_with)
