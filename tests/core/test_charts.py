"""The chart primitives: a chart's figure JSON and the table of the figures it draws, which
travels inside the figure so that a figure built again from the JSON keeps it."""

from __future__ import annotations

import json

import pytest

from core.charts import Chart, ChartTable, Column, figure_json, trace

TABLE = ChartTable(
    caption="Job starts </script> by month",
    columns=(Column("Month"), Column("Job starts", True), Column("12", True, "Benefits advice")),
    rows=(("April 2015", "1,204", "3"), ("May 2015", "7", "Not scored")),
)


def test_a_chart_is_its_figure_json_with_its_table():
    chart = figure_json({"title": {"text": "T"}}, [trace("bar", x=["a"], y=[1])], TABLE)
    assert isinstance(chart, Chart) and isinstance(chart, str)
    assert chart.table == TABLE
    figure = json.loads(chart)
    assert figure["data"] == [{"type": "bar", "x": ["a"], "y": [1]}]
    assert figure["layout"]["meta"]["table"]["rows"] == [list(row) for row in TABLE.rows]
    assert "</" not in chart  # the table's text cannot close the page's <script> block


def test_a_figure_built_again_from_a_charts_json_keeps_its_table():
    """As the printed report's print_sized does: loads the JSON, changes the layout, dumps it."""
    chart = figure_json({"meta": {"other": 1}}, [trace("scatter", y=[1, 2])], TABLE)
    figure = json.loads(chart)
    again = figure_json(figure["layout"] | {"width": 680}, figure["data"])
    assert again.table == TABLE
    assert json.loads(again)["layout"]["meta"]["other"] == 1


def test_a_chart_without_a_table():
    chart = figure_json({}, [])
    assert chart.table is None and "meta" not in json.loads(chart)["layout"]


def test_the_table_round_trips_through_json():
    assert ChartTable.from_json(json.loads(json.dumps(TABLE.as_json()))) == TABLE


def test_every_row_has_a_cell_per_column():
    with pytest.raises(ValueError, match="a row of 1 cells in a table of 2"):
        ChartTable("Caption", (Column("Month"), Column("Job starts", True)), (("April 2015",),))
