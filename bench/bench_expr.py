"""Speed of a fact with computed columns (issue #13.9): three `expr` columns, one of them a
lookup into a dimension, beside the same fact whose columns are drawn instead.

Run by hand (not collected by pytest):

    python bench/bench_expr.py                 # 1,000,000 rows per run, parquet, 3 runs each
    python bench/bench_expr.py --rows 200000

Both variants write the same column names and types through `streamforge.api.generate` (one
cycle, parquet); the 2,000-row dimension is part of both runs. Runs alternate (plain, expr,
plain, ...) so a noisy machine slows both alike; the medians and their ratio are printed.
The target: the computed variant keeps at least 0.7x the plain variant's rows/s.
"""

from __future__ import annotations

import argparse
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


def run_once(schema_dir: Path, out: Path) -> float:
    began = time.perf_counter()
    api.generate(
        "Shop",
        out,
        schema_dir=schema_dir,
        fmt="parquet",
        cycles=1,
        start=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        dirs = {
            "plain": sector(root, "plain", args.rows, PLAIN),
            "expr": sector(root, "expr", args.rows, COMPUTED),
        }
        times: dict[str, list[float]] = {name: [] for name in dirs}
        for run in range(args.runs + 1):  # run 0 warms up pools and imports
            for name, schema_dir in dirs.items():
                seconds = run_once(schema_dir, root / f"out-{name}-{run}")
                if run:
                    times[name].append(seconds)
        rows = args.rows + 2000
        speed = {name: rows / statistics.median(t) for name, t in times.items()}
        for name, rate in speed.items():
            print(f"{name:>6}: {rate:>12,.0f} rows/s  (median of {args.runs})")
        print(f" ratio: {speed['expr'] / speed['plain']:.2f}x (target >= 0.70x)")


if __name__ == "__main__":
    main()
