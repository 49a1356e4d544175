"""Formats declare what they can do, and everything that reads or writes a landing asks them
(issue #12 point 1): every registered format keeps the capability contract, and a format added
under a new name is written, read back, estimated and ingested by codegen with no edit elsewhere."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pyarrow as pa
import pytest
from tests.times import at

from streamforge import api, readback
from streamforge.engine_spark.writer import check_format
from streamforge.errors import StreamForgeError
from streamforge.pipelines.generator_job import check_generator_job
from streamforge.sinks import FORMATS, get_format, register_format
from streamforge.sinks.fmt_csv import CsvFormat
from streamforge.sinks.fmt_delta import DeltaFormat
from streamforge.sinks.fmt_json import JsonFormat
from streamforge.sinks.formats import SparkWrite, pipeline_formats, spark_formats
from streamforge.verify.read import read_landed

RUN = {"scale": 0.02, "seed": 5, "start": at("2026-01-31T08:00:00Z")}
BOOLEANS = ("header", "nested_as_text", "text_map_keys", "carries_schema")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_declares_its_capabilities(name: str) -> None:
    fmt = FORMATS[name]
    assert fmt.name == name
    assert fmt.writes in ("files", "tables")
    for flag in BOOLEANS:
        assert isinstance(getattr(fmt, flag), bool), flag
    assert fmt.spark_source is None or isinstance(fmt.spark_source, str)
    assert fmt.spark_write is None or isinstance(fmt.spark_write, SparkWrite)
    # The data files of every format are in a format that writes files (readers parse those).
    assert FORMATS[fmt.data_format].writes == "files"
    assert callable(fmt.data_files) and callable(fmt.open)
    if fmt.writes == "files":
        assert fmt.extension
        assert fmt.data_files(Path("t/t-c000000-x.ext"), None) == ["t/t-c000000-x.ext"]
    else:
        assert callable(getattr(fmt, "append_cycle", None))
    assert inspect.getmodule(type(fmt)).__name__.endswith(f".fmt_{name}")  # type: ignore[union-attr]


def test_the_cli_and_web_names_are_the_registry() -> None:
    """The names the CLI lists without importing the formats are those the registry holds."""
    assert api.landing_formats() == tuple(sorted(FORMATS))
    assert api.pipeline_formats() == tuple(
        n for n in sorted(FORMATS) if FORMATS[n].spark_source is not None
    )
    assert "delta" not in api.pipeline_formats()  # a landed table is no Auto Loader source


def test_a_format_must_live_in_its_own_module() -> None:
    fake = type("Fake", (JsonFormat,), {"name": "fake", "__module__": "streamforge.sinks.fmt_json"})
    with pytest.raises(ValueError, match=r"fmt_fake\.py"):
        register_format(fake())


@dataclasses.dataclass
class Renamed:
    """An existing format's behaviour under a new name, as a new `fmt_<name>.py` would add it
    (its data files in an encoding the readers know: `data_format` is the base's)."""

    base: object
    name: str

    def __getattr__(self, attribute: str) -> object:
        return getattr(self.base, attribute)


@pytest.fixture
def new_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    """`comma` (CSV's capabilities) and `lake` (Delta's) registered beside the shipped ones."""
    monkeypatch.setitem(FORMATS, "comma", Renamed(CsvFormat(), "comma"))
    monkeypatch.setitem(FORMATS, "lake", Renamed(DeltaFormat(), "lake"))


@pytest.mark.usefixtures("new_formats")
def test_codegen_reads_a_new_format_by_its_capabilities() -> None:
    """A pipeline for `comma` is the CSV pipeline: same reader options, hints and conversions."""
    assert "comma" in pipeline_formats() and "lake" not in pipeline_formats()
    for target in api.pipeline_targets():
        for language in ("python", "sql"):
            made = {
                fmt: api.pipeline("Retail", target=target, language=language, fmt=fmt).files
                for fmt in ("csv", "comma")
            }
            readme = made["comma"].pop("README.md")  # names the landing's format
            assert readme == made["csv"].pop("README.md").replace("(csv files", "(comma files")
            assert made["comma"] == made["csv"], (target, language)
    with pytest.raises(StreamForgeError, match="cannot read a lake landing"):
        api.pipeline("Retail", fmt="lake")


@pytest.mark.usefixtures("new_formats")
def test_a_new_format_is_written_and_read_back(tmp_path: Path) -> None:
    """Landing, readback, verify's reader and the size estimate all ask the format."""
    result = api.generate("Retail", tmp_path / "comma", fmt="comma", **RUN)
    same = api.generate("Retail", tmp_path / "csv", fmt="csv", **RUN)
    plan = api.load_plan("Retail")
    comma = readback.read_landing(tmp_path / "comma", plan)
    csv = readback.read_landing(tmp_path / "csv", plan)
    assert result.rows == same.rows > 0
    for table, files in csv.items():
        assert [f.data for f in comma[table]] == [f.data for f in files], table
    first = result.files[0]
    schema = pa.schema([pa.field(f.name, pa.string()) for f in comma[first.table][0].data.schema])
    assert read_landed(tmp_path / "comma" / first.path, "comma", schema).data.num_rows == first.rows
    assert api.estimate(plan, "comma").tables == api.estimate(plan, "csv").tables
    with pytest.raises(StreamForgeError, match="--format lake cannot write to a Volume"):
        api.check_destination("/Volumes/main/sf/landing", "lake")
    api.check_destination("/Volumes/main/sf/landing", "comma")


@pytest.mark.usefixtures("new_formats")
def test_the_spark_engine_asks_the_format_what_it_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spark's writer (`--spark-writer spark`) accepts exactly the formats that declare a Spark
    writer, a new one included, and names them when refusing one; the bundle's generator job
    writes with the native writer, so it takes every format that writes files (csv and a new
    CSV-like one too) and refuses only table formats."""
    assert spark_formats() == ("json", "parquet")  # `comma` has CSV's capabilities: no writer
    ndjson = Renamed(JsonFormat(), "ndjson")
    monkeypatch.setitem(FORMATS, "ndjson", ndjson)
    assert check_format(ndjson) is JsonFormat.spark_write  # type: ignore[arg-type]
    volume = "/Volumes/main/streamforge/landing"
    for name in ("csv", "comma", "delta", "lake"):
        with pytest.raises(StreamForgeError, match=f"json or ndjson or parquet, not {name}"):
            check_format(get_format(name))
    for name in ("ndjson", "json", "csv", "comma", "parquet"):
        assert get_format(name).writes == "files"
        check_generator_job(name, volume)
    for name in ("delta", "lake"):
        assert get_format(name).writes == "tables"
        with pytest.raises(StreamForgeError, match=f"writes files, not {name} tables"):
            check_generator_job(name, volume)


def test_an_unknown_format_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read format 'xml'"):
        readback.read_file(tmp_path / "x.xml", pa.schema([]), "xml")
    with pytest.raises(ValueError, match="cannot read format 'xml'"):
        read_landed(tmp_path / "x.xml", "xml", pa.schema([]))
    assert get_format("csv").header and not get_format("json").header
