"""One table's batch as a Spark DataFrame: `spark.range(chunks)` mapped by the local chunk kernel.

Each partition holds chunk numbers; `mapInArrow` calls `make_chunk(request, chunk)` for each, the
very function the local engine calls, so the rows are the local engine's rows, whatever executor
makes them. The manifest's counts (rows, anomalies, faults) come back without collecting any data:
after each chunk the kernel emits one extra *tally row* (data columns null, the counts in hidden
`_sf_` columns) and `DataFrame.observe` sums them during the write; the tally rows are filtered out
before the writer sees them. Observed metrics count each task once (retries included) and work
on Spark Connect and serverless, where accumulators do not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from streamforge.engine.event_faults import has_faults
from streamforge.engine.rows import BatchRequest, Chunk, make_chunk
from streamforge.plan.columns import table_schema

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

MARK = "_sf_tally"  # true on a chunk's tally row
FAULTS = ("late", "duplicate", "out_of_order")


@dataclass(frozen=True, slots=True)
class Tally:
    """What a written batch holds, as the manifest records it (`landing_write.record_written`)."""

    rows: int
    anomalies: dict[str, int]
    anomalous_rows: int
    faults: dict[str, int]

    @classmethod
    def of_chunks(cls, chunks: list[Chunk]) -> Tally:
        anomalies: dict[str, int] = {}
        faults: dict[str, int] = {}
        for chunk in chunks:
            for name, count in chunk.anomalies.items():
                anomalies[name] = anomalies.get(name, 0) + count
            for name, count in chunk.faults.items():
                faults[name] = faults.get(name, 0) + count
        rows = sum(c.batch.num_rows for c in chunks)
        return cls(rows, anomalies, sum(c.anomalous_rows for c in chunks), faults)


@dataclass(frozen=True, slots=True)
class TallyColumns:
    """The hidden count columns of one request: `_sf_a<i>` per anomalous column, `_sf_f<i>` per
    event-time fault (facts with fault rates), and the anomalous-row count."""

    anomalies: tuple[str, ...]
    faults: tuple[str, ...]

    @classmethod
    def of(cls, request: BatchRequest) -> TallyColumns:
        table = request.table
        anomalous = tuple(c.name for c in table.columns if c.anomaly_rate > 0)
        faulted = table.kind == "fact" and has_faults(table)
        return cls(anomalous, FAULTS if faulted else ())

    def names(self) -> list[str]:
        return (
            [f"_sf_a{i}" for i in range(len(self.anomalies))]
            + [f"_sf_f{i}" for i in range(len(self.faults))]
            + ["_sf_flagged"]
        )

    def arrow_schema(self, data: pa.Schema) -> pa.Schema:
        extra = [pa.field(name, pa.int64()) for name in self.names()]
        return pa.schema([*data, *extra, pa.field(MARK, pa.bool_(), nullable=False)])

    def tally(self, chunk: Chunk) -> list[int]:
        return (
            [int(chunk.anomalies.get(name, 0)) for name in self.anomalies]
            + [int(chunk.faults.get(name, 0)) for name in self.faults]
            + [int(chunk.anomalous_rows)]
        )

    def read(self, rows: int, sums: dict[str, Any]) -> Tally:
        """The Tally from the observed sums (None when no chunk was made)."""
        names = self.names()
        values = [int(sums.get(name) or 0) for name in names]
        count = len(self.anomalies)
        anomalies = dict(zip(self.anomalies, values[:count], strict=True)) if rows else {}
        faulted = values[count : count + len(self.faults)]
        faults = dict(zip(self.faults, faulted, strict=True)) if rows else {}
        return Tally(rows, anomalies, values[-1], faults)


def chunk_batches(
    request: BatchRequest, tally: TallyColumns, chunks: Iterator[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    """The `mapInArrow` function's body: for each chunk number, the kernel's rows then the
    chunk's tally row."""
    schema = tally.arrow_schema(table_schema(request.table))
    width = len(tally.names())
    for numbers in chunks:
        for number in numbers.column(0).to_pylist():
            chunk = make_chunk(request, int(number))
            rows = chunk.batch.num_rows
            columns = [*chunk.batch.columns]
            columns += [pa.nulls(rows, pa.int64())] * width + [pa.repeat(False, rows)]
            yield pa.RecordBatch.from_arrays(columns, schema=schema)
            counts = [pa.nulls(1, f.type) for f in schema][: -width - 1]
            counts += [pa.array([v], pa.int64()) for v in tally.tally(chunk)]
            yield pa.RecordBatch.from_arrays([*counts, pa.array([True])], schema=schema)


def spark_schema(schema: pa.Schema) -> Any:
    """The Spark StructType of an Arrow schema (timestamps with a zone become TIMESTAMP)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


@dataclass(frozen=True, slots=True)
class Made:
    """A batch as a DataFrame to write, and how to learn its Tally once it is written."""

    frame: DataFrame
    observed: Any  # pyspark Observation, read after the write action
    tally: TallyColumns

    def result(self) -> Tally:
        sums = self.observed.get
        return self.tally.read(int(sums.get("_sf_rows") or 0), sums)


def chunk_frame(spark: SparkSession, request: BatchRequest) -> Made:
    """The batch of `request` made on executors, one Spark partition per chunk."""
    from pyspark.sql import Observation
    from pyspark.sql import functions as F

    tally = TallyColumns.of(request)
    schema = tally.arrow_schema(table_schema(request.table))
    count = request.chunk_count

    def make(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return chunk_batches(request, tally, batches)

    numbers = spark.range(0, count, 1, numPartitions=max(count, 1))
    frame = numbers.mapInArrow(make, spark_schema(schema))
    observation = Observation(f"streamforge_{request.table.name}_{request.cycle}")
    sums = [F.sum(F.col(name)).alias(name) for name in tally.names()]
    rows = F.sum(F.when(~F.col(MARK), 1).otherwise(0)).alias("_sf_rows")
    observed = frame.observe(observation, rows, *sums)
    data = observed.filter(~F.col(MARK)).select(*table_schema(request.table).names)
    return Made(data, observation, tally)
