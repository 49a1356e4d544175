"""Column profiles: histogram bins with both edges, categories, and text summaries."""

from __future__ import annotations

import pyarrow as pa

from streamforge.profile import profile_table


def test_histogram_bins_carry_both_edges_and_cover_the_range() -> None:
    (profile,) = profile_table(pa.table({"x": pa.array(range(0, 1001), pa.int64())}), bins=10)
    assert profile.chart == "histogram"
    assert profile.bars[0].label == "0" and profile.bars[-1].upper == "1,000"
    for left, right in zip(profile.bars, profile.bars[1:], strict=False):
        assert left.upper == right.label  # adjacent bins share an edge
    assert sum(b.count for b in profile.bars) == 1001


def test_strings_that_rarely_repeat_get_lengths_and_shapes() -> None:
    codes = [f"MTR-{i:04d}-{i * 7 % 10000:04d}" for i in range(500)]
    names = ["Ann Lee", "Bo Li", "Carla Gomez"] * 100 + [f"Name{i}" for i in range(200)]
    by_column = {p.column: p for p in profile_table(pa.table({"code": codes, "name": names[:500]}))}
    code = by_column["code"]
    assert code.chart == "text" and code.distinct == 500
    assert (code.text.min_length, code.text.max_length) == (13, 13)
    assert [(b.label, b.count) for b in code.text.shapes] == [("A+-9999-9999", 500)]
    # 203 distinct of 500 rows: repeated enough to stay a category chart.
    assert by_column["name"].chart == "categories"


def test_few_distinct_strings_stay_categories() -> None:
    (profile,) = profile_table(pa.table({"s": ["a", "b", "a", None]}))
    assert profile.chart == "categories" and profile.nulls == 1 and profile.distinct == 2
