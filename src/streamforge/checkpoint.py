"""Persist a run's state in `<landing>/_streamforge/` so a restart continues exactly where it was.

state.json is the commit point: entity tables (the rows change feeds keep changing), change rows
held back as late, and the expected pipeline state of each tracked dimension are written
first under new names, then state.json is replaced atomically to point at them. A crash at any
moment leaves either the old or the new checkpoint, never a mix.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from streamforge.engine.running import Totals
from streamforge.engine.state import EntityState, FeedState, RunState
from streamforge.engine.versions import Versions
from streamforge.errors import StreamForgeError
from streamforge.plan import Plan
from streamforge.sinks.landing import CONTROL_DIR, STATE_PATH, Landing

FORMAT_VERSION = 1
HELD = "held:"  # entity_files names: late change rows of a feed, not yet landed
EXPECTED = "expected:"  # ... and the state a pipeline with drop rules must end with
VERSIONS = "versions:"  # ... and the looked-up dimension columns over time (lookups)
POSTINGS = "postings:"  # ... and the postings running totals start from (engine/running.py)
TOTALS = "totals:"  # ... and each running total's sums since its postings
BORN_COLUMN = "__streamforge_born_us"  # birth of each key (keys in time), beside the entity's rows
# Checkpointed tables are Arrow IPC files: a cycle of the Energy sector rewrites ~8,000 rows of
# its customer entity, as kept and as a pipeline should end up. As zstd Parquet that took 13 ms
# of CPU a cycle, a quarter of the whole cycle; as Arrow IPC 0.2 ms uncompressed (1.6 MB, into
# the local page cache) or ~7 ms with zstd (0.7 MB), which is what a remote landing (a Volume,
# every byte uploaded) gets. Checkpoints written as Parquet before still load.
IPC_SUFFIX, PARQUET_SUFFIX = ".arrow", ".parquet"


@dataclass(slots=True)
class RunMeta:
    """What a run was started with, and where its cycle loop stands."""

    sector: str
    seed: int
    format: str
    start_us: int
    interval_s: float
    scale: float
    fingerprint: dict[str, str]
    pending_cycle: int | None = None  # begun but not checkpointed: redo it with the same tick
    pending_tick_us: int | None = None
    pending_scenario: dict | None = None  # the pending cycle's scenario controls, for a redo
    last_tick_us: int | None = None
    checkpoint: int = 0
    entity_files: dict[str, str] = field(default_factory=dict)


def fingerprint(plan: Plan) -> dict[str, str]:
    """What must not change under a running landing area: each table's kind, key and columns."""
    prints = {}
    for table in plan.tables:
        columns = ",".join(f"{c.name}:{c.type}" for c in table.columns)
        prints[table.name] = f"{table.kind}|key={table.primary_key}|{columns}"
    return prints


def save(landing: Landing, state: RunState, meta: RunMeta, entities_changed: bool) -> None:
    meta.checkpoint += 1
    old_files = dict(meta.entity_files)
    if entities_changed:
        tables = {n: _with_births(e) for n, e in state.entities.items() if e.table is not None}
        # Held change rows and expected pipeline states are kept the same way, under a prefix.
        tables.update({f"{HELD}{name}": rows for name, rows in state.held.items()})
        tables.update({f"{EXPECTED}{name}": rows for name, rows in state.expected.items()})
        tables.update({f"{VERSIONS}{n}": v.to_table() for n, v in state.versions.items()})
        tables.update({f"{POSTINGS}{n}": v.to_table() for n, v in state.postings.items()})
        tables.update({f"{TOTALS}{n}": t.to_table() for n, t in state.totals.items()})
        compression = None if getattr(landing, "local", False) else "zstd"
        for name, rows in tables.items():
            folder, stem = _folder(name)
            relpath = f"{CONTROL_DIR}/{folder}/{stem}-{meta.checkpoint:06d}{IPC_SUFFIX}"
            landing.write_bytes_atomic(relpath, _ipc_bytes(rows, compression))
            meta.entity_files[name] = relpath
        for name in [n for n in meta.entity_files if n.startswith(HELD) and n not in tables]:
            del meta.entity_files[name]  # nothing held any more: the old file goes below
    document = {
        "version": FORMAT_VERSION,
        "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "meta": asdict(meta),
        "next_cycle": state.next_cycle,
        "dimensions_written": state.dimensions_written,
        "next_row_key": state.next_row_key,
        "feeds": {name: asdict(feed) for name, feed in state.feeds.items()},
        "pinned": {name: keys.tolist() for name, keys in state.pinned.items()},
        "held": sorted(state.held),
        "expected": sorted(state.expected),
        "versions": sorted(state.versions),
        "postings": sorted(state.postings),
        "totals": sorted(state.totals),
        "entities": {
            name: {
                "key": e.key,
                "next_key": e.next_key,
                "rows": len(e.keys) if e.table is None else None,
            }
            for name, e in state.entities.items()
        },
    }
    # Compact: with `indent`, json falls back to its pure-Python encoder, ~2% of a live cycle.
    landing.write_text_atomic(STATE_PATH, json.dumps(document, separators=(",", ":")))
    for name, relpath in old_files.items():
        if meta.entity_files.get(name) != relpath:
            landing.delete(relpath)


def load(landing: Landing) -> tuple[RunState, RunMeta] | None:
    text = landing.read_text(STATE_PATH)
    if text is None:
        return None
    try:
        document = json.loads(text)
        if document.get("version") != FORMAT_VERSION:
            raise ValueError(f"state format {document.get('version')}")
        meta = RunMeta(**document["meta"])
        state = RunState(
            next_cycle=document["next_cycle"],
            dimensions_written=document["dimensions_written"],
            next_row_key=dict(document["next_row_key"]),
            feeds={n: FeedState(**f) for n, f in document["feeds"].items()},
            pinned={
                n: np.asarray(k, dtype=np.int64) for n, k in document.get("pinned", {}).items()
            },
        )
        for name, info in document["entities"].items():
            state.entities[name] = _load_entity(landing, meta, name, info)
        for name in document.get("held", []):
            state.held[name] = _load_table(landing, meta, f"{HELD}{name}")
        for name in document.get("expected", []):
            state.expected[name] = _load_table(landing, meta, f"{EXPECTED}{name}")
        for name in document.get("versions", []):
            table = _load_table(landing, meta, f"{VERSIONS}{name}")
            state.versions[name] = Versions.from_table(table)
        for name in document.get("postings", []):
            table = _load_table(landing, meta, f"{POSTINGS}{name}")
            state.postings[name] = Versions.from_table(table)
        for name in document.get("totals", []):
            state.totals[name] = Totals.from_table(_load_table(landing, meta, f"{TOTALS}{name}"))
    except (ValueError, KeyError, TypeError) as exc:
        raise StreamForgeError(
            f"the checkpoint {STATE_PATH} cannot be read ({exc}); "
            "pass --fresh to start the landing area over"
        ) from None
    return state, meta


def _load_entity(landing: Landing, meta: RunMeta, name: str, info: dict) -> EntityState:
    if info["rows"] is not None:
        rows = int(info["rows"])
        return EntityState(info["key"], np.arange(1, rows + 1, dtype=np.int64), info["next_key"])
    table = _load_table(landing, meta, name)
    born = None
    if BORN_COLUMN in table.column_names:
        born = table.column(BORN_COLUMN).to_numpy().astype(np.int64)
        table = table.drop_columns([BORN_COLUMN])
    keys = table.column(info["key"]).to_numpy().astype(np.int64)
    return EntityState(info["key"], keys, info["next_key"], table, born)


def _with_births(entity: EntityState) -> pa.Table:
    """The entity's rows, plus each key's birth when keys were born during the run."""
    assert entity.table is not None
    if entity.born is None:
        return entity.table
    return entity.table.append_column(BORN_COLUMN, pa.array(entity.born, pa.int64()))


def _ipc_bytes(rows: pa.Table, compression: str | None) -> bytes:
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=compression)
    with pa.ipc.new_file(sink, rows.schema, options=options) as writer:
        writer.write_table(rows)
    return sink.getvalue().to_pybytes()


def _load_table(landing: Landing, meta: RunMeta, name: str) -> pa.Table:
    relpath = meta.entity_files[name]
    data = landing.read_bytes(relpath)
    if data is None:
        raise ValueError(f"checkpoint table {relpath} is missing")
    if relpath.endswith(PARQUET_SUFFIX):  # written before checkpoints were Arrow IPC
        import pyarrow.parquet as pq

        # ParquetFile, not pq.read_table: that goes through pyarrow.dataset, which loads pandas.
        return pq.ParquetFile(pa.BufferReader(data)).read()
    return pa.ipc.open_file(pa.BufferReader(data)).read_all()


def _folder(name: str) -> tuple[str, str]:
    """(folder under _streamforge/, file stem) of a checkpointed table."""
    prefixes = (
        (HELD, "held"),
        (EXPECTED, "expected"),
        (VERSIONS, "versions"),
        (POSTINGS, "postings"),
        (TOTALS, "totals"),
    )
    for prefix, folder in prefixes:
        if name.startswith(prefix):
            return folder, name[len(prefix) :]
    return "entities", name
