"""The spread chart as Plotly figure JSON: sites launched each year (bars) and, at each year's
end, the active sites, those at Good or better and the Centres of Excellence (lines), with the
table of the same figures."""

from __future__ import annotations

from collections.abc import Sequence

from core.charts import (
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_GREEN,
    NHS_PURPLE,
    Chart,
    ChartTable,
    Column,
    base_layout,
    figure_json,
    trace,
)
from core.web.layout import number
from programme.spread.years import SpreadYear


def spread_chart(years: Sequence[SpreadYear], this_year: int) -> Chart:
    """The network year by year; `this_year` is marked in the table as taken today."""
    x = [str(row.year) for row in years]
    layout = base_layout("How IPS spread, year by year", "Sites")
    layout["xaxis"] = {"title": {"text": "Year"}, "type": "category"}
    lines = (
        ("Active sites at the year's end", "active_sites", NHS_DARK_BLUE, "solid"),
        ("At Good or better", "good_or_better", NHS_GREEN, "dash"),
        ("Centres of Excellence", "centres", NHS_PURPLE, "dot"),
    )
    traces = [
        trace(
            "bar",
            x=x,
            y=[row.sites_launched for row in years],
            name="Sites launched in the year",
            marker={"color": NHS_BLUE, "opacity": 0.45},
        ),
        *(
            trace(
                "scatter",
                x=x,
                y=[getattr(row, attribute) for row in years],
                name=name,
                mode="lines+markers",
                line={"color": colour, "width": 3, "dash": dash},
            )
            for name, attribute, colour, dash in lines
        ),
    ]
    table = ChartTable(
        caption="Sites launched each year, and the network at each year's end (this year: today)",
        columns=(
            Column("Year"),
            Column("Sites launched", numeric=True),
            Column("Active sites", numeric=True),
            Column("At Good or better", numeric=True),
            Column("Centres of Excellence", numeric=True),
        ),
        rows=tuple(
            (
                f"{row.year} (so far)" if row.year == this_year else str(row.year),
                number(row.sites_launched),
                number(row.active_sites),
                number(row.good_or_better),
                number(row.centres),
            )
            for row in years
        ),
    )
    return figure_json(layout, traces, table)
