"""A sector is loaded and planned once per content of its table files (sectors.check_sector):
`generate` asks twice, and the web app on every page. A rewritten file is read again, however
soon after and whatever its size, and a file that cannot be read is never kept."""

from __future__ import annotations

import os
from pathlib import Path

from streamforge import sectors

TABLE = """table: meter
type: dimension
num_rows: {rows}
columns:
  meter_id: int
  reading: {{type: int, min: 1, max: 9}}
"""


def sector(tmp_path: Path, rows: int) -> Path:
    folder = tmp_path / "lab"
    folder.mkdir(exist_ok=True)
    (folder / "meter.yml").write_text(TABLE.format(rows=rows))
    return folder


def test_the_same_files_are_planned_once(tmp_path: Path) -> None:
    sector(tmp_path, 10)
    first = sectors.check_sector(tmp_path, "lab")
    assert sectors.check_sector(tmp_path, "lab") is first


def test_a_rewritten_file_of_the_same_size_and_time_is_read_again(tmp_path: Path) -> None:
    folder = sector(tmp_path, 10)
    stamp = (folder / "meter.yml").stat()
    assert sectors.check_sector(tmp_path, "lab").plan.table("meter").spec.num_rows == 10
    sector(tmp_path, 20)  # same length
    os.utime(folder / "meter.yml", ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert (folder / "meter.yml").stat().st_size == stamp.st_size
    assert sectors.check_sector(tmp_path, "lab").plan.table("meter").spec.num_rows == 20


def test_an_unreadable_file_is_reported_every_time(tmp_path: Path) -> None:
    folder = sector(tmp_path, 10)
    (folder / "broken.yml").symlink_to(tmp_path / "nowhere")
    first = sectors.check_sector(tmp_path, "lab")
    assert any("broken link" in i.message for i in first.errors)
    second = sectors.check_sector(tmp_path, "lab")
    assert second is not first and second.errors == first.errors
