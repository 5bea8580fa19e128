"""In a real browser: every page with charts draws all of them with our partial Plotly bundle it
names (charts; geo on the map), fetched by its hashed name, compressed and cacheable for ever,
never the full plotly.min.js; the charts on the first screen are drawn before DOMContentLoaded,
without waiting for the load event. No console error, nothing from another host."""

from __future__ import annotations

from datetime import date

import pytest

from core.extensions import db
from tests.browser.pages import log_in
from training.models import Visit

pytestmark = pytest.mark.browser

# Every chart element holds drawn traces: scatter, bar and scattergeo traces are `g.trace`, a
# heatmap is `g.hm`.
ALL_DRAWN = (
    "() => [...document.querySelectorAll('[data-figure-id]')]"
    ".every(chart => chart.querySelector('.main-svg .trace, .main-svg .hm'))"
)


@pytest.fixture
def network(make):
    """A funded programme with a site on the map, six months of returns, two final reviews and a
    visit, so that each chart page has charts; an admin and the funder's user."""
    funder = make.funder(name="Department of Health innovation fund")
    programme = make.programme(funder=funder, name="Making IPS Work", starts_on=date(2020, 1, 1))
    site = make.site(name="Bradford IPS", latitude=53.79, longitude=-1.75)
    make.participation(programme, site)
    for month in range(1, 13):
        make.monthly_return(site, date(2020, month, 1), job_starts=2 + month % 3)
    make.fidelity_review(site, total=90, reviewed_on=date(2019, 6, 1))
    review = make.fidelity_review(site, total=104, reviewed_on=date(2020, 6, 1))
    db.session.add(
        Visit(site_id=site.id, visited_on=date.today(), purpose="training", summary="Training")
    )
    db.session.commit()
    admin_pages = {
        f"/programmes/{programme.id}": "charts",
        f"/programmes/{programme.id}/report": "charts",
        f"/sites/{site.id}": "charts",
        f"/fidelity-reviews/{review.id}": "charts",
        "/visits/activity": "charts",
        "/fidelity/profile": "charts",
        "/map": "geo",
    }
    return make.user("admin"), make.user("funder", funder=funder), programme, admin_pages


def scripts_fetched(page) -> dict[str, dict[str, str]]:
    """Each script's path, as the page fetches it, with its response headers."""
    fetched: dict[str, dict[str, str]] = {}

    def record(response) -> None:
        if response.request.resource_type == "script":
            path = "/" + response.url.split("/", 3)[3]
            fetched[path] = response.all_headers()

    page.on("response", record)
    return fetched


def assert_plotly_bundle(fetched: dict[str, dict[str, str]], bundle: str) -> None:
    plotly = [path for path in fetched if "plotly" in path and "plotly-csp" not in path]
    assert len(plotly) == 1, plotly
    (path,) = plotly
    assert path.startswith(f"/static/vendor/plotly-{bundle}.min.") and path.endswith(".js")
    assert path != f"/static/vendor/plotly-{bundle}.min.js"  # the hashed name
    headers = fetched[path]
    assert headers.get("content-encoding") in {"br", "gzip"}, headers
    assert "immutable" in headers["cache-control"], headers


def assert_draws_every_chart(page, fetched: dict, path: str, bundle: str) -> None:
    fetched.clear()
    response = page.goto(path)
    assert response.status == 200, path
    page.wait_for_function(ALL_DRAWN)
    assert page.locator("[data-figure-id]").count() >= 1, path
    page.wait_for_load_state("networkidle")
    assert_plotly_bundle(fetched, bundle)


def test_every_chart_page_draws_all_its_charts_with_its_bundle(
    page_and_watch, live_server, network
) -> None:
    page, watch = page_and_watch
    admin, funder, _, admin_pages = network
    log_in(page, admin.email)
    page.wait_for_url(f"{live_server}/")
    fetched = scripts_fetched(page)
    for path, bundle in admin_pages.items():
        assert_draws_every_chart(page, fetched, path, bundle)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server}/login**")
    log_in(page, funder.email)
    page.wait_for_url(f"{live_server}/**")
    assert_draws_every_chart(page, fetched, "/funded", "charts")
    watch.assert_clean()


# Notes, before the page's own scripts run, whether each chart was drawn at DOMContentLoaded.
DRAWN_AT_DOMCONTENTLOADED = """
document.addEventListener("DOMContentLoaded", () => {
  window.__drawnAtDomContentLoaded = [...document.querySelectorAll("[data-figure-id]")]
    .map((chart) => Boolean(chart.querySelector(".main-svg .trace")));
});
"""


def test_a_chart_on_the_first_screen_is_drawn_before_domcontentloaded(
    page_and_watch, live_server, network
) -> None:
    page, watch = page_and_watch
    admin, _, programme, _ = network
    log_in(page, admin.email)
    page.wait_for_url(f"{live_server}/")
    page.set_viewport_size({"width": 1280, "height": 2400})  # the chart on the first screen
    page.add_init_script(DRAWN_AT_DOMCONTENTLOADED)

    page.goto(f"/programmes/{programme.id}", wait_until="domcontentloaded")
    page.wait_for_function("() => window.__drawnAtDomContentLoaded !== undefined")
    assert page.evaluate("() => window.__drawnAtDomContentLoaded") == [True]
    watch.assert_clean()
