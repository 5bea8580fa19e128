"""The trainers' activity charts give the figures they draw as tables: a trainer a row, with the
same visits as the trainer's bars."""

from __future__ import annotations

import json
from datetime import date

from training.models import VISIT_PURPOSES
from training.visits.activity import TrainerActivity
from training.visits.charts import visits_by_month_chart, visits_by_purpose_chart

MONTHS = [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]
ACTIVITY = TrainerActivity(
    months=MONTHS,
    by_month={
        (1, "Trainer <b>North</b>"): {MONTHS[0]: 2, MONTHS[2]: 1},
        (None, "No trainer recorded"): {MONTHS[1]: 1},
    },
    by_purpose={
        (1, "Trainer <b>North</b>"): {"training": 2, "other": 1},
        (None, "No trainer recorded"): {"supervision": 1},
    },
)


def test_the_visits_per_month_table_holds_each_trainers_bars_and_total():
    chart = visits_by_month_chart(ACTIVITY)
    traces = json.loads(chart)["data"]
    table = chart.table
    assert table.caption == "Visits per trainer per month, November 2025 to January 2026"
    assert [c.header for c in table.columns] == [
        "Trainer",
        "Nov 2025",
        "Dec 2025",
        "Jan 2026",
        "Total",
    ]
    assert traces[0]["x"] == [c.header for c in table.columns[1:-1]]
    # The names as typed: the page escapes them (Plotly's legend gets them escaped).
    assert [row[0] for row in table.rows] == ["Trainer <b>North</b>", "No trainer recorded"]
    for row, trace in zip(table.rows, traces, strict=True):
        assert [int(cell) for cell in row[1:-1]] == trace["y"]
        assert int(row[-1]) == sum(trace["y"])


def test_the_visits_by_purpose_table_holds_each_trainers_bars():
    chart = visits_by_purpose_chart(ACTIVITY)
    traces = json.loads(chart)["data"]
    table = chart.table
    assert [c.header for c in table.columns] == ["Trainer", *VISIT_PURPOSES.values()]
    assert all(c.numeric for c in table.columns[1:])
    for row, trace in zip(table.rows, traces, strict=True):
        assert [int(cell) for cell in row[1:]] == trace["y"]
    assert table.rows[0] == ("Trainer <b>North</b>", "2", "0", "0", "0", "0", "1")
