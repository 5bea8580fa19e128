"""Programme charts as Plotly figure JSON: progress against the target, with the expected line and
the projection, and the table of the same figures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import accumulate
from typing import Any

from core.charts import (
    NHS_BLUE,
    NHS_GREEN,
    NHS_GREY,
    NHS_WARM_YELLOW,
    Chart,
    ChartTable,
    Column,
    base_layout,
    figure_json,
    trace,
)
from core.months import months_between
from core.web.layout import month_name, number
from programme.progress import expected_line


def programme_progress_chart(
    months: Sequence[date],
    cumulative: Sequence[int],
    expected: Sequence[tuple[date, float]],
    projection: Sequence[tuple[date, float]],
    target: int | None = None,
    awaiting: Sequence[int] | None = None,
) -> Chart:
    """Cumulative job starts against the expected line, the projection to the end and the
    target (a level line across the programme's months, named with its figure); the table gives
    each month's figures, people as whole numbers, and (with `awaiting`, the cumulative job
    starts awaiting approval by month: staff's figures) how many of those achieved await
    approval."""
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
    if target is not None and expected:
        traces.append(
            trace(
                "scatter",
                x=[expected[0][0].isoformat(), expected[-1][0].isoformat()],
                y=[target, target],
                name=f"Target ({target:,})",
                mode="lines",
                line={"color": NHS_GREEN, "width": 2},
            )
        )
    return figure_json(
        layout, traces, _progress_table(months, cumulative, expected, projection, target, awaiting)
    )


def _progress_table(
    months: Sequence[date],
    cumulative: Sequence[int],
    expected: Sequence[tuple[date, float]],
    projection: Sequence[tuple[date, float]],
    target: int | None,
    awaiting: Sequence[int] | None = None,
) -> ChartTable:
    """A row per month of the chart: achieved (and of those, awaiting approval), expected and
    (when drawn) projected job starts."""
    lines = [dict(zip(months, cumulative, strict=True))]
    columns = [Column("Month"), Column("Achieved", numeric=True)]
    if awaiting is not None:
        lines.append(dict(zip(months, awaiting, strict=True)))
        columns.append(Column("Of which awaiting approval", numeric=True))
    lines.append(dict(expected))
    columns.append(Column("Expected", numeric=True))
    if projection:
        lines.append(dict(projection))
        columns.append(Column("Projected", numeric=True))
    caption = "Cumulative job starts by month"
    if target is not None:
        caption += f", against a target of {number(target)}"
    if awaiting is not None:
        waiting = awaiting[-1] if awaiting else 0
        caption += f"; {number(waiting) if waiting else 'none'} awaiting approval"
    return ChartTable(
        caption=caption,
        columns=tuple(columns),
        rows=tuple(
            (month_name(month), *(number(line[month]) if month in line else "" for line in lines))
            for month in sorted(set().union(*lines))
        ),
    )


def progress_chart(
    programme: Any, progress: Any, today: date, approved_only: bool = False
) -> Chart:
    """The programme's progress chart; the table says how much awaits approval unless the
    figures are approved only (a funder's)."""
    profile = {t.month: t.cumulative for t in programme.target_profile} or None
    expected = expected_line(
        starts_on=programme.starts_on,
        ends_on=programme.ends_on,
        target=programme.job_start_target,
        profile=profile,
    )
    projection: list[tuple[date, float]] = []
    if progress.status in {"on_track", "at_risk", "off_track"} and progress.by_month:
        last = progress.by_month[-1]
        months = months_between(last.month, programme.ends_on)
        projection = [
            (month, round(progress.achieved + progress.run_rate * i, 1))
            for i, month in enumerate(months)
        ]
    awaiting = None
    if not approved_only:
        awaiting = list(accumulate(m.awaiting_approval for m in progress.by_month))
    return programme_progress_chart(
        [m.month for m in progress.by_month],
        [m.cumulative for m in progress.by_month],
        expected,
        projection,
        target=programme.job_start_target,
        awaiting=awaiting,
    )
