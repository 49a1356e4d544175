"""The `spark` target: open-source Spark Declarative Pipelines (pyspark 4.3, spark-pipelines):
explicit-schema file streams, expectations as filter + quarantine; runs here on local pyspark.
"""

from __future__ import annotations

from streamforge.pipelines.targets import Target, register

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
