"""An entity's rows as its change feeds leave them, replayed by sequence with Arrow (SCD type 1).

A change applies when it is newer than what the state holds for its key, so a late row never
overwrites a newer image, an UPDATE older than a DELETE never brings the key back, and an exact
duplicate changes nothing.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EARLIEST = np.iinfo(np.int64).min


class EntityState:
    def __init__(self, key: str, columns: list[str]) -> None:
        self.key, self.columns = key, columns
        self.table: pa.Table | None = None  # sorted by key
        self.orders = np.zeros(0, np.int64)
        self._gone_keys = np.zeros(0, np.int64)
        self._gone_orders = np.zeros(0, np.int64)

    def keys(self) -> np.ndarray:
        if self.table is None:
            return np.zeros(0, np.int64)
        return pc.cast(self.table.column(self.key), pa.int64()).to_numpy()

    def snapshot(self, data: pa.Table) -> None:
        """Add a dimension file's rows (born before every change)."""
        images = data.select([c for c in self.columns if c in data.column_names])
        self._merge(images, np.full(len(images), EARLIEST), np.zeros(0, np.int64))

    def apply(self, data: pa.Table, ops: np.ndarray, order: np.ndarray, ok: np.ndarray) -> None:
        """Apply the rows marked `ok` of one change feed file."""
        rows = np.flatnonzero(ok)
        if not len(rows):
            return
        keys = pc.cast(data.column(self.key), pa.int64()).to_numpy()[rows]
        by = np.lexsort((order[rows], keys))  # per key, its newest change last
        rows, keys = rows[by], keys[by]
        newest = np.ones(len(rows), dtype=bool)
        newest[:-1] = keys[1:] != keys[:-1]
        rows, keys = rows[newest], keys[newest]
        row_order = order[rows]
        current = self._order_of(keys)
        gone = self._gone_order_of(keys)
        fresh = (row_order > current) & (row_order > gone)
        rows, keys, row_order = rows[fresh], keys[fresh], row_order[fresh]
        deleting = ops[rows] == "DELETE"
        if deleting.any():
            self._gone_keys = np.concatenate([self._gone_keys, keys[deleting]])
            self._gone_orders = np.concatenate([self._gone_orders, row_order[deleting]])
            by = np.argsort(self._gone_keys, kind="stable")
            self._gone_keys, self._gone_orders = self._gone_keys[by], self._gone_orders[by]
        images = self._images(data.take(pa.array(rows[~deleting])), keys[~deleting])
        self._merge(images, row_order[~deleting], keys)

    def _images(self, rows: pa.Table, keys: np.ndarray) -> pa.Table:
        """The rows' after-images; a column the feed does not carry keeps the key's old value."""
        if self.table is None:
            return rows.select([c for c in self.columns if c in rows.column_names])
        mine = self.keys()
        at = np.searchsorted(mine, keys)
        clipped = np.minimum(at, max(len(mine) - 1, 0))
        hit = (at < len(mine)) & (mine[clipped] == keys) if len(mine) else np.zeros(len(keys), bool)
        index = pa.array(np.where(hit, clipped, 0), mask=~hit)
        columns = {}
        for field in self.table.schema:
            if field.name in rows.column_names:
                columns[field.name] = rows.column(field.name).cast(field.type)
            else:
                columns[field.name] = self.table.column(field.name).take(index)
        return pa.table(columns, schema=self.table.schema)

    def _order_of(self, keys: np.ndarray) -> np.ndarray:
        mine = self.keys()
        at = np.searchsorted(mine, keys)
        clipped = np.minimum(at, max(len(mine) - 1, 0))
        hit = (at < len(mine)) & (mine[clipped] == keys) if len(mine) else np.zeros(len(keys), bool)
        return np.where(hit, self.orders[clipped] if len(mine) else EARLIEST, EARLIEST)

    def _gone_order_of(self, keys: np.ndarray) -> np.ndarray:
        at = np.searchsorted(self._gone_keys, keys)
        clipped = np.minimum(at, max(len(self._gone_keys) - 1, 0))
        if not len(self._gone_keys):
            return np.full(len(keys), EARLIEST)
        hit = (at < len(self._gone_keys)) & (self._gone_keys[clipped] == keys)
        return np.where(hit, self._gone_orders[clipped], EARLIEST)

    def _merge(self, images: pa.Table, orders: np.ndarray, touched: np.ndarray) -> None:
        """Drop the rows of `touched` keys, add `images`, keep the table sorted by key."""
        parts, part_orders = [], []
        if self.table is not None:
            keep = ~np.isin(self.keys(), touched)
            parts.append(self.table.filter(pa.array(keep)))
            part_orders.append(self.orders[keep])
        if self.table is not None:
            images = images.cast(self.table.schema)
        parts.append(images)
        part_orders.append(orders)
        table = pa.concat_tables(parts)
        keys = pc.cast(table.column(self.key), pa.int64()).to_numpy()
        by = np.argsort(keys, kind="stable")
        self.table = table.take(pa.array(by)).combine_chunks()
        self.orders = np.concatenate(part_orders)[by]
