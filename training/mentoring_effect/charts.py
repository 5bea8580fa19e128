"""The funnel plot of sites' employment rates as Plotly figure JSON, with the table of the same
figures (core.charts)."""

from __future__ import annotations

from html import escape
from typing import Any

from core.charts import (
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_GREEN,
    NHS_GREY,
    Chart,
    ChartTable,
    Column,
    base_layout,
    figure_json,
    trace,
)
from core.web.layout import number, percent
from training.mentoring_effect import rules
from training.mentoring_effect.queries import Funnel

NHS_RED = "#d5281b"
POSITION_COLOURS = {
    rules.Position.ABOVE_998: NHS_GREEN,
    rules.Position.ABOVE_95: "#78be20",
    rules.Position.WITHIN: NHS_BLUE,
    rules.Position.BELOW_95: "#ed8b00",
    rules.Position.BELOW_998: NHS_RED,
}


def _limit_line(xs: list[float], ys: list[float], name: str, dash: str, **more: Any) -> Any:
    return trace(
        "scatter",
        x=xs,
        y=ys,
        name=name,
        mode="lines",
        line={"color": NHS_GREY, "width": 2, "dash": dash},
        hoverinfo="skip",
        **more,
    )


def employment_funnel_chart(funnel: Funnel) -> Chart:
    """Each site's employment rate (y) against its summed caseload (x, a log scale), coloured by
    where it lies against the network rate's 95% and 99.8% control limits, which are drawn as
    the funnel's lines. `funnel` has a network rate (at least one site with a caseload)."""
    assert funnel.network_rate is not None
    p = funnel.network_rate
    layout = base_layout("Employment rate by site against the network rate", "Employment rate")
    layout["yaxis"] |= {"tickformat": ".0%", "range": [0, 1]}
    layout["xaxis"] = {
        "title": {"text": "Caseload summed over the months (people supported, each month)"},
        "type": "log",
    }
    layout["hovermode"] = "closest"
    ns = rules.funnel_ns(
        min(s.caseload for s in funnel.sites), max(s.caseload for s in funnel.sites)
    )
    limits = [rules.funnel_limits(p, n) for n in ns]
    traces = [
        _limit_line(ns, [limit.high_998 for limit in limits], "99.8% limits", "dot"),
        _limit_line(
            ns, [limit.low_998 for limit in limits], "99.8% limits", "dot", showlegend=False
        ),
        _limit_line(ns, [limit.high_95 for limit in limits], "95% limits", "dash"),
        _limit_line(ns, [limit.low_95 for limit in limits], "95% limits", "dash", showlegend=False),
        trace(
            "scatter",
            x=[ns[0], ns[-1]],
            y=[p, p],
            name=f"Network rate ({percent(p, 1)})",
            mode="lines",
            line={"color": NHS_DARK_BLUE, "width": 2},
            hoverinfo="skip",
        ),
    ]
    by_position: dict[rules.Position, list[Any]] = {}
    for site in funnel.sites:
        by_position.setdefault(funnel.position(site), []).append(site)
    for where in rules.Position:  # a trace per position, so the legend names each colour
        sites = by_position.get(where)
        if not sites:
            continue
        traces.append(
            trace(
                "scatter",
                x=[site.caseload for site in sites],
                y=[site.rate for site in sites],
                text=[escape(site.name) for site in sites],
                name=rules.POSITION_LABELS[where],
                mode="markers",
                marker={"color": POSITION_COLOURS[where], "size": 9},
                hovertemplate="%{text}<br>Employment rate %{y:.1%}<br>Caseload %{x:,}"
                "<extra></extra>",
            )
        )
    return figure_json(layout, traces, _funnel_table(funnel))


def _range(low: float, high: float) -> str:
    return f"{percent(low, 1)} to {percent(high, 1)}"


def _funnel_table(funnel: Funnel) -> ChartTable:
    rows = []
    for site in funnel.sites:
        limits = funnel.limits(site)
        rows.append(
            (
                site.name,
                number(site.caseload),
                number(site.in_work),
                percent(site.rate, 1),
                _range(limits.low_95, limits.high_95),
                _range(limits.low_998, limits.high_998),
                rules.POSITION_LABELS[funnel.position(site)],
            )
        )
    return ChartTable(
        caption=(
            f"Employment rate by site, {funnel.period.label}: the network rate is "
            f"{percent(funnel.network_rate, 1)}"
        ),
        columns=(
            Column("Site"),
            Column("Caseload, summed", numeric=True),
            Column("In work, summed", numeric=True),
            Column("Employment rate", numeric=True),
            Column("95% limits", numeric=True),
            Column("99.8% limits", numeric=True),
            Column("Against the limits"),
        ),
        rows=tuple(rows),
    )
