"""In a real browser: a programme page draws its chart with Plotly's cartesian bundle and the map
page with the geo bundle, each fetched by its hashed name, compressed and cacheable for ever;
never the full plotly.min.js. No console error, nothing from another host."""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser.pages import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def programme_and_admin(make):
    programme = make.programme(name="Making IPS Work", starts_on=date(2020, 1, 1))
    site = make.site(name="Bradford IPS", latitude=53.79, longitude=-1.75)
    make.participation(programme, site)
    for month in range(1, 13):
        make.monthly_return(site, date(2020, month, 1), job_starts=2 + month % 3)
    return programme, make.user("admin")


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


def test_a_programme_page_draws_its_chart_with_the_cartesian_bundle(
    page_and_watch, live_server, programme_and_admin
) -> None:
    page, watch = page_and_watch
    programme, admin = programme_and_admin
    log_in(page, admin.email)
    page.wait_for_url(f"{live_server}/")
    fetched = scripts_fetched(page)

    response = page.goto(f"/programmes/{programme.id}")
    assert response.status == 200
    page.wait_for_selector("[data-figure-id] svg.main-svg", state="attached")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-figure-id] svg.main-svg").count() >= 1
    assert page.locator("[data-figure-id] .scatterlayer .trace").count() >= 1
    assert_plotly_bundle(fetched, "cartesian")
    watch.assert_clean()


def test_the_map_draws_with_the_geo_bundle(
    page_and_watch, live_server, programme_and_admin
) -> None:
    page, watch = page_and_watch
    _, admin = programme_and_admin
    log_in(page, admin.email)
    page.wait_for_url(f"{live_server}/")
    fetched = scripts_fetched(page)

    response = page.goto("/map")
    assert response.status == 200
    page.wait_for_selector("#network-map .scattergeo path.point", state="attached")
    page.wait_for_load_state("networkidle")
    assert_plotly_bundle(fetched, "geo")
    watch.assert_clean()
