"""A site's outcome charts as Plotly figure JSON: figures over time and rates by month, each with
the table of the same figures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.charts import (
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_GREEN,
    NHS_WARM_YELLOW,
    Chart,
    ChartTable,
    Column,
    base_layout,
    figure_json,
    trace,
)
from core.web.layout import month_name, number, percent


def site_outcomes_chart(rows: Sequence[Any], approved_only: bool = False) -> Chart:
    """A site's monthly job starts (bars) beside its caseload and people in work (lines).

    `rows` have month, job_starts, caseload, in_work and status (sites.queries.monthly_outcomes).
    The table says which months await approval, unless only approved returns were read (a
    funder's figures)."""
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
    columns = (
        Column("Month"),
        Column("Job starts", numeric=True),
        Column("Caseload", numeric=True),
        Column("In work", numeric=True),
    )
    cells = [
        (month_name(row.month), number(row.job_starts), number(row.caseload), number(row.in_work))
        for row in rows
    ]
    if approved_only:
        caption = "Approved monthly figures"
    else:
        caption = "Submitted and approved monthly figures"
        columns += (Column("Approval"),)
        cells = [(*cell, APPROVAL[row.status]) for cell, row in zip(cells, rows, strict=True)]
    table = ChartTable(caption=caption, columns=columns, rows=tuple(cells))
    return figure_json(layout, traces, table)


APPROVAL = {"approved": "Approved", "submitted": "Awaiting approval"}


def site_rates_chart(rows: Sequence[Any], period: str | None = None) -> Chart:
    """A site's monthly employment rate and job-start rate, as percentages; a month whose rate is
    not available (no caseload) is a gap in the line. `period` names the months in the table's
    caption.

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
    table = ChartTable(
        caption=f"Monthly rates: {period}" if period else "Monthly rates",
        columns=(
            Column("Month"),
            Column("Employment rate", numeric=True),
            Column("Job-start rate", numeric=True),
        ),
        rows=tuple(
            (month_name(row.month), percent(row.employment_rate, 1), percent(row.job_start_rate, 1))
            for row in rows
        ),
    )
    return figure_json(layout, traces, table)
