"""The trainers' activity charts as Plotly figure JSON (templates draw them with macros.html
`chart`), each with the table of the same figures: a trainer a row."""

from __future__ import annotations

from html import escape

from core.charts import (
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_GREEN,
    NHS_GREY,
    NHS_PURPLE,
    NHS_WARM_YELLOW,
    Chart,
    ChartTable,
    Column,
    base_layout,
    figure_json,
    trace,
)
from core.web.layout import month_name, number
from training.models import VISIT_PURPOSES
from training.visits.activity import TrainerActivity

COLOURS = [NHS_BLUE, NHS_WARM_YELLOW, NHS_GREEN, NHS_PURPLE, NHS_DARK_BLUE, NHS_GREY]


def _colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def visits_by_month_chart(activity: TrainerActivity) -> Chart:
    """Visits per month over the last 12 months, a bar of each trainer's stacked in each month."""
    layout = base_layout("Visits per month, by trainer", "Visits")
    layout["barmode"] = "stack"
    layout["xaxis"] = {"title": {"text": "Month"}, "type": "category"}
    layout["yaxis"] |= {"dtick": 1}
    traces = []
    labels = [f"{month:%b %Y}" for month in activity.months]
    for index, ((_, name), months) in enumerate(activity.by_month.items()):
        traces.append(
            trace(
                "bar",
                x=labels,
                y=[months.get(month, 0) for month in activity.months],
                name=escape(name),  # Plotly reads tags in names: people typed these
                marker={"color": _colour(index)},
            )
        )
    table = ChartTable(
        caption=(
            f"Visits per trainer per month, {month_name(activity.months[0])}"
            f" to {month_name(activity.months[-1])}"
        ),
        columns=(
            Column("Trainer"),
            *(Column(label, numeric=True) for label in labels),
            Column("Total", numeric=True),
        ),
        rows=tuple(
            (
                name,
                *(number(months.get(month, 0)) for month in activity.months),
                number(sum(months.get(month, 0) for month in activity.months)),
            )
            for (_, name), months in activity.by_month.items()
        ),
    )
    return figure_json(layout, traces, table)


def visits_by_purpose_chart(activity: TrainerActivity) -> Chart:
    """Visits over the last 12 months by purpose, a bar of each trainer's side by side."""
    layout = base_layout("Visits by purpose, by trainer", "Visits")
    layout["barmode"] = "group"
    layout["xaxis"] = {"title": {"text": "Purpose"}, "type": "category"}
    layout["yaxis"] |= {"dtick": 1}
    layout["hovermode"] = "closest"
    traces = []
    for index, ((_, name), purposes) in enumerate(activity.by_purpose.items()):
        traces.append(
            trace(
                "bar",
                x=list(VISIT_PURPOSES.values()),
                y=[purposes.get(slug, 0) for slug in VISIT_PURPOSES],
                name=escape(name),  # Plotly reads tags in names: people typed these
                marker={"color": _colour(index)},
            )
        )
    table = ChartTable(
        caption="Visits per trainer by purpose, last 12 months",
        columns=(
            Column("Trainer"),
            *(Column(label, numeric=True) for label in VISIT_PURPOSES.values()),
        ),
        rows=tuple(
            (name, *(number(purposes.get(slug, 0)) for slug in VISIT_PURPOSES))
            for (_, name), purposes in activity.by_purpose.items()
        ),
    )
    return figure_json(layout, traces, table)
