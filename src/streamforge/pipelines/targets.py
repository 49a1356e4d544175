"""Pipeline targets: each is one entry (templates + the names its API uses), found by name."""

from __future__ import annotations

from dataclasses import dataclass, field

from streamforge.errors import StreamForgeError
from streamforge.pipelines.literals import quote
from streamforge.pipelines.rules import RESCUED


@dataclass(frozen=True, slots=True)
class Target:
    """A pipeline target: what it is, what it can do, and what its templates call things."""

    name: str
    description: str
    templates: dict[str, tuple[str, ...]]  # language -> templates (one output file each)
    names: dict[str, object] = field(default_factory=dict)  # what the templates call things
    bundle: bool = True  # writes a databricks.yml
    unity_catalog: bool = True  # bundle: catalog + schema, serverless; else Hive `target`, clusters
    default_landing: str = "/Volumes/main/streamforge/landing"  # where the generator writes
    # Runs here on local pyspark (`pipeline --run`); its landing is a local folder or a URI.
    runs_locally: bool = False

    @property
    def deployable(self) -> bool:
        """Runs in a Databricks workspace: it ships a databricks.yml bundle to deploy."""
        return self.bundle


EXPECT = {"warn": "expect_all", "drop": "expect_all_or_drop", "fail": "expect_all_or_fail"}
VIOLATION = {"warn": "", "drop": " ON VIOLATION DROP ROW", "fail": " ON VIOLATION FAIL UPDATE"}

# Databricks targets: Auto Loader ingests a backlog in batches of at most this many files (one
# file per table per cycle: a batch is up to 100 cycles), and silver counts rescued values.
PRODUCTION = {"max_files_per_trigger": 100, "rescued_rule": RESCUED}

TARGETS: dict[str, Target] = {}


def register(target: Target) -> Target:
    TARGETS[target.name] = target
    return target


register(
    Target(
        "databricks",
        "Lakeflow Spark Declarative Pipelines on Databricks (from pyspark import pipelines as dp)",
        {"python": ("databricks_python.py.j2",), "sql": ("databricks_sql.sql.j2",)},
        {
            "dp": "dp",
            "import_line": "from pyspark import pipelines as dp",
            "api_name": "pyspark.pipelines",
            "view_decorator": "temporary_view",
            "cdc_function": "create_auto_cdc_flow",
            "cdc_into": lambda flow, target: f"CREATE FLOW {flow} AS AUTO CDC INTO {quote(target)}",
            "temporary_view": "CREATE TEMPORARY VIEW",
            "sql_name": "Lakeflow Spark Declarative Pipelines SQL on Databricks",
            "python_name": "Lakeflow Spark Declarative Pipelines on Databricks",
            "read_files": "read_files",
            "violation": VIOLATION,
            "expect_decorators": EXPECT,
            "ref": lambda name: name,
            "read_stream": "spark.readStream.table",
            "read_batch": "spark.read.table",
            "materialized_view": "materialized_view",
            "materialized_view_sql": "MATERIALIZED VIEW",
            **PRODUCTION,
        },
    )
)
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
            "temporary_view": "CREATE TEMPORARY LIVE VIEW",
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
register(
    Target(
        "spark",
        "Open-source Spark Declarative Pipelines (pyspark 4.3, spark-pipelines)",
        # Open-source SQL cannot stream files with a schema: bronze stays Python there.
        {"python": ("spark_python.py.j2",), "sql": ("spark_bronze.py.j2", "spark_sql.sql.j2")},
        {"ref": lambda name: name},
        bundle=False,
        default_landing="landing",
        runs_locally=True,
    )
)


def get_target(name: str) -> Target:
    if name not in TARGETS:
        raise StreamForgeError(f"unknown pipeline target '{name}'; use {', '.join(TARGETS)}")
    return TARGETS[name]
