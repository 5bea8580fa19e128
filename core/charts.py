"""Plotly figures built in Python from query rows. Templates put the JSON beside a chart element
(macros.html `chart`) and static/js/portal.js draws it: no inline script."""

from __future__ import annotations

import json
from collections.abc import Sequence
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
    (bench/FINDINGS.md); tests/portal/test_charts.py validates each chart with go.Figure instead."""
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
