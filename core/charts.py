"""Plotly figures built in Python from query rows. Templates put the JSON beside a chart element
(macros.html `chart`) and static/js/portal.js draws it: no inline script.

Every chart also gives the figures it draws as a table (`ChartTable`), built by the same function
from the same values as its traces; macros.html `chart` shows it under the chart in an NHS.UK
details component, so the figures can be read without seeing the chart."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Column:
    """A column of a chart's table: its header, whether its cells are figures (right-aligned), and
    the header in full when the header is short (an item's number)."""

    header: str
    numeric: bool = False
    title: str | None = None


@dataclass(frozen=True)
class ChartTable:
    """The figures a chart draws, as a table: a caption, the columns and the rows, each cell text
    already formatted for the page (months as "April 2015", people as whole numbers, rates as
    percentages). A row's first cell names the row (its row header). As many rows as the chart has
    points, or fewer where the chart says so in the caption."""

    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"a row of {len(row)} cells in a table of {len(self.columns)}")

    def as_json(self) -> dict[str, Any]:
        return {
            "caption": self.caption,
            "columns": [[c.header, c.numeric, c.title] for c in self.columns],
            "rows": [list(row) for row in self.rows],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ChartTable:
        return cls(
            caption=data["caption"],
            columns=tuple(Column(h, bool(n), t) for h, n, t in data["columns"]),
            rows=tuple(tuple(row) for row in data["rows"]),
        )


# Where a figure's layout carries its table (Plotly keeps `layout.meta` as given and draws nothing
# from it): a step that reworks a figure's JSON, as the printed report's print_sized does, keeps
# the table with it.
TABLE_META = "table"


class Chart(str):
    """A chart for the page: the figure's JSON (a str, as json.loads and the templates take it),
    with `table`, the figures it draws."""

    table: ChartTable | None

    def __new__(cls, figure: str, table: ChartTable | None = None) -> Chart:
        chart = super().__new__(cls, figure)
        chart.table = table
        return chart


def figure_json(
    layout: dict[str, Any],
    traces: Sequence[dict[str, Any]],
    table: ChartTable | None = None,
) -> Chart:
    """The figure as JSON for the page, with the table of its figures. Figures are plain dicts,
    not go.Figure: Plotly's validators deep-copy every value, which cost more than the page's SQL
    on large charts (bench/FINDINGS.md); tests/portal/test_charts.py validates each chart with
    go.Figure instead.

    Without `table`, the table is the one the layout already carries (a figure built again from
    a chart's JSON)."""
    meta = layout.get("meta")
    if table is None and isinstance(meta, Mapping) and TABLE_META in meta:
        table = ChartTable.from_json(meta[TABLE_META])
    elif table is not None:
        kept = dict(meta) if isinstance(meta, Mapping) else {}
        layout = layout | {"meta": kept | {TABLE_META: table.as_json()}}
    text = json.dumps({"data": list(traces), "layout": layout})
    # "</" must not close the <script type="application/json"> block that carries the figure.
    return Chart(text.replace("</", "<\\/"), table)


def base_layout(title: str, y_title: str) -> dict[str, Any]:
    return {
        "title": {"text": title, "x": 0.02, "xanchor": "left"},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.2},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
        "font": {"family": "Arial, sans-serif"},
        "hovermode": "x unified",
    }
