"""Every chart is a plain dict (portal.charts.figure_json), so nothing checks its properties when
it is built. Here each one goes through go.Figure, which refuses a misspelt or misplaced
property, and keeps its traces' types."""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest
from flask import Flask

from programme.charts import programme_progress_chart
from programme.reports.views import MapSite, network_map_chart, print_sized
from sites.charts import site_outcomes_chart, site_rates_chart
from training.fidelity.charts import heatmap_chart, item_scores_chart, trajectory_chart
from training.fidelity.queries import FidelityHeatmap, HeatmapSite, ItemProfile, TrajectoryPoint
from training.visits.activity import TrainerActivity
from training.visits.charts import visits_by_month_chart, visits_by_purpose_chart

MONTHS = [date(2026, 1, 1), date(2026, 2, 1)]


def checked(text: str) -> go.Figure:
    """The chart's figure, validated by Plotly (a bad property raises ValueError)."""
    assert "</" not in text
    return go.Figure(json.loads(text))


def types(figure: go.Figure) -> list[str]:
    return [trace.type for trace in figure.data]


def test_programme_progress_chart():
    expected = [(MONTHS[0], 5.0), (MONTHS[1], 10.0)]
    text = programme_progress_chart(MONTHS, [4, 9], expected, [(MONTHS[1], 9.0)])
    figure = checked(text)
    assert types(figure) == ["scatter", "scatter", "scatter"]
    assert figure.layout.title.text == "Cumulative job starts"
    assert list(figure.data[0].y) == [4, 9]


def test_site_charts():
    outcomes = [SimpleNamespace(month=m, job_starts=2, caseload=20, in_work=5) for m in MONTHS]
    assert types(checked(site_outcomes_chart(outcomes))) == ["bar", "scatter", "scatter"]
    rates = [
        SimpleNamespace(month=MONTHS[0], employment_rate=0.25, job_start_rate=0.1),
        SimpleNamespace(month=MONTHS[1], employment_rate=None, job_start_rate=None),
    ]
    figure = checked(site_rates_chart(rates))
    assert types(figure) == ["scatter", "scatter"]
    assert figure.layout.yaxis.tickformat == ".0%"


def test_fidelity_charts():
    scores = {n: 3 for n in range(1, 26)}
    assert types(checked(item_scores_chart(scores, {n: 4 for n in range(1, 26)}))) == [
        "bar",
        "bar",
    ]
    points = [TrajectoryPoint(1, date(2025, 5, 1), "external", 101, "good", None)]
    figure = checked(trajectory_chart(points))
    assert types(figure) == ["scatter"] and len(figure.layout.shapes) == 4
    heatmap = FidelityHeatmap(
        sites=[HeatmapSite(7, "Ashby </script>", date(2025, 5, 1), 90)],
        items=[ItemProfile(1, "Staffing", "Caseload size", 3.0, 1)],
        scores={7: {1: 3}},
    )
    figure = checked(heatmap_chart(heatmap))
    assert types(figure) == ["heatmap"] and [list(row) for row in figure.data[0].z] == [[3]]


def test_trainer_activity_charts():
    activity = TrainerActivity(
        months=MONTHS,
        by_month={(1, "Trainer <b>North</b>"): {MONTHS[0]: 2}},
        by_purpose={(1, "Trainer <b>North</b>"): {"training": 2}},
    )
    figure = checked(visits_by_month_chart(activity))
    assert types(figure) == ["bar"] and figure.data[0].name == "Trainer &lt;b&gt;North&lt;/b&gt;"
    assert types(checked(visits_by_purpose_chart(activity))) == ["bar"]


@pytest.fixture
def request_context():
    app = Flask(__name__)
    app.add_url_rule("/sites/<int:site_id>", "sites.detail")
    with app.test_request_context():
        yield


def test_network_map_and_the_print_size(request_context):
    sites = [
        MapSite(1, "Ashby", "Trust", "london", 51.5, -0.1, 12, "good", 101),
        MapSite(2, "Nowhere", "Trust", "london", None, None, 0, None, None),
    ]
    figure = checked(network_map_chart(sites))
    assert types(figure) == ["scattergeo"]
    assert figure.data[0].customdata == ("/sites/1",)

    printed = checked(print_sized(programme_progress_chart(MONTHS, [4, 9], [], [])))
    assert printed.layout.autosize is False and printed.layout.hovermode is False
    assert printed.layout.title.text == "Cumulative job starts"
