"""Plotly figures built in Python from query rows. Templates put the JSON beside a chart element
(macros.html `chart`) and static/js/portal.js draws it: no inline script."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

NHS_BLUE = "#005eb8"
NHS_DARK_BLUE = "#003087"
NHS_GREEN = "#007f3b"
NHS_GREY = "#768692"
NHS_WARM_YELLOW = "#ffb81c"
NHS_PURPLE = "#330072"


def trace(kind: str, **properties: Any) -> dict[str, Any]:
    """One Plotly trace of type `kind` ("scatter", "bar", ...) with its properties."""
    return {"type": kind, **properties}


def figure_json(layout: dict[str, Any], traces: Sequence[dict[str, Any]]) -> str:
    """The figure as JSON for the page. Figures are plain dicts, not go.Figure: Plotly's
    validators deep-copy every value, which cost more than the page's SQL on large charts
    (bench/FINDINGS.md); tests/unit/test_charts.py validates each chart with go.Figure instead."""
    text = json.dumps({"data": list(traces), "layout": layout})
    # "</" must not close the <script type="application/json"> block that carries the figure.
    return text.replace("</", "<\\/")


def base_layout(title: str, y_title: str) -> dict[str, Any]:
    return {
        "title": {"text": title, "x": 0.02, "xanchor": "left"},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.2},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
        "font": {"family": "Arial, sans-serif"},
        "hovermode": "x unified",
    }


def programme_progress_chart(
    months: Sequence[date],
    cumulative: Sequence[int],
    expected: Sequence[tuple[date, float]],
    projection: Sequence[tuple[date, float]],
) -> str:
    """Cumulative job starts against the expected line and the projection to the end."""
    layout = base_layout("Cumulative job starts", "Job starts")
    traces = []
    traces.append(
        trace(
            "scatter",
            x=[m.isoformat() for m in months],
            y=list(cumulative),
            name="Achieved",
            mode="lines+markers",
            line={"color": NHS_BLUE, "width": 3},
        )
    )
    traces.append(
        trace(
            "scatter",
            x=[m.isoformat() for m, _ in expected],
            y=[v for _, v in expected],
            name="Expected",
            mode="lines",
            line={"color": NHS_GREY, "dash": "dash"},
        )
    )
    if projection:
        traces.append(
            trace(
                "scatter",
                x=[m.isoformat() for m, _ in projection],
                y=[v for _, v in projection],
                name="Projected",
                mode="lines",
                line={"color": NHS_WARM_YELLOW, "dash": "dot"},
            )
        )
    return figure_json(layout, traces)


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
