"""Deploy a generated pipeline project to a Databricks workspace (the facade, api.py,
re-exports all of it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from streamforge.errors import StreamForgeError


class DeployFailed(StreamForgeError):
    """The workspace refused the deployment, or could not be reached (the message says which)."""


def deploy_credentials_present(env: Mapping[str, str] | None = None) -> bool:
    """Whether a deployment could authenticate without the user's token.

    Args:
        env: the environment to read; None: os.environ.

    Returns:
        True when it names a workspace (DATABRICKS_HOST) and a credential
        (DATABRICKS_TOKEN, DATABRICKS_CLIENT_ID or DATABRICKS_CONFIG_PROFILE).
    """
    from streamforge import deploy

    return deploy.credentials_present(env)


def workspace_client(user_token: str | None = None, timeout_s: float | None = None) -> Any:
    """A client of the Databricks workspace.

    Args:
        user_token: the user's OAuth token (the app's on-behalf-of-user header); None: the
            environment's credentials (the app's service principal).
        timeout_s: seconds that bound the SDK's retries and each request; None: the SDK's.

    Returns:
        A `databricks.sdk.WorkspaceClient`.

    Raises:
        Exception: the SDK's own, when it cannot authenticate.
    """
    from streamforge import deploy

    return deploy.workspace_client(user_token, timeout_s=timeout_s)


def deploy_pipeline(
    project,
    *,
    name: str,
    catalog: str,
    schema: str,
    landing: str,
    share_with: str | None = None,
    start: bool = False,
    user_token: str | None = None,
    client: Any = None,
    timeout_s: float | None = None,
):
    """Upload a generated project's transformations, create (or update) its serverless pipeline
    and, with `start`, its first update.

    Args:
        project: a PipelineProject for a deployable target (`pipeline(...)`).
        name: the pipeline's name in the workspace (an existing one of that name is updated).
        catalog: the Unity Catalog catalog the pipeline publishes to.
        schema: the schema in `catalog` it publishes to.
        landing: where the pipeline reads (a Volume path).
        share_with: a user granted CAN_MANAGE on the pipeline; None: nobody.
        start: start the pipeline's first update.
        user_token: deploy as this user (see `workspace_client`).
        client: a `databricks.sdk.WorkspaceClient`; None makes one, as the user when given
            `user_token`, else from the environment (the app's service principal).
        timeout_s: bounds the SDK's retries and each request (seconds).

    Returns:
        A `streamforge.deploy.Deployment`: pipeline id and URL, whether it was created or
        updated, the first update's id when started, and who it was shared with.

    Raises:
        DeployFailed: what the workspace answered, or that it could not be reached.
    """
    from streamforge import deploy

    try:
        client = client or workspace_client(user_token, timeout_s=timeout_s)
        return deploy.deploy_pipeline(
            client,
            name=name,
            files=project.files,
            catalog=catalog,
            schema=schema,
            landing=landing,
            share_with=share_with,
            start=start,
        )
    except Exception as exc:  # the workspace's answer, or that it could not be reached
        raise DeployFailed(deploy.explain(exc)) from exc
