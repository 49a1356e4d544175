"""Speed of a fact with computed columns (issue #13.9): three `expr` columns, one of them a
lookup into a dimension, beside the same fact whose columns are drawn instead.

Run by hand (not collected by pytest):

    python bench/bench_expr.py                 # 1,000,000 rows per run, parquet, 3 runs each
    python bench/bench_expr.py --rows 200000
    python bench/bench_expr.py --customer-runs 5   # also the coherent customer dimension

Both variants write the same column names and types through `streamforge.api.generate` (one
cycle, parquet); the 2,000-row dimension is part of both runs. Runs alternate (plain, expr,
plain, ...) so a noisy machine slows both alike; the medians and their ratio are printed.
The target: the computed variant keeps at least 0.7x the plain variant's rows/s. CPU seconds
(user + system, every thread of this process) are printed beside: on a shared machine they move
less than wall time. With --customer-runs, the shipped Energy `customer` dimension (people and
places that agree, #13.5) is generated at 100,000 rows to Parquet too (target: >= 1M rows/s).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from streamforge import api

PRODUCT = """\
table: product
type: dimension
num_rows: 2000
columns:
  product_id: int
  unit_price_usd: {type: "decimal(10,2)", min: 0.5, max: 400}
"""
COMMON = """\
table: sales
type: fact
num_rows: {rows}
columns:
  sale_id: int
  product_id: int
  sold_at: datetime
  quantity: {{type: int, min: 1, max: 12}}
  tax_rate: {{type: double, min: 0.0, max: 0.1}}
"""
PLAIN = """\
  unit_price_usd: {type: "decimal(10,2)", min: 0.5, max: 400}
  line_amount_usd: {type: "decimal(12,2)", min: 0.5, max: 4800}
  total_usd: {type: "decimal(12,2)", min: 0.5, max: 5300}
"""
COMPUTED = """\
  unit_price_usd: {type: "decimal(10,2)", expr: "product.unit_price_usd"}
  line_amount_usd: {type: "decimal(12,2)", expr: "round(quantity * unit_price_usd, 2)"}
  total_usd: {type: "decimal(12,2)", expr: "round(line_amount_usd * (1 + tax_rate), 2)"}
"""


def sector(root: Path, name: str, rows: int, columns: str) -> Path:
    folder = root / name / "Shop"
    folder.mkdir(parents=True)
    (folder / "product.yml").write_text(PRODUCT)
    (folder / "sales.yml").write_text(COMMON.format(rows=rows) + columns)
    return root / name


def run_once(schema_dir: Path, out: Path, sector_name: str = "Shop") -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one generate."""
    began, cpu = time.perf_counter(), time.process_time()
    api.generate(
        sector_name,
        out,
        schema_dir=schema_dir,
        fmt="parquet",
        cycles=1,
        start=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return time.perf_counter() - began, time.process_time() - cpu


def customer_sector(root: Path, rows: int) -> Path:
    """The shipped Energy customer dimension alone, at `rows` rows."""
    shipped = Path(__file__).resolve().parents[1] / "schema" / "Energy" / "customer.yml"
    text = re.sub(r"(?m)^num_rows:.*$", f"num_rows: {rows}", shipped.read_text())
    folder = root / "customer" / "Energy"
    folder.mkdir(parents=True)
    (folder / "customer.yml").write_text(text)
    return root / "customer"


def load() -> str:
    return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--customer-runs", type=int, default=0)
    args = parser.parse_args()
    print(f"start: {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        dirs = {
            "plain": sector(root, "plain", args.rows, PLAIN),
            "expr": sector(root, "expr", args.rows, COMPUTED),
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in dirs}
        for run in range(args.runs + 1):  # run 0 warms up pools and imports
            for name, schema_dir in dirs.items():
                measured = run_once(schema_dir, root / f"out-{name}-{run}")
                if run:
                    times[name].append(measured)
        rows = args.rows + 2000
        speed = {n: rows / statistics.median(w for w, _ in t) for n, t in times.items()}
        cpu = {n: rows / statistics.median(c for _, c in t) for n, t in times.items()}
        for name in dirs:
            print(
                f"{name:>6}: {speed[name]:>12,.0f} rows/s, {cpu[name]:>12,.0f} rows per "
                f"CPU-second  (medians of {args.runs})"
            )
        print(
            f" ratio: {speed['expr'] / speed['plain']:.2f}x wall, "
            f"{cpu['expr'] / cpu['plain']:.2f}x CPU (target >= 0.70x)"
        )
        if args.customer_runs:
            customers = customer_sector(root, 100_000)
            runs = [
                run_once(customers, root / f"out-customer-{i}", "Energy")
                for i in range(args.customer_runs + 1)
            ][1:]
            wall = 100_000 / statistics.median(w for w, _ in runs)
            per_cpu = 100_000 / statistics.median(c for _, c in runs)
            print(
                f"customer dimension 100k to parquet: {wall:,.0f} rows/s, {per_cpu:,.0f} rows "
                f"per CPU-second (median of {args.customer_runs}; target >= 1,000,000 rows/s)"
            )
    print(f"end: {load()}")


if __name__ == "__main__":
    main()
