"""The spread chart is a valid Plotly figure with the table of its figures."""

from __future__ import annotations

import json

import plotly.graph_objects as go

from programme.spread.charts import spread_chart
from programme.spread.years import SpreadYear


def test_the_spread_chart_and_its_table():
    years = [SpreadYear(2025, 2, 5, 1, 0), SpreadYear(2026, 1, 6, 2, 1)]
    chart = spread_chart(years, 2026)
    figure = go.Figure(json.loads(chart))
    assert [trace.type for trace in figure.data] == ["bar", "scatter", "scatter", "scatter"]
    assert list(figure.data[0].y) == [2, 1] and list(figure.data[1].y) == [5, 6]
    assert list(figure.data[3].y) == [0, 1]
    assert chart.table.rows == (("2025", "2", "5", "1", "0"), ("2026 (so far)", "1", "6", "2", "1"))
