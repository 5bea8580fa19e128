"""The fidelity charts give the figures they draw as tables: the same scores and totals as the
traces, and the heatmap's table only its weakest sites."""

from __future__ import annotations

import json
from datetime import date

from training.fidelity import scale
from training.fidelity.charts import heatmap_chart, item_scores_chart, trajectory_chart
from training.fidelity.queries import FidelityHeatmap, HeatmapSite, ItemProfile, TrajectoryPoint

ITEMS = [item.number for item in scale.ITEMS]


def figure(cell: str) -> int | None:
    """A cell's score or total; 'Not scored' is None."""
    return int(cell.replace(",", "")) if cell[:1].isdigit() else None


def test_the_item_scores_table_holds_both_reviews_scores():
    scores = {n: 3 for n in ITEMS} | {15: 5, 20: None}
    previous = {n: 4 for n in ITEMS}
    chart = item_scores_chart(
        scores, previous, title="Item scores, 01 May 2025", previous_label="The review before"
    )
    traces = json.loads(chart)["data"]
    table = chart.table
    assert table.caption == "Item scores, 01 May 2025"
    assert [c.header for c in table.columns] == ["Item", "This review", "The review before"]
    assert len(table.rows) == 25
    assert table.rows[0][0] == "1. " + scale.item(1).name
    assert table.rows[19][1] == "Not scored"
    for index, trace in enumerate(traces, start=1):
        assert [figure(row[index]) for row in table.rows] == trace["y"]
    alone = item_scores_chart({1: 5})
    assert [c.header for c in alone.table.columns] == ["Item", "This review"]


def test_the_trajectory_table_holds_each_final_reviews_total_and_band():
    points = [
        TrajectoryPoint(1, date(2020, 1, 10), "external_review", 72, "not_ips", None),
        TrajectoryPoint(2, date(2023, 3, 1), "peer_review", 101, "good", 29),
    ]
    chart = trajectory_chart(points)
    trace = json.loads(chart)["data"][0]
    table = chart.table
    assert [c.header for c in table.columns] == ["Reviewed", "Total", "Band"]
    assert table.rows == (("10 January 2020", "72", "Not IPS"), ("1 March 2023", "101", "Good"))
    assert [figure(row[1]) for row in table.rows] == trace["y"]
    assert [row[2] for row in table.rows] == trace["customdata"]


def heatmap(sites: int) -> FidelityHeatmap:
    items = [ItemProfile(n, "staffing", scale.item(n).name, 3.0, 0) for n in (12, 7, 1)]
    found = [HeatmapSite(s, f"Site {s}", date(2024, 1, 1), 70 + s) for s in range(1, sites + 1)]
    found.append(HeatmapSite(sites + 1, "Site 1", date(2024, 1, 1), 125))  # a second "Site 1"
    scores = {s.site_id: {12: 1 + s.site_id % 5, 7: 2, 1: 5} for s in found}
    return FidelityHeatmap(sites=found, items=items, scores=scores)


def test_the_heatmap_table_holds_the_cells_of_its_rows_in_its_order():
    data = heatmap(3)
    chart = heatmap_chart(data)
    trace = json.loads(chart)["data"][0]
    table = chart.table
    assert table.caption == "Sites, the lowest total first: item scores in the heatmap's order"
    assert [c.header for c in table.columns] == ["Site", "Total", "12", "7", "1"]
    assert table.columns[2].title == scale.item(12).name and table.columns[2].numeric
    assert [row[0] for row in table.rows] == [
        "Site 1 (site 1)",  # two sites share the name: each is named with its id
        "Site 2",
        "Site 3",
        "Site 1 (site 4)",
    ]
    assert [figure(row[1]) for row in table.rows] == [s.total for s in data.sites]
    assert [[figure(cell) for cell in row[2:]] for row in table.rows] == trace["z"]


def test_the_heatmap_table_lists_only_the_weakest_sites():
    data = heatmap(60)
    chart = heatmap_chart(data)
    trace = json.loads(chart)["data"][0]
    table = chart.table
    assert len(trace["z"]) == 61 and len(table.rows) == 50
    assert table.caption.startswith("The 50 sites with the lowest totals, of 61:")
    assert [[figure(cell) for cell in row[2:]] for row in table.rows] == trace["z"][:50]
    assert len(heatmap_chart(data, table_rows=5).table.rows) == 5
