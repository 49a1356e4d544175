"""The `databricks` target: Lakeflow Spark Declarative Pipelines on Databricks
(`from pyspark import pipelines as dp`, Auto Loader, AUTO CDC, expectations; Unity Catalog bundle).
"""

from __future__ import annotations

from streamforge.pipelines.literals import quote
from streamforge.pipelines.targets import EXPECT, PRODUCTION, VIOLATION, Target, register

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
