"""Failures: transient ones retried (by the SDK, then by the landing), the rest said plainly."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.config import Config

from streamforge.errors import StreamForgeError
from streamforge.sinks.landing import STATE_PATH
from streamforge.sinks.volume import RetryPolicy, VolumeLanding, VolumePath
from streamforge.sinks.volume_files import is_transient

from .conftest import DEST, ROOT, SdkClock
from .files_api_server import FakeFilesApi

STATE = f"{ROOT}/{STATE_PATH}"
GRANTS = (
    "the principal needs READ VOLUME and WRITE VOLUME on main.demo.landing "
    "(plus USE CATALOG main and USE SCHEMA main.demo)"
)


def puts_of(files_api: FakeFilesApi, path: str) -> int:
    return sum(r.path == path for r in files_api.requests("PUT"))


def test_503s_are_retried_by_the_sdk_and_the_write_lands(
    landing: VolumeLanding, files_api: FakeFilesApi, sdk_clock: SdkClock, sleeps: list[float]
) -> None:
    files_api.fail(503, times=3, method="PUT", prefix=STATE)
    landing.write_text_atomic(STATE_PATH, "{}")
    assert files_api.files[STATE] == b"{}" and puts_of(files_api, STATE) == 4
    # The SDK waits Retry-After (1s by default) plus up to 1s of jitter, on its (fake) clock.
    assert 3 <= sum(sdk_clock.slept) < 6 and sleeps == []


def test_a_429_waits_as_long_as_retry_after_says(
    landing: VolumeLanding, files_api: FakeFilesApi, sdk_clock: SdkClock
) -> None:
    files_api.fail(429, times=1, method="PUT", prefix=STATE, retry_after=7,
                   error_code="REQUEST_LIMIT_EXCEEDED")  # fmt: skip
    landing.write_text_atomic(STATE_PATH, "{}")
    assert files_api.files[STATE] == b"{}"
    assert 7 <= sum(sdk_clock.slept) < 8


@pytest.mark.parametrize(
    ("status", "code"), [(500, "INTERNAL_ERROR"), (502, "BAD_GATEWAY"), (504, "DEADLINE_EXCEEDED")]
)
def test_errors_the_sdk_does_not_retry_are_retried_with_backoff(
    make_landing: Callable[..., VolumeLanding],
    files_api: FakeFilesApi,
    sleeps: list[float],
    status: int,
    code: str,
) -> None:
    make_landing().write_text_atomic(STATE_PATH, "{}")
    # HEAD (exists) answers without a body, so a 502 reaches us as a bare "Bad Gateway".
    files_api.fail(status, times=2, method="HEAD", prefix=ROOT, error_code=code)
    assert make_landing().exists()
    assert sleeps == [0.75, 1.5]  # 1s then 2s ceilings, with jitter fixed at one half


def test_a_500_on_download_is_retried(
    landing: VolumeLanding, files_api: FakeFilesApi, sleeps: list[float]
) -> None:
    landing.write_bytes_atomic("_streamforge/entities/x.parquet", b"x")
    files_api.fail(500, times=2, method="GET", prefix=ROOT, error_code="INTERNAL_ERROR")
    assert landing.read_bytes("_streamforge/entities/x.parquet") == b"x"
    assert sleeps == [0.75, 1.5]


def test_listing_and_deleting_are_retried_too(
    landing: VolumeLanding, files_api: FakeFilesApi, sleeps: list[float]
) -> None:
    landing.append_manifest({"table": "t", "cycle": 0})
    files_api.make_directories(f"{ROOT}/t")
    files_api.files[f"{ROOT}/t/t-c000000-x.json"] = b"{}"
    files_api.fail(502, times=1, method="GET", prefix=f"{ROOT}/t", error_code="BAD_GATEWAY")
    files_api.fail(500, times=1, method="DELETE", prefix=f"{ROOT}/t", error_code="INTERNAL_ERROR")
    landing.clear()
    assert not [p for p in files_api.files if p.startswith(f"{ROOT}/t")]
    assert len(sleeps) == 2


def test_retries_stop_after_the_attempt_limit_with_a_clear_error(
    landing: VolumeLanding, files_api: FakeFilesApi, sleeps: list[float]
) -> None:
    landing.write_text_atomic(STATE_PATH, "{}")
    files_api.fail(500, times=None, method="PUT", prefix=STATE, error_code="INTERNAL_ERROR")
    with pytest.raises(StreamForgeError, match="failed 6 times") as caught:
        landing.write_text_atomic(STATE_PATH, "{}")
    assert "run the same command again to resume" in str(caught.value)
    assert sleeps == [0.75, 1.5, 3.0, 6.0, 12.0]


def test_retries_stop_when_the_time_budget_is_spent(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    policy = RetryPolicy(max_total=5.0, sleep=sleep, clock=lambda: now[0], jitter=lambda: 0.5)
    landing = make_landing(retry=policy)
    files_api.fail(500, times=None, method="GET", prefix=STATE, error_code="INTERNAL_ERROR")
    with pytest.raises(StreamForgeError, match="failed 3 times"):
        landing.read_text(STATE_PATH)
    assert slept == [0.75, 1.5]  # the next wait (3s) would have ended past 5s


def test_a_missing_grant_stops_at_once_and_names_it(
    landing: VolumeLanding, files_api: FakeFilesApi, sdk_clock: SdkClock, sleeps: list[float]
) -> None:
    files_api.deny(ROOT)
    with pytest.raises(StreamForgeError) as caught:
        landing.write_text_atomic(STATE_PATH, "{}")
    assert type(caught.value) is StreamForgeError  # printed by the CLI without a traceback
    message = str(caught.value)
    assert message.startswith(f"permission denied creating the folder {ROOT}/_streamforge: ")
    assert GRANTS in message and "WRITE VOLUME on Volume 'main.demo.landing'" in message
    assert "Config:" not in message  # the SDK's config dump is left out
    assert sdk_clock.slept == [] and sleeps == []
    assert len(files_api.requests("PUT", api="directories")) == 1


def test_a_missing_read_grant_is_named_too(landing: VolumeLanding, files_api: FakeFilesApi) -> None:
    files_api.deny(ROOT, method="GET")
    with pytest.raises(StreamForgeError, match="permission denied reading") as caught:
        landing.read_text(STATE_PATH)
    assert GRANTS in str(caught.value)


def test_a_missing_volume_is_said_on_the_first_write(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    landing = make_landing("/Volumes/main/demo/nosuch/energy")
    assert landing.read_text(STATE_PATH) is None and not landing.exists()  # reads find nothing
    with pytest.raises(StreamForgeError) as caught:
        landing.write_text_atomic(STATE_PATH, "{}")
    assert str(caught.value).startswith(
        "the Unity Catalog volume main.demo.nosuch does not exist (nothing at "
        "/Volumes/main/demo/nosuch): create it with CREATE VOLUME main.demo.nosuch"
    )
    missing = r"volume main\.demo\.nosuch does not exist"
    with pytest.raises(StreamForgeError, match=missing), landing.lock("me"):
        pass


def test_rejected_credentials_are_said_plainly(files_api: FakeFilesApi) -> None:
    config = Config(host=files_api.url, token="dapi-wrong", clock=SdkClock())
    landing = VolumeLanding.from_path(DEST, client=WorkspaceClient(config=config))
    with pytest.raises(StreamForgeError, match="rejected the credentials") as caught:
        landing.read_text(STATE_PATH)
    assert files_api.url in str(caught.value) and "DATABRICKS_TOKEN" in str(caught.value)


def test_no_credentials_at_all_is_said_before_any_request() -> None:
    with pytest.raises(StreamForgeError, match="cannot connect to Databricks to write") as caught:
        VolumeLanding.from_path(DEST)
    assert "DATABRICKS_HOST" in str(caught.value)


@pytest.mark.parametrize(
    "dest",
    [
        "/Volumes/main/demo",
        "/Volumes/main//landing/x",
        "/Volumes/main/demo/land ing/x",
        "/Volumes/main/demo/landing/../x",
        "/Volumes/main/demo/landing/a//b",
        "/volumes/main/demo/landing",
        "dbfs:/mnt/landing",
    ],
)
def test_a_malformed_destination_names_the_expected_form(dest: str) -> None:
    with pytest.raises(StreamForgeError) as caught:
        VolumeLanding.from_path(dest, client=object())
    assert str(caught.value) == (
        f"'{dest}' is not a Unity Catalog Volume path: expected "
        "/Volumes/<catalog>/<schema>/<volume>/<path> (or dbfs:/Volumes/...)"
    )


def test_a_volume_path_knows_its_names() -> None:
    where = VolumePath.parse("dbfs:/Volumes/main/demo/landing/energy/raw")
    assert (where.full_name, where.subpath) == ("main.demo.landing", "energy/raw")
    assert where.volume_root == "/Volumes/main/demo/landing"
    assert where.file("t/x.json") == "/Volumes/main/demo/landing/energy/raw/t/x.json"
    assert where.grants() == GRANTS


def test_what_counts_as_transient() -> None:
    from databricks.sdk.errors import DatabricksError, NotFound, PermissionDenied

    assert is_transient(TimeoutError("Timed out after 0:05:00"))
    assert is_transient(DatabricksError("Bad Gateway"))
    chained = RuntimeError("Exceeded max retry attempts (3)")
    chained.__cause__ = DatabricksError("x", error_code="SERVICE_UNAVAILABLE")
    assert is_transient(chained)
    assert not is_transient(PermissionDenied("no"))
    assert not is_transient(NotFound("no"))
    assert not is_transient(ValueError("no"))
