"""The `dlt-legacy` target: Delta Live Tables for older workspaces (`import dlt`, APPLY CHANGES
INTO, LIVE. names; a Hive metastore bundle, DBFS landing).
"""

from __future__ import annotations

from streamforge.pipelines.literals import quote
from streamforge.pipelines.targets import EXPECT, PRODUCTION, VIOLATION, Target, register

register(
    Target(
        "dlt-legacy",
        "Delta Live Tables for older workspaces (import dlt, APPLY CHANGES INTO)",
        {"python": ("databricks_python.py.j2",), "sql": ("databricks_sql.sql.j2",)},
        {
            "dp": "dlt",
            "import_line": "import dlt",
            "api_name": "dlt",
            "view_decorator": "view",
            "cdc_function": "apply_changes",
            "cdc_into": lambda flow, target: f"APPLY CHANGES INTO LIVE.{quote(target)}",
            # Legacy SQL declares a view over STREAM(...) a STREAMING LIVE VIEW (the legacy
            # grammar: CREATE TEMPORARY [STREAMING] LIVE VIEW); both views here read streams.
            "temporary_view": "CREATE TEMPORARY STREAMING LIVE VIEW",
            "sql_name": "Delta Live Tables SQL (legacy syntax)",
            "python_name": "Delta Live Tables (legacy Python API)",
            "read_files": "read_files",
            "violation": VIOLATION,
            "expect_decorators": EXPECT,
            "ref": lambda name: f"LIVE.{name}",
            # Legacy publishing mode resolves a dataset of the pipeline only through dlt.read*
            # (or LIVE.): an unqualified spark.readStream.table looks in the default schema.
            "read_stream": "dlt.read_stream",
            "read_batch": "dlt.read",
            # The legacy API has no materialized_view: @dlt.table over a batch read is one.
            "materialized_view": "table",
            "materialized_view_sql": "LIVE TABLE",
            **PRODUCTION,
        },
        unity_catalog=False,
        # No Volumes without Unity Catalog: the generator writes DBFS (`/dbfs/...` in a job).
        default_landing="dbfs:/streamforge/landing",
    )
)
