"""One table's batch as a Spark DataFrame: `spark.range(chunks)` mapped by the local chunk kernel.

Each partition holds chunk numbers; `mapInArrow` calls `make_chunk(request, chunk)` for each, the
very function the local engine calls, so the rows are the local engine's rows, whatever executor
makes them. The manifest's counts (rows, anomalies, faults) come back without collecting any data:
after each chunk the kernel emits one extra *tally row* (data columns null, the chunk's counts as
JSON in the hidden `_sf_tally` column) and `DataFrame.observe` gathers those during the write; the
tally rows are filtered out before the writer sees them. The counts are whatever the kernel
reports (column anomalies, broken checks, faults), so nothing here lists their names. Observed
metrics count each task once (retries included) and work on Spark Connect and serverless, where
accumulators do not exist.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from streamforge.engine.rows import BatchRequest, Chunk, make_chunk
from streamforge.plan.columns import table_schema

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from streamforge.engine.session import TableOutput
    from streamforge.landing_write import WrittenFile
    from streamforge.sinks.formats import FileFormat
    from streamforge.sinks.landing import Landing

TALLY = "_sf_tally"  # on a chunk's tally row: its counts as JSON; null on data rows


@dataclass(frozen=True, slots=True)
class Tally:
    """What a written batch holds, as the manifest records it (`landing_write.record_written`)."""

    rows: int
    anomalies: dict[str, int]
    anomalous_rows: int
    faults: dict[str, int]

    @classmethod
    def of_counts(cls, rows: int, counts: list[dict[str, Any]]) -> Tally:
        """Add up the chunks' counts the way `write_output` does (a name a chunk reports with 0
        is kept: the manifest lists every rule the batch could break)."""
        anomalies: dict[str, int] = {}
        faults: dict[str, int] = {}
        for count in counts:
            for name, value in count["anomalies"].items():
                anomalies[name] = anomalies.get(name, 0) + value
            for name, value in count["faults"].items():
                faults[name] = faults.get(name, 0) + value
        return cls(rows, anomalies, sum(c["anomalous_rows"] for c in counts), faults)

    @classmethod
    def of_chunks(cls, chunks: list[Chunk]) -> Tally:
        rows = sum(c.batch.num_rows for c in chunks)
        return cls.of_counts(rows, [counts_of(c) for c in chunks])

    def land(
        self,
        landing: Landing,
        output: TableOutput,
        fmt: FileFormat,
        landed: tuple[str, int],
        window: tuple[int, int],
        scenario: dict | None,
    ) -> WrittenFile:
        """Record `output`, landed as (path, bytes), in the manifest with these counts (what
        `landing_write.write_output` does after a local write); the WrittenFile."""
        from streamforge.landing_write import WrittenFile, record_written  # the driver's side

        path, size = landed
        table = output.table
        written = WrittenFile(
            table.name, table.kind, output.cycle, path, self.rows, size, self.anomalies,
            self.anomalous_rows,
        )  # fmt: skip
        record_written(landing, written, fmt, self.faults, window, None, scenario, output.record)
        return written


def counts_of(chunk: Chunk) -> dict[str, Any]:
    return {
        "anomalies": dict(chunk.anomalies),
        "anomalous_rows": int(chunk.anomalous_rows),
        "faults": dict(chunk.faults),
    }


def with_tally(schema: pa.Schema) -> pa.Schema:
    return schema.append(pa.field(TALLY, pa.string()))


def chunk_batches(
    request: BatchRequest, numbers: Iterator[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    """The `mapInArrow` function's body: for each chunk number, the kernel's rows then the
    chunk's tally row."""
    schema = with_tally(table_schema(request.table))
    for batch in numbers:
        for number in batch.column(0).to_pylist():
            chunk = make_chunk(request, int(number))
            rows = chunk.batch.num_rows
            yield pa.RecordBatch.from_arrays(
                [*chunk.batch.columns, pa.nulls(rows, pa.string())], schema=schema
            )
            counts = [pa.nulls(1, f.type) for f in schema][:-1]
            tally = pa.array([json.dumps(counts_of(chunk))], pa.string())
            yield pa.RecordBatch.from_arrays([*counts, tally], schema=schema)


def spark_schema(schema: pa.Schema) -> Any:
    """The Spark StructType of an Arrow schema (timestamps with a zone become TIMESTAMP)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


@dataclass(frozen=True, slots=True)
class Made:
    """A batch as a DataFrame to write, and how to learn its Tally once it is written."""

    frame: DataFrame
    observed: Any  # pyspark Observation, read after the write action

    def result(self) -> Tally:
        metrics = self.observed.get
        counts = [json.loads(text) for text in metrics.get("_sf_counts") or []]
        return Tally.of_counts(int(metrics.get("_sf_rows") or 0), counts)


def chunk_frame(spark: SparkSession, request: BatchRequest) -> Made:
    """The batch of `request` made on executors, one Spark partition per chunk."""
    from pyspark.sql import Observation
    from pyspark.sql import functions as F

    count = request.chunk_count
    schema = with_tally(table_schema(request.table))

    def make(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return chunk_batches(request, batches)

    numbers = spark.range(0, count, 1, numPartitions=max(count, 1))
    frame = numbers.mapInArrow(make, spark_schema(schema))
    observation = Observation(f"streamforge_{request.table.name}_{request.cycle}")
    observed = frame.observe(
        observation,
        F.count_if(F.col(TALLY).isNull()).alias("_sf_rows"),
        F.collect_list(TALLY).alias("_sf_counts"),  # one short JSON text per chunk
    )
    data = observed.filter(F.col(TALLY).isNull()).select(*table_schema(request.table).names)
    return Made(data, observation)
