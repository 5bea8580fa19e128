"""A site's outcome charts as Plotly figure JSON: figures over time and rates by month."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.charts import (
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_GREEN,
    NHS_WARM_YELLOW,
    base_layout,
    figure_json,
    trace,
)


def site_outcomes_chart(rows: Sequence[Any]) -> str:
    """A site's monthly job starts (bars) beside its caseload and people in work (lines).

    `rows` have month, job_starts, caseload and in_work (sites.queries.monthly_outcomes)."""
    months = [row.month.isoformat() for row in rows]
    layout = base_layout("Outcomes by month", "People")
    traces = []
    traces.append(
        trace(
            "bar",
            x=months,
            y=[row.job_starts for row in rows],
            name="Job starts",
            marker={"color": NHS_WARM_YELLOW},
        )
    )
    traces.append(
        trace(
            "scatter",
            x=months,
            y=[row.caseload for row in rows],
            name="Caseload",
            mode="lines+markers",
            line={"color": NHS_DARK_BLUE, "width": 3},
        )
    )
    traces.append(
        trace(
            "scatter",
            x=months,
            y=[row.in_work for row in rows],
            name="In work",
            mode="lines+markers",
            line={"color": NHS_GREEN, "width": 3},
        )
    )
    return figure_json(layout, traces)


def site_rates_chart(rows: Sequence[Any]) -> str:
    """A site's monthly employment rate and job-start rate, as percentages; a month whose rate is
    not available (no caseload) is a gap in the line.

    `rows` have month, employment_rate and job_start_rate (sites.queries.monthly_rates)."""
    months = [row.month.isoformat() for row in rows]
    layout = base_layout("Employment and job-start rates by month", "Share of the caseload")
    layout["yaxis"] |= {"tickformat": ".0%", "range": [0, 1]}
    traces = []
    traces.append(
        trace(
            "scatter",
            x=months,
            y=[row.employment_rate for row in rows],
            name="Employment rate",
            mode="lines+markers",
            line={"color": NHS_GREEN, "width": 3},
            hovertemplate="%{y:.1%}",
        )
    )
    traces.append(
        trace(
            "scatter",
            x=months,
            y=[row.job_start_rate for row in rows],
            name="Job-start rate",
            mode="lines+markers",
            line={"color": NHS_BLUE, "width": 3},
            hovertemplate="%{y:.1%}",
        )
    )
    return figure_json(layout, traces)
