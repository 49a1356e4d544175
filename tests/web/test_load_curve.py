"""The table page draws a `profile:`'s expected rows per UTC hour (the rule: num_rows × cycles
per hour × the hour's weight over the mean weight, averaged over the week)."""

from __future__ import annotations

import re

import numpy as np
from fastapi.testclient import TestClient

from streamforge import api


def _heights(html: str) -> list[float]:
    curve = html[html.index('id="load-curve"') :]
    curve = curve[: curve.index("</section>")]
    return [float(h) for h in re.findall(r'class="col" style="height: ([0-9.]+)%"', curve)]


def test_the_table_page_charts_expected_rows_per_hour(client: TestClient) -> None:
    page = client.get("/sectors/Energy/tables/meter_readings")
    assert page.status_code == 200
    heights = _heights(page.text)
    profile = api.load_plan("Energy").table("meter_readings").spec.profile
    assert profile is not None
    hourly = np.array(profile.hourly)
    assert len(heights) == 24
    assert np.allclose(heights, 100 * hourly / hourly.max())  # the busiest hour is the top
    # 2,000 rows a cycle at 30 s: 240,000 rows in an average hour; 19:00 is 1.70 / mean.
    rows_19 = 2000 * 120 * hourly[19] / hourly.mean()
    assert f"19:00-20:00 UTC: {rows_19:,.0f} rows" in page.text
    assert "2,000</b> rows per batch on average" in page.text  # num_rows is the average


def test_a_table_without_a_profile_has_no_load_chart(client: TestClient) -> None:
    for table in ("customer", "outage_events"):
        page = client.get(f"/sectors/Energy/tables/{table}")
        assert page.status_code == 200 and 'id="load-curve"' not in page.text


def test_the_curve_counts_bursts_at_their_average() -> None:
    from streamforge.engine.load_profile import load_curve
    from streamforge.spec.model import LoadProfile

    curve = load_curve(LoadProfile(burst_probability=0.25, burst_multiplier=5), 100, 60)
    assert curve.hourly_rows == tuple([100 * 60 * 2.0] * 24)  # (1 + 0.25 × 4) = 2 × average
    assert (curve.average_rows, curve.peak_rows) == (200.0, 500.0)
