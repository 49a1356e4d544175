"""The one-flag fallback (STREAMFORGE_PLAIN_PARQUET): pyarrow's own ParquetWriter instead of parts
encoded on the pool and joined. Both must land the same rows, columns and row groups."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.times import at

from streamforge import api
from streamforge.sinks import fmt_parquet, get_format
from streamforge.sinks.fmt_parquet import PLAIN_PARQUET_ENV


def land(out: Path, monkeypatch: pytest.MonkeyPatch, plain: bool) -> dict[str, Path]:
    monkeypatch.setenv(PLAIN_PARQUET_ENV, "1" if plain else "0")
    # Small parts: the joined writer cuts every batch into several, encoded in parallel.
    monkeypatch.setattr(fmt_parquet, "PART_ROWS", 700)
    api.generate("Energy", out, fmt="parquet", cycles=2, start=at("2026-01-01T00:00:00Z"))
    return {str(p.relative_to(out)): p for p in out.rglob("*.parquet")}


def test_plain_and_joined_parquet_read_back_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    joined = land(tmp_path / "joined", monkeypatch, plain=False)
    plain = land(tmp_path / "plain", monkeypatch, plain=True)
    assert joined.keys() == plain.keys() and len(joined) >= 7  # every Energy table, 2 cycles
    for name, path in joined.items():
        a, b = pq.ParquetFile(path), pq.ParquetFile(plain[name])
        assert a.read().equals(b.read()), name
        assert a.schema_arrow.equals(b.schema_arrow, check_metadata=True), name
        assert a.metadata.num_row_groups == b.metadata.num_row_groups, name
        assert a.metadata.num_rows == b.metadata.num_rows, name
        if a.metadata.num_rows > 700:
            assert a.metadata.num_row_groups > 1, name  # the join really joined parts


def test_the_flag_picks_the_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = pa.schema([("id", pa.int64())])
    for value, plain in (("1", True), ("true", True), ("0", False), ("", False)):
        monkeypatch.setenv(PLAIN_PARQUET_ENV, value)
        stream = io.BytesIO()
        writer = get_format("parquet").open(stream, schema)
        assert isinstance(writer, fmt_parquet._PlainParquetWriter) is plain, value
        writer.write(pa.record_batch([pa.array([1, 2, 3])], schema=schema))
        writer.close()
        assert pq.read_table(io.BytesIO(stream.getvalue()))["id"].to_pylist() == [1, 2, 3]
