"""Tables derived from the shipped vocabulary, kept as Arrow IPC files in the cache folder.

Reading the US places (three CSV files, each record's state looked up in two of them, Faker's zip
ranges joined on) took ~10-25 ms of every warm `generate` with a place field; reading the result
back from an Arrow file takes ~0.5 ms. A kept table is named by a digest of everything it is
made from: the source files' bytes, the code that builds it (its module's source) and Faker's
version, so an edit to any of them, or another Faker, makes a new file and never reads a stale
one. A file that cannot be read is built again; a folder that cannot be written only costs the
time to build it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import pyarrow as pa

from streamforge.cache_dir import cache_dir, faker_version, write_atomically


def kept_table(name: str, sources: Sequence[Path], build: Callable[[], pa.Table]) -> pa.Table:
    """The table `build()` makes from `sources` (files whose bytes it depends on; include the
    module that holds `build`), from the cache folder when it was made before."""
    digest = hashlib.sha256(faker_version().encode())
    for source in sources:
        digest.update(source.read_bytes())
    path = cache_dir() / "vocab" / f"{name}-{digest.hexdigest()[:32]}.arrow"
    try:
        return pa.ipc.open_file(pa.py_buffer(path.read_bytes())).read_all()
    except (OSError, pa.ArrowException):  # not kept yet, or unreadable: build it
        pass
    table = build()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    write_atomically(path, sink.getvalue().to_pybytes())
    return table
