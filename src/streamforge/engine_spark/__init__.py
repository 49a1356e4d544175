"""Scale-out on Spark: the local engine's chunk kernel on executors, which write the landing
files (`native.py`) or hand the rows to Spark's writers (`writer.py`, `tables.py`); the driver
holds the run state and writes the manifest (DESIGN §2). pyspark is imported only when a
function here runs.

Notebook use::

    from streamforge.engine_spark import generate_spark
    generate_spark(spark, None, "Retail", out="/Volumes/main/demo/landing/retail", cycles=10)
"""

from streamforge.engine_spark.generate import generate_spark, generate_spark_tables

__all__ = ["generate_spark", "generate_spark_tables"]
