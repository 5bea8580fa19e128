"""Fidelity charts as Plotly figure JSON (portal.charts draws nothing itself: templates put the JSON
beside a chart element with macros.html `chart`, and static/js/portal.js draws it).

Each chart has a title and axis titles; the pages give the same figures as a table too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from html import escape

from core.charts import NHS_BLUE, NHS_GREY, base_layout, figure_json, trace
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


def _item_label(number: int) -> str:
    return f"{number}. {fidelity.item(number).name}"


def item_scores_chart(
    scores: Mapping[int, int | None],
    previous: Mapping[int, int] | None = None,
    *,
    title: str = "Item scores",
    label: str = "This review",
    previous_label: str = "Previous final review",
) -> str:
    """The review's 25 item scores as bars, beside the previous final review's when given."""
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
    return figure_json(layout, traces)


def trajectory_chart(points: Sequence[TrajectoryPoint], *, title: str = "Fidelity reviews") -> str:
    """The totals of a site's final reviews over time, over the four bands shaded behind."""
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
    return figure_json(layout, traces)


def _site_labels(heatmap: FidelityHeatmap) -> list[str]:
    """'Name (total)' for each row; a label two sites would share also names the site's id."""
    labels = [f"{site.name} ({site.total})" for site in heatmap.sites]
    shared = {label for label, count in Counter(labels).items() if count > 1}
    return [
        escape(f"{site.name} ({site.total}, site {site.site_id})" if label in shared else label)
        for site, label in zip(heatmap.sites, labels, strict=True)
    ]


def heatmap_chart(heatmap: FidelityHeatmap, *, title: str = "Item scores by site") -> str:
    """Sites (rows, weakest total at the top) by items (columns, weakest mean at the left),
    coloured by score. Hovering a cell names the site, the item and the score.

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
    heatmap = trace(
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
    return figure_json(layout, [heatmap])
