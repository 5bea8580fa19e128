"""Fidelity charts as Plotly figure JSON (portal.charts draws nothing itself: templates put the JSON
beside a chart element with macros.html `chart`, and static/js/portal.js draws it).

Each chart has a title and axis titles, and gives the figures it draws as a table too
(core.charts.ChartTable), from the same values as its traces.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from html import escape

from core.charts import (
    NHS_BLUE,
    NHS_GREY,
    Chart,
    ChartTable,
    Column,
    base_layout,
    figure_json,
    trace,
)
from core.web.layout import long_date, number
from training.fidelity import scale as fidelity
from training.fidelity import scoring
from training.fidelity.queries import FidelityHeatmap, TrajectoryPoint

# Pale band colours, darkest where fidelity is highest; text on them stays readable.
BAND_COLOURS = {
    "exemplary": "#cce2d8",  # pale green
    "good": "#d6e9f8",  # pale blue
    "fair": "#fff4cc",  # pale yellow
    "not_ips": "#f6d7d2",  # pale red
}
# Score 1 (weak) to 5 (strong): red, orange, yellow, light green, dark green.
SCORE_COLOURS = ["#d5281b", "#ed8b00", "#ffeb3b", "#78be20", "#007f3b"]
# The heatmap's table lists at most this many sites, the weakest totals (the chart draws them all).
HEATMAP_TABLE_ROWS = 50
NOT_SCORED = "Not scored"


def _score(score: int | None) -> str:
    return NOT_SCORED if score is None else str(score)


def _item_label(number: int) -> str:
    return f"{number}. {fidelity.item(number).name}"


def item_scores_chart(
    scores: Mapping[int, int | None],
    previous: Mapping[int, int] | None = None,
    *,
    title: str = "Item scores",
    label: str = "This review",
    previous_label: str = "Previous final review",
) -> Chart:
    """The review's 25 item scores as bars, beside the previous final review's when given; the
    table gives an item's scores a row."""
    numbers = [item.number for item in fidelity.ITEMS]
    x = [str(n) for n in numbers]
    names = [_item_label(n) for n in numbers]
    layout = base_layout(title, "Score (1 to 5)")
    layout["yaxis"] |= {"range": [0, 5], "dtick": 1}
    layout["xaxis"] = {"title": {"text": "Item"}, "type": "category"}
    layout["barmode"] = "group"
    traces = []
    traces.append(
        trace(
            "bar",
            x=x,
            y=[scores.get(n) for n in numbers],
            name=label,
            customdata=names,
            hovertemplate="%{customdata}: %{y}<extra>" + label + "</extra>",
            marker={"color": NHS_BLUE},
        )
    )
    if previous:
        traces.append(
            trace(
                "bar",
                x=x,
                y=[previous.get(n) for n in numbers],
                name=previous_label,
                customdata=names,
                hovertemplate="%{customdata}: %{y}<extra>" + previous_label + "</extra>",
                marker={"color": NHS_GREY},
            )
        )
    columns = [Column("Item"), Column(label, numeric=True)]
    if previous:
        columns.append(Column(previous_label, numeric=True))
    table = ChartTable(
        caption=title,
        columns=tuple(columns),
        rows=tuple(
            (name, _score(scores.get(n)), *([_score(previous.get(n))] if previous else []))
            for n, name in zip(numbers, names, strict=True)
        ),
    )
    return figure_json(layout, traces, table)


def trajectory_chart(
    points: Sequence[TrajectoryPoint], *, title: str = "Fidelity reviews"
) -> Chart:
    """The totals of a site's final reviews over time, over the four bands shaded behind; the
    table gives each review's date, total and band."""
    layout = base_layout(title, "Total (25 to 125)")
    # A little room above and below the scale, so a marker at 25 or 125 is drawn whole.
    layout["yaxis"] |= {
        "range": [fidelity.MIN_TOTAL - 3, fidelity.MAX_TOTAL + 3],
        "rangemode": "normal",
    }
    layout["xaxis"] = {"title": {"text": "Review date"}, "type": "date"}
    layout["hovermode"] = "closest"
    shapes = []
    annotations = []
    for band, label in fidelity.BANDS.items():
        low, high = scoring.band_range(band)
        # Each band fills from its lowest total to the next band's lowest (no gaps between).
        top = high + 1 if high < fidelity.MAX_TOTAL else high
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": low,
                "y1": top,
                "fillcolor": BAND_COLOURS[band],
                "line": {"width": 0},
                "layer": "below",
            }
        )
        annotations.append(
            {
                "xref": "paper",
                "x": 0.01,
                "xanchor": "left",
                "yref": "y",
                "y": (low + top) / 2,
                "text": f"{label} ({low}-{high})",
                "showarrow": False,
                "font": {"size": 11, "color": "#212b32"},
            }
        )
    layout["shapes"] = shapes
    layout["annotations"] = annotations
    traces = []
    traces.append(
        trace(
            "scatter",
            x=[p.reviewed_on.isoformat() for p in points],
            y=[p.total for p in points],
            name="Total",
            mode="lines+markers",
            line={"color": NHS_BLUE, "width": 3},
            marker={"size": 9},
            customdata=[fidelity.BANDS.get(p.band or "", "") for p in points],
            hovertemplate="%{x|%d %b %Y}: %{y} (%{customdata})<extra></extra>",
        )
    )
    table = ChartTable(
        caption="Totals of the final reviews (25 to 125), oldest first",
        columns=(Column("Reviewed"), Column("Total", numeric=True), Column("Band")),
        rows=tuple(
            (long_date(p.reviewed_on), number(p.total), fidelity.BANDS.get(p.band or "", ""))
            for p in points
        ),
    )
    return figure_json(layout, traces, table)


def _site_labels(heatmap: FidelityHeatmap) -> list[str]:
    """'Name (total)' for each row; a label two sites would share also names the site's id."""
    labels = [f"{site.name} ({site.total})" for site in heatmap.sites]
    shared = {label for label, count in Counter(labels).items() if count > 1}
    return [
        escape(f"{site.name} ({site.total}, site {site.site_id})" if label in shared else label)
        for site, label in zip(heatmap.sites, labels, strict=True)
    ]


def _heatmap_table(heatmap: FidelityHeatmap, rows: int) -> ChartTable:
    """The weakest `rows` sites of the heatmap with their item scores, both in its order."""
    shown = heatmap.sites[:rows]
    shared = {name for name, count in Counter(s.name for s in heatmap.sites).items() if count > 1}
    if len(heatmap.sites) > len(shown):
        caption = f"The {len(shown)} sites with the lowest totals, of {number(len(heatmap.sites))}"
    else:
        caption = "Sites, the lowest total first"
    return ChartTable(
        caption=caption + ": item scores in the heatmap's order",
        columns=(
            Column("Site"),
            Column("Total", numeric=True),
            *(Column(str(i.number), numeric=True, title=i.name) for i in heatmap.items),
        ),
        rows=tuple(
            (
                f"{site.name} (site {site.site_id})" if site.name in shared else site.name,
                number(site.total),
                *(
                    _score(heatmap.scores.get(site.site_id, {}).get(i.number))
                    for i in heatmap.items
                ),
            )
            for site in shown
        ),
    )


def heatmap_chart(
    heatmap: FidelityHeatmap,
    *,
    title: str = "Item scores by site",
    table_rows: int = HEATMAP_TABLE_ROWS,
) -> Chart:
    """Sites (rows, weakest total at the top) by items (columns, weakest mean at the left),
    coloured by score. Hovering a cell names the site, the item and the score. The table gives
    the scores of the weakest `table_rows` sites.

    The rows and columns are categories named in full, so the hover text reads them from the
    axes: no text per cell, which for 2,000 sites would be megabytes."""
    items = [i.number for i in heatmap.items]
    columns = [escape(_item_label(n)) for n in items]
    rows = _site_labels(heatmap)
    z = [[heatmap.scores.get(site.site_id, {}).get(n) for n in items] for site in heatmap.sites]
    many = len(rows) > 60
    layout = base_layout(title, "Site (weakest total first)")
    layout["yaxis"] = {
        "title": {"text": "Site (weakest total first)"},
        "type": "category",
        "autorange": "reversed",
        "showticklabels": not many,
        "automargin": True,
    }
    layout["xaxis"] = {
        "title": {"text": "Item (weakest network mean first)"},
        "type": "category",
        "side": "top",
        "tickmode": "array",
        "tickvals": columns,
        "ticktext": [str(n) for n in items],
    }
    layout["hovermode"] = "closest"
    layout["height"] = min(1200, max(320, 140 + 22 * len(rows)))
    layout["margin"] = {"l": 40 if many else 200, "r": 20, "t": 110, "b": 40}
    steps = len(SCORE_COLOURS)
    colourscale = []
    for index, colour in enumerate(SCORE_COLOURS):  # a colour per whole score, not a gradient
        colourscale.append([index / steps, colour])
        colourscale.append([(index + 1) / steps, colour])
    cells = trace(
        "heatmap",
        z=z,
        x=columns,
        y=rows,
        hovertemplate="%{y}<br>%{x}<br>Score: %{z}<extra></extra>",
        hoverongaps=False,
        zmin=0.5,
        zmax=5.5,
        colorscale=colourscale,
        xgap=1,
        ygap=1 if not many else 0,
        # No colour bar: Plotly sets an inline style on it, which the CSP refuses. The page
        # gives the key in words.
        showscale=False,
    )
    return figure_json(layout, [cells], _heatmap_table(heatmap, table_rows))
