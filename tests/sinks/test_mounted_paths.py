"""Where the Spark engine writes a landing (`sinks.mounted_paths`): the native writer's executors
write with plain file I/O, so a Volume in either spelling becomes the `/Volumes/...` FUSE path,
the DBFS root `/dbfs/...`; a URI no executor can open as a file is refused with the fix; and a
mount this machine lacks is refused before anything is written. No Spark needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamforge.engine_spark.native import check_writer
from streamforge.errors import StreamForgeError
from streamforge.sinks import mounted_paths as paths
from streamforge.sinks.formats import get_format
from streamforge.sinks.mounted_paths import LandingPlace, check_mounted, landing_place


@pytest.mark.parametrize(
    ("out", "path", "uri"),
    [
        ("/Volumes/main/sf/landing", "/Volumes/main/sf/landing", "/Volumes/main/sf/landing"),
        ("/Volumes/main/sf/landing/retail/", "/Volumes/main/sf/landing/retail", None),
        ("dbfs:/Volumes/main/sf/landing", "/Volumes/main/sf/landing", None),
        ("dbfs:/Volumes//main/sf/landing/", "/Volumes/main/sf/landing", None),
        ("  /Volumes/main/sf/vol  ", "/Volumes/main/sf/vol", None),
        ("dbfs:/streamforge/landing", "/dbfs/streamforge/landing", "dbfs:/streamforge/landing"),
        ("dbfs:///streamforge/landing/", "/dbfs/streamforge/landing", "dbfs:/streamforge/landing"),
        ("file:///tmp/landing", "/tmp/landing", "/tmp/landing"),
        ("file:/tmp/landing", "/tmp/landing", "/tmp/landing"),
    ],
)
def test_a_destination_maps_to_the_path_executors_write(out: str, path: str, uri: str | None):
    assert landing_place(out) == LandingPlace(path, uri or path)


def test_a_local_folder_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for out in ("landing", "./landing/", "run:1/landing"):  # "run:1" is a folder, no scheme
        place = landing_place(out)
        assert place.path == place.uri == str((tmp_path / out).resolve())


@pytest.mark.parametrize(
    "out",
    [
        "s3://bucket/landing",
        "s3a://bucket/landing",
        "abfss://container@account.dfs.core.windows.net/landing",
        "gs://bucket/landing",
        "https://example.com/landing",
        "http://example.com/landing",
        "hdfs://namenode/landing",
    ],
)
def test_a_uri_executors_cannot_open_is_refused_with_the_fix(out: str) -> None:
    scheme = out.split(":", 1)[0]
    with pytest.raises(StreamForgeError) as caught:
        landing_place(out)
    message = str(caught.value)
    assert out in message and f"a {scheme}: URI is no file system path" in message
    assert "/Volumes/<catalog>/<schema>/<volume>/<folder>" in message
    with pytest.raises(StreamForgeError, match="no file system path"):
        check_writer(out, get_format("json"), "native")  # the native writer asks the same


@pytest.mark.parametrize(
    "out", ["/Volumes", "/Volumes/main", "dbfs:/Volumes/main/sf", "/Volumes/a/b/c/../x"]
)
def test_a_volume_path_must_name_catalog_schema_and_volume(out: str) -> None:
    with pytest.raises(StreamForgeError, match="is not a Unity Catalog Volume path"):
        landing_place(out)


@pytest.mark.parametrize(
    ("path", "mount", "where"),
    [
        ("/Volumes/main/sf/landing", "/Volumes", "Databricks clusters and serverless"),
        ("/dbfs/streamforge/landing", "/dbfs", "classic Databricks clusters (not serverless)"),
    ],
)
def test_a_mount_this_machine_lacks_is_refused(monkeypatch, path: str, mount: str, where: str):
    mounted: set[str] = set()
    monkeypatch.setattr(paths, "is_mounted", lambda m: m in mounted)
    with pytest.raises(StreamForgeError) as caught:
        check_mounted(path)
    assert f"{mount}/... through the FUSE mount of {where}" in str(caught.value)
    assert "generate_spark(spark, ...)" in str(caught.value)
    mounted.add(mount)  # on Databricks compute: accepted
    check_mounted(path)
    check_mounted("/tmp/Volumes/x")  # a local folder is not a mount
    check_mounted("/dbfsx/landing")


@pytest.mark.parametrize("writer", ["native", "spark"])
def test_generate_spark_refuses_before_spark_runs(monkeypatch, tmp_path: Path, writer: str):
    """The checks come before any Spark job or file: `spark` is never touched here."""
    from streamforge.engine_spark import generate_spark

    monkeypatch.setattr(paths, "is_mounted", lambda m: False)  # not on Databricks
    with pytest.raises(StreamForgeError, match="a s3: URI is no file system path"):
        generate_spark(None, None, "Retail", out="s3://bucket/landing", writer=writer)  # type: ignore[arg-type]
    if writer == "native":  # Spark's writer reaches a Volume through Spark, not the mount
        with pytest.raises(StreamForgeError, match="this machine has no /Volumes"):
            generate_spark(None, None, "Retail", out="dbfs:/Volumes/main/sf/landing")  # type: ignore[arg-type]
