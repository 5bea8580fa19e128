"""The completeness chart as Plotly figure JSON: the reporting rate and the on-time rate by
month, with the table of the same figures and the counts they divide."""

from __future__ import annotations

from collections.abc import Sequence

from core.charts import (
    NHS_BLUE,
    NHS_GREEN,
    Chart,
    ChartTable,
    Column,
    base_layout,
    figure_json,
    trace,
)
from core.web.layout import month_name, number, percent
from programme.completeness.queries import MonthCompleteness


def completeness_chart(months: Sequence[MonthCompleteness], period: str) -> Chart:
    """Each month's reporting rate (returns received of those expected) and on-time rate
    (received by the due date); a month with nothing expected is a gap in the lines. `period`
    names the months in the table's caption."""
    x = [row.month.isoformat() for row in months]
    layout = base_layout("Returns received and on time by month", "Share of the returns expected")
    layout["yaxis"] |= {"tickformat": ".0%", "range": [0, 1.05]}
    traces = [
        trace(
            "scatter",
            x=x,
            y=[row.counts.reporting_rate for row in months],
            name="Reporting rate",
            mode="lines+markers",
            line={"color": NHS_BLUE, "width": 3},
            hovertemplate="%{y:.1%}",
        ),
        trace(
            "scatter",
            x=x,
            y=[row.counts.on_time_rate for row in months],
            name="On-time rate",
            mode="lines+markers",
            line={"color": NHS_GREEN, "width": 3, "dash": "dash"},
            hovertemplate="%{y:.1%}",
        ),
    ]
    table = ChartTable(
        caption=f"Returns expected, received and on time by month: {period}",
        columns=(
            Column("Month"),
            Column("Expected", numeric=True),
            Column("Received", numeric=True),
            Column("On time", numeric=True),
            Column("Approved", numeric=True),
            Column("Reporting rate", numeric=True),
            Column("On-time rate", numeric=True),
        ),
        rows=tuple(
            (
                month_name(row.month),
                number(row.counts.expected),
                number(row.counts.received),
                number(row.counts.on_time),
                number(row.counts.approved),
                percent(row.counts.reporting_rate, 1),
                percent(row.counts.on_time_rate, 1),
            )
            for row in months
        ),
    )
    return figure_json(layout, traces, table)
