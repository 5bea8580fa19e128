"""Every chart is a plain dict (portal.charts.figure_json), so nothing checks its properties when
it is built. Here each one goes through go.Figure, which refuses a misspelt or misplaced
property, and keeps its traces' types. And a walk of the demo network's pages finds every chart
followed by the table of its figures."""

from __future__ import annotations

import json
import re
from collections import Counter, deque
from datetime import date
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest
import sqlalchemy as sa
from flask import Flask

from programme.charts import programme_progress_chart
from programme.reports.views import MapSite, network_map_chart, print_sized
from sites.charts import site_outcomes_chart, site_rates_chart
from training.fidelity.charts import heatmap_chart, item_scores_chart, trajectory_chart
from training.fidelity.queries import FidelityHeatmap, HeatmapSite, ItemProfile, TrajectoryPoint
from training.mentoring_effect.charts import employment_funnel_chart
from training.mentoring_effect.queries import Funnel, FunnelSite
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
    outcomes = [
        SimpleNamespace(month=m, job_starts=2, caseload=20, in_work=5, status="submitted")
        for m in MONTHS
    ]
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


def test_employment_funnel_chart():
    from sites.outcomes import last_12_months

    sites = [
        FunnelSite(1, "Big <b>", 1600, 4000),
        FunnelSite(2, "Other", 2400, 4000),
        FunnelSite(3, "Small", 2, 10),
    ]
    funnel = Funnel(last_12_months(date(2026, 5, 1)), sites, 4002 / 8010)
    figure = checked(employment_funnel_chart(funnel))
    assert types(figure) == ["scatter"] * 8  # 4 limit lines, the network rate, 3 positions
    assert figure.layout.xaxis.type == "log" and figure.layout.yaxis.tickformat == ".0%"
    points = {trace.name: trace.text for trace in figure.data[5:]}
    assert points == {
        "Above the 99.8% limit": ("Other",),
        "Within the limits": ("Small",),
        "Below the 99.8% limit": ("Big &lt;b&gt;",),
    }
    assert [row[-1] for row in figure.layout.meta["table"]["rows"]] == [
        "Below the 99.8% limit",
        "Above the 99.8% limit",
        "Within the limits",
    ]


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


# Every chart on every page is followed by the table of its figures ----------------------------

# Links the walk does not follow: downloads, the API, files, leaving.
NOT_A_PAGE = re.compile(r"^/(logout|exports/|api/|static/)|\.(csv|xlsx|ics|json|pdf)$")
PAGES_PER_ROUTE = 3  # URLs per route pattern (digits collapsed), beyond the seeds
MAX_PAGES = 250
# The charts of the portal, by id (digits collapsed): a walk that misses one has lost its way.
CHARTS = {
    "progress-chart",
    "progress-chart-N",
    "report-progress-chart",
    "network-map",
    "site-outcomes-chart",
    "site-rates-chart",
    "fidelity-trajectory-chart",
    "fidelity-items-chart",
    "review-scores-chart",
    "fidelity-heatmap",
    "visits-by-month-chart",
    "visits-by-purpose-chart",
    "completeness-chart",
    "employment-funnel-chart",
    "network-spread-chart",
}


def chart_problems(page: str) -> tuple[list[str], list[str]]:
    """The ids of the page's charts (each element static/js/portal.js draws: data-figure-id) and
    what is wrong with them: each must be followed, after its </figure>, by its details with a
    captioned table with column and row headers."""
    ids, problems = [], []
    for found in re.finditer(r'data-figure-id="([^"]+)-data"', page):
        chart_id = found.group(1)
        ids.append(chart_id)
        after = page[found.end() :]
        rest = after[after.index("</figure>") + len("</figure>") :].lstrip()
        opening = rest[: rest.find(">") + 1]
        if not (opening.startswith("<details") and "portal-chart-table" in opening):
            problems.append(f"{chart_id}: no table after the chart, but {rest[:80]!r}")
            continue
        details = rest[: rest.index("</details>")]
        for part in ('<table class="nhsuk-table">', "<caption", 'scope="col"', 'scope="row"'):
            if part not in details:
                problems.append(f"{chart_id}: its table has no {part}")
    return ids, problems


def test_the_walk_finds_a_chart_without_its_table():
    chart = '<figure class="portal-chart"><div data-figure-id="new-chart-data"></div></figure>'
    table = (
        '<details class="nhsuk-details portal-chart-table"><table class="nhsuk-table">'
        '<caption>C</caption><th scope="col">M</th><th scope="row">April 2015</th></table>'
        "</details>"
    )
    assert chart_problems(chart + "\n  " + table) == (["new-chart"], [])
    ids, problems = chart_problems(chart + "<p>No table</p>" + table)
    assert ids == ["new-chart"] and problems[0].startswith("new-chart: no table after the chart")
    _, problems = chart_problems(chart + table.replace(' scope="row"', ""))
    assert problems == ['new-chart: its table has no scope="row"']


def walk(client, seeds: list[str]) -> tuple[set[str], list[str], int]:
    """Follows the pages' links from `seeds`: the charts seen (ids, digits collapsed), the
    problems found and the number of pages."""
    queue, seen, per_route = deque(seeds), set(seeds), Counter()
    charts, problems, pages = set(), [], 0
    while queue and pages < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages += 1
        page = response.get_data(as_text=True)
        ids, wrong = chart_problems(page)
        charts |= {re.sub(r"\d+", "N", chart_id) for chart_id in ids}
        problems += [f"{path} {problem}" for problem in wrong]
        for href in re.findall(r'href="(/[^"#?]*)', page):
            route = re.sub(r"\d+", "N", href)
            if href in seen or NOT_A_PAGE.search(href) or per_route[route] >= PAGES_PER_ROUTE:
                continue
            seen.add(href)
            per_route[route] += 1
            queue.append(href)
    return charts, problems, pages


def test_every_chart_on_every_page_is_followed_by_a_table_of_its_figures(client, login_as, db):
    from accounts.models import User
    from portal.demo import LOGINS, load
    from programme.models import Programme
    from sites.models import Site

    load()
    db.session.commit()
    sites = [f"/sites/{i}" for i in db.session.scalars(sa.select(Site.id))]
    programmes = [f"/programmes/{i}" for i in db.session.scalars(sa.select(Programme.id))]
    reports = [f"{path}/report" for path in programmes]
    seeds = ["/", "/funded", "/map", "/fidelity/profile", "/visits/activity", "/sites/"]

    login_as("admin")
    charts, problems, pages = walk(client, seeds + programmes + reports + sites)
    email = next(email for role, email, _ in LOGINS if role == "funder")
    funder = db.session.scalar(sa.select(User).filter_by(email=email))
    login_as(funder)
    funder_charts, funder_problems, funder_pages = walk(client, ["/", "/map"])

    assert not problems + funder_problems, "\n".join(problems + funder_problems)
    assert charts | funder_charts >= CHARTS, f"not seen: {CHARTS - charts - funder_charts}"
    assert pages + funder_pages > 50
