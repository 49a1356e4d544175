"""Drive the engine for a whole run: dimensions once, then every cycle's change feeds and facts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.change_feed import change_batch
from streamforge.engine.computed import lookup_columns
from streamforge.engine.feed_faults import deliver_changes
from streamforge.engine.key_time import micros_of
from streamforge.engine.load_profile import event_clock
from streamforge.engine.memory import reuse_freed_memory
from streamforge.engine.pipeline_state import anomaly_counts, apply_landed, snapshot_state
from streamforge.engine.redraw import replay_record
from streamforge.engine.rows import BatchRequest, Chunk, iter_chunks
from streamforge.engine.running import posted_columns, running_columns, total_name
from streamforge.engine.running_pass import record_postings, with_running
from streamforge.engine.settings import RunSettings
from streamforge.engine.state import EntityState, FeedState, RunState
from streamforge.engine.unique import check_room
from streamforge.engine.versions import Versions
from streamforge.plan import Plan, TablePlan
from streamforge.plan.columns import table_schema
from streamforge.plan.times import MAX_LATE_CYCLES, MICROS, YEAR_US


@dataclass(slots=True)
class TableOutput:
    """One table's batch for one cycle. Consume `chunks` fully, in order, before the next table."""

    table: TablePlan
    cycle: int
    rows: int
    schema: pa.Schema
    chunks: Iterator[Chunk]
    # What makes any chunk of this batch anywhere (dimensions and facts; None for a change feed,
    # whose batch is made from the entity state in one piece): the scale-out engine sends it to
    # executors instead of consuming `chunks`.
    request: BatchRequest | None = None
    # The run state learns from these rows as `chunks` are consumed (a dimension that a change
    # feed tracks, or that references a changing entity): a writer that makes the rows elsewhere
    # must still drain `chunks` before the next table.
    settles_state: bool = False
    # What `verify` needs to judge the batch's row count, for its manifest line (seed, scale,
    # run start, the rows the table's rule expects: RunSettings.run_record).
    record: dict = field(default_factory=dict)


class Session:
    """Generates a run step by step and keeps its RunState. Pure: writes nothing anywhere.

    Args:
        plan: the sector's resolved plan (tables in dependency order, keys, feeds).
        settings: seed, start (microseconds since the epoch, UTC), interval (seconds), scale,
            workers.
        state: the run state to continue from (a checkpoint); None: a new run.

    Raises:
        ValueError: `settings.start_us` is unset (only a live run may leave it unset, and it
            sets it before making a Session).
    """

    def __init__(self, plan: Plan, settings: RunSettings, state: RunState | None = None):
        settings.start()  # ValueError now, not at the first batch, when the start is unset
        reuse_freed_memory()  # chunk after chunk, the same large arrays
        self.plan, self.settings = plan, settings
        self.state = state or RunState()
        self._named_now: dict[str, list[np.ndarray]] = {}
        self._looked_up = lookup_columns(plan)  # dimension -> columns expressions look up
        self._posted = posted_columns(plan)  # dimension -> columns running totals start from

    def dimensions(self) -> Iterator[TableOutput]:
        """Every dimension once (cycle 0), registering live keys and tracked tables.

        Returns:
            An iterator of one TableOutput per dimension, in dependency order; each holds
            `rows` = num_rows × scale rows as lazily made Arrow record batches (`chunks`). Read
            each output's chunks before the next output when `settles_state` is set.

        Raises:
            UniqueExhausted: a unique column of a dimension has fewer values than its rows.
        """
        state = self.state
        for table in self.plan.dimensions:
            rows = self.settings.rows(table)
            check_room(table, rows - 1, 0)
            req = self._request(table, 0, rows, 1, (0, 0))
            chunks = iter_chunks(req, self.settings.workers)
            entity = self.plan.entities[table.name]
            state.entities[table.name] = EntityState.from_range(entity.key, rows)
            pins = self._pin_targets(table)
            if entity.tracked_by is not None:
                chunks = self._keep_table(table.name, chunks)
            elif pins:
                chunks = self._pin_references(pins, chunks)
            kept = table.name in self._looked_up or table.name in self._posted
            if kept:
                chunks = self._keep_versions(table, chunks)
            stateful = entity.tracked_by is not None or bool(pins) or kept
            record = self.settings.run_record(table, 0, None) | replay_record(table, 1)
            yield TableOutput(table, 0, rows, table_schema(table), chunks, req, stateful, record)
        for entity in self.plan.entities.values():
            if entity.source != entity.name and entity.name not in state.entities:
                feed = self.plan.table(entity.source)
                schema = table_schema(feed)
                columns = [entity.key, *(a.name for a in entity.attributes)]
                empty = schema.empty_table().select(columns)
                state.entities[entity.name] = EntityState(
                    entity.key, np.zeros(0, np.int64), 1, empty
                )
        state.dimensions_written = True

    def first_tables(self) -> Iterator[tuple[TablePlan, pa.Table]]:
        """Every table of the dimensions and cycle 0 in memory, in run order (previews, samples).

        Each table is read whole before the next is made: a tracked dimension registers its rows
        while its chunks are read, and the change feeds of cycle 0 need them.

        Returns:
            An iterator of (table plan, pyarrow.Table of all its rows of that step).

        Raises:
            UniqueExhausted: a unique column has no value left for a batch.
        """
        for outputs in (self.dimensions, lambda: self.cycle(0)):
            for output in outputs():
                batches = [chunk.batch for chunk in output.chunks]
                yield output.table, pa.Table.from_batches(batches, output.schema)

    def cycle(
        self, cycle: int, window: tuple[int, int] | None = None, final: bool = False
    ) -> Iterator[TableOutput]:
        """One batch of every change feed (first: they move live keys), then every fact.

        Args:
            cycle: the batch number, 0-based; its rows are a pure function of (seed, table,
                cycle, chunk).
            window: event-time window [start, end) in microseconds since the epoch (UTC);
                None: the settings' window of `cycle` (start + cycle × interval). A live run
                passes the real clock's.
            final: the last cycle of a finite run, so change rows held back as late land now.

        Returns:
            An iterator of one TableOutput per change feed, then per fact: its rows as Arrow
            record batches. Change feeds come first, for they move the live keys facts use.

        Raises:
            UniqueExhausted: a fact's unique column has no value left for this batch.
        """
        state = self.state
        window = window or self.settings.window(cycle)
        # Keys that this cycle's feed rows name: a later feed of the cycle must not delete them,
        # for its DELETE could fall before the row that names the key (keys in time).
        self._named_now = {}
        for table in self.plan.streams:
            late = self.settings.late_share(table, cycle, window, final)
            rows = late.rows if late is not None else self.settings.rows(table, cycle, window)
            first = state.next_row_key.get(table.name, 1)
            req = replace(self._request(table, cycle, rows, first, window), late=late)
            state.next_row_key[table.name] = first + rows
            if table.feed is not None:
                entity = state.entities[table.feed.entity]
                feed_state = state.feeds.get(table.name, FeedState())
                protected = self._referenced_keys(table.feed.entity)
                result = change_batch(req, entity, feed_state, protected)
                state.entities[table.feed.entity] = result.entity
                state.feeds[table.name] = result.feed
                self._add_versions(table, result.chunk.batch, window)
                self._remember_named(table, result.chunk.batch)
                chunk = self._deliver(table, result.chunk.batch, cycle, final)
                landed = chunk.batch.num_rows
                record = self.settings.run_record(table, cycle, window, final)
                # The batch's row keys are [first_key, first_key + made_rows): verify checks each
                # lands once over the run, late rows in a later file (verify/key_range.py).
                record |= {"first_key": int(first), "made_rows": int(rows)}
                schema = table_schema(table)
                yield TableOutput(table, cycle, landed, schema, iter([chunk]), record=record)
            else:
                check_room(table, first + rows - 2, cycle)  # row numbers first-1 .. first+rows-2
                if running_columns(table):
                    req = with_running(req, self.state, self.settings.workers)
                chunks = iter_chunks(req, self.settings.workers)
                record = self.settings.run_record(table, cycle, window, final)
                record |= replay_record(table, first)
                yield TableOutput(
                    table, cycle, rows, table_schema(table), chunks, req, record=record
                )
        state.next_cycle = cycle + 1

    def _deliver(self, table: TablePlan, batch: pa.RecordBatch, cycle: int, final: bool) -> Chunk:
        """This cycle's file of a change feed: its event-time faults applied, late rows of earlier
        cycles arriving; the expected pipeline state follows what landed."""
        state, roles = self.state, table.feed
        assert roles is not None
        held = state.held.pop(table.name, None)
        delivery = deliver_changes(table, batch, held, self.settings.seed, cycle, final)
        if delivery.held is not None:
            state.held[table.name] = delivery.held
        expected = state.expected.get(roles.entity)
        if expected is not None:
            in_flight = (
                delivery.held.column(roles.entity_key).to_numpy()
                if delivery.held is not None
                else np.zeros(0, np.int64)
            )
            state.expected[roles.entity] = apply_landed(expected, table, delivery.batch, in_flight)
        anomalies, flagged = anomaly_counts(table, delivery.batch)
        return Chunk(delivery.batch, anomalies, flagged, delivery.counts)

    def _request(
        self, table: TablePlan, cycle: int, rows: int, first: int, window: tuple[int, int]
    ) -> BatchRequest:
        end = self.settings.start()
        history = (end - self.settings.history_years * YEAR_US, end)
        live, births = self.state.live_keys(), self.state.births()
        seed, versions = self.settings.seed, dict(self.state.versions)
        clock = event_clock(self.settings.profile(table), *window)
        return BatchRequest(
            table, seed, cycle, rows, first, window, history, live, births, clock, versions
        )

    def _keep_versions(self, table: TablePlan, chunks: Iterator[Chunk]) -> Iterator[Chunk]:
        """Keep the columns that expressions look up, and that running totals start from, of
        this dimension's snapshot."""
        looked, posted = self._looked_up.get(table.name, ()), self._posted.get(table.name, ())
        columns, key = tuple(dict.fromkeys(looked + posted)), table.primary_key
        assert key is not None
        parts = []
        for chunk in chunks:
            parts.append(pa.Table.from_batches([chunk.batch]).select([key, *columns]))
            yield chunk
        rows = pa.concat_tables(parts) if parts else table_schema(table).empty_table()
        keys = rows.column(key).to_numpy().astype(np.int64)
        if looked:
            self.state.versions[table.name] = Versions.snapshot(keys, rows.select(list(looked)))
        for column in posted:
            postings = Versions.snapshot(keys, rows.select([column]))
            self.state.postings[total_name(table.name, column)] = postings

    def _add_versions(
        self, table: TablePlan, batch: pa.RecordBatch, window: tuple[int, int]
    ) -> None:
        """One version per change row of a looked-up dimension, from its change timestamp; then
        forget versions no row can ask for: facts reach back at most MAX_LATE_CYCLES intervals
        (late rows) before this window."""
        roles = table.feed
        assert roles is not None
        reach = (MAX_LATE_CYCLES + 1) * int(self.settings.interval_s * MICROS)
        starts = self._posted.get(roles.entity, ())
        if starts:  # the postings running totals start from (engine/running.py)
            where = (roles.entity_key, roles.timestamp_column, roles.type_column)
            record_postings(self.state, roles.entity, starts, batch, where, window[0] - reach)
        versions = self.state.versions.get(roles.entity)
        if versions is None:
            return
        keys = batch.column(roles.entity_key).to_numpy().astype(np.int64)
        stamps, _ = micros_of(batch.column(roles.timestamp_column))
        ops = batch.column(roles.type_column).to_numpy(zero_copy_only=False)
        images = pa.Table.from_batches([batch])
        carried = [c for c in versions.values.column_names if c in images.column_names]
        versions = versions.changed(keys, stamps, ops == "DELETE", images.select(carried))
        self.state.versions[roles.entity] = versions.pruned(window[0] - reach)

    def _pin_targets(self, table: TablePlan) -> dict[str, str]:
        """Foreign-key column -> entity, for the changing entities this dimension references."""
        return {
            column: fk.entity
            for column, fk in table.foreign_keys.items()
            if self.plan.entities[fk.entity].tracked_by is not None
        }

    def _pin_references(self, targets: dict[str, str], chunks: Iterator[Chunk]) -> Iterator[Chunk]:
        """Remember keys of changing entities that this (unchanging) dimension references."""
        for chunk in chunks:
            for column, entity in targets.items():
                values = pc.drop_null(chunk.batch.column(column)).to_numpy()
                known = self.state.pinned.get(entity, np.zeros(0, np.int64))
                self.state.pinned[entity] = np.union1d(known, values.astype(np.int64))
            yield chunk

    def _remember_named(self, table: TablePlan, batch: pa.RecordBatch) -> None:
        for column, fk in table.foreign_keys.items():
            values = pc.drop_null(batch.column(column)).to_numpy()
            self._named_now.setdefault(fk.entity, []).append(values.astype(np.int64))

    def _referenced_keys(self, entity: str) -> np.ndarray:
        """Live keys of `entity` that some row still points at: pinned ones, foreign keys in
        the current rows of changing entities (a self-reference included), and keys that this
        cycle's earlier feed rows named."""
        keys = [self.state.pinned.get(entity, np.zeros(0, np.int64))]
        keys += self._named_now.get(entity, [])
        for other in self.plan.entities.values():
            current = self.state.entities.get(other.name)
            if current is None or current.table is None:
                continue
            source = self.plan.table(other.source)
            for column, fk in source.foreign_keys.items():
                if fk.entity == entity and column in current.table.column_names:
                    values = pc.drop_null(current.table.column(column)).to_numpy()
                    keys.append(values.astype(np.int64))
        return np.unique(np.concatenate(keys))

    def _keep_table(self, name: str, chunks: Iterator[Chunk]) -> Iterator[Chunk]:
        """Pass chunks through while keeping the rows: a change feed will update them."""
        batches = []
        for chunk in chunks:
            batches.append(chunk.batch)
            yield chunk
        entity = self.plan.entities[name]
        columns = [entity.key, *(a.name for a in entity.attributes)]
        rows = pa.Table.from_batches(batches, table_schema(self.plan.table(name)))
        self.state.entities[name].table = rows.select(columns).combine_chunks()
        self.state.expected[name] = snapshot_state(self.plan.table(name), rows, columns)
