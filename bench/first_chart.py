"""First chart page: how long a browser with an empty cache takes to show a page's charts.

Headless Chromium (Debian's /usr/bin/chromium, through Playwright) opens each chart page in a new
browser context, so nothing is cached, with the session cookie of a logged-in user. From the
page's own performance timeline (milliseconds from the start of the navigation) it reads:
- ttfb, html: responseStart and responseEnd of the page itself (the server's time, the transfer);
- fcp: the first contentful paint;
- js: responseEnd of the Plotly bundle; plotly: when the bundle had run (window.Plotly was set);
- dcl: DOMContentLoaded (its end); load: the load event (its end);
- chart: when the first chart held drawn traces; drawn: when every chart did (a MutationObserver
  watches for them);
and the bytes transferred per resource (transferSize: compressed size plus headers).

Standalone, against a running server (log in once: the login is rate limited):
    .venv/bin/python -m bench.first_chart --url http://127.0.0.1:8000 \\
        --email admin@demo.ips.example --password ... /programmes/1 /sites/1 /map
`bench.run` calls `measure_pages` with a session cookie instead of a login.
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"  # Debian's; never `playwright install` (RECIPES.md)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TIMEOUT_MS = 30_000

# Runs in the page before any of its scripts: notes when the first chart SVG appears and when
# every chart element holds a drawn trace (scatter, bar and scattergeo traces are `g.trace`,
# a heatmap is `g.hm`). Playwright injects it outside the page's CSP.
WATCH_CHARTS = """
(() => {
  const marks = (window.__chartMarks = {});
  let plotly;
  Object.defineProperty(window, "Plotly", {
    configurable: true,
    get: () => plotly,
    set: (value) => {
      plotly = value;
      if (marks.plotly === undefined) marks.plotly = performance.now();
    },
  });
  const drawn = (chart) => chart.querySelector(".main-svg .trace, .main-svg .hm");
  const check = () => {
    const charts = Array.from(document.querySelectorAll("[data-figure-id]"));
    if (!charts.length) return;
    if (marks.chart === undefined && charts.some(drawn)) marks.chart = performance.now();
    if (marks.drawn === undefined && charts.every(drawn)) {
      marks.drawn = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true });
})();
"""

READ_TIMINGS = r"""
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  const bundle = performance.getEntriesByType("resource")
    .find((r) => /plotly-(?!csp)[^/]*\.js$/.test(r.name));
  return {
    ttfb: nav.responseStart,
    js: bundle ? bundle.responseEnd : null,
    html: nav.responseEnd,
    dcl: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
    fcp: fcp ? fcp.startTime : null,
    plotly: window.__chartMarks.plotly ?? null,
    chart: window.__chartMarks.chart ?? null,
    drawn: window.__chartMarks.drawn ?? null,
    charts: document.querySelectorAll("[data-figure-id]").length,
    resources: [
      { name: location.pathname, bytes: nav.transferSize, body: nav.decodedBodySize,
        end: nav.responseEnd },
      ...performance.getEntriesByType("resource").map((r) => ({
        name: new URL(r.name).pathname, bytes: r.transferSize, body: r.decodedBodySize,
        end: r.responseEnd,
      })),
    ],
  };
}
"""

MEASURES = ("ttfb", "html", "fcp", "js", "plotly", "dcl", "load", "chart", "drawn")


@dataclass(frozen=True)
class Resource:
    name: str
    bytes: int  # transferred: compressed body and headers
    body: int  # decoded


@dataclass(frozen=True)
class PageLoad:
    path: str
    times: dict[str, float | None]  # MEASURES, in ms from the navigation's start
    charts: int
    resources: tuple[Resource, ...]

    @property
    def transferred(self) -> int:
        return sum(r.bytes for r in self.resources)


@dataclass(frozen=True)
class PageSummary:
    """Medians of the cold loads of one page."""

    path: str
    runs: int
    medians: dict[str, float | None]
    charts: int
    transferred: int
    resources: tuple[Resource, ...]

    def seconds(self, name: str) -> float | None:
        value = self.medians[name]
        return None if value is None else value / 1000

    @property
    def drawn(self) -> float:
        """Seconds from the start of the navigation until every chart was drawn (median)."""
        value = self.seconds("drawn")
        return math.inf if value is None else value


def available() -> bool:
    """Whether Chromium and Playwright are here to drive it."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def log_in(browser: Any, base_url: str, email: str, password: str) -> dict[str, Any]:
    """Logs in through the form once; returns the storage state (the session cookie)."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Log in").click()
    try:
        page.wait_for_url(lambda url: "/login" not in url, timeout=10_000)
    except Exception as error:
        raise RuntimeError(f"could not log in as {email}") from error
    state = context.storage_state()
    context.close()
    return state


def cookie_state(base_url: str, cookie: str) -> dict[str, Any]:
    """Storage state holding one `name=value` cookie for base_url's host."""
    name, _, value = cookie.partition("=")
    host = base_url.split("://", 1)[1].split("/", 1)[0].split(":")[0]
    return {
        "cookies": [{"name": name, "value": value, "domain": host, "path": "/"}],
        "origins": [],
    }


def load_once(browser: Any, base_url: str, state: dict[str, Any], path: str) -> PageLoad:
    """One load of `path` with an empty cache (a new context), until its charts are drawn."""
    context = browser.new_context(base_url=base_url, storage_state=state)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        context.add_init_script(WATCH_CHARTS)
        page = context.new_page()
        response = page.goto(path, wait_until="load")
        if response is None or response.status != 200:
            raise RuntimeError(f"{path} answered {response and response.status}")
        if not page.url.endswith(path):
            raise RuntimeError(f"{path} led to {page.url}: is the session still valid?")
        page.wait_for_function(
            "() => !document.querySelector('[data-figure-id]')"
            " || window.__chartMarks.drawn !== undefined"
        )
        page.wait_for_function("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
        found = page.evaluate(READ_TIMINGS)
    finally:
        context.close()
    return PageLoad(
        path=path,
        times={name: found[name] for name in MEASURES},
        charts=found["charts"],
        resources=tuple(
            Resource(r["name"], int(r["bytes"]), int(r["body"])) for r in found["resources"]
        ),
    )


def summarise(loads: Sequence[PageLoad]) -> PageSummary:
    medians: dict[str, float | None] = {}
    for name in MEASURES:
        values = [x.times[name] for x in loads if x.times[name] is not None]
        medians[name] = statistics.median(values) if values else None
    middle = sorted(loads, key=lambda x: x.transferred)[len(loads) // 2]
    return PageSummary(
        path=loads[0].path,
        runs=len(loads),
        medians=medians,
        charts=loads[0].charts,
        transferred=middle.transferred,
        resources=middle.resources,
    )


def measure_pages(
    base_url: str, state: dict[str, Any], paths: Sequence[str], runs: int, warm_up: int = 1
) -> Iterator[PageSummary]:
    """Each path loaded `warm_up` + `runs` times, each with an empty cache; medians of `runs`."""
    with chromium() as browser:
        for path in paths:
            loads = [load_once(browser, base_url, state, path) for _ in range(warm_up + runs)]
            yield summarise(loads[warm_up:])


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def table(summaries: Sequence[PageSummary]) -> str:
    lines = [
        "| page | charts | " + " | ".join(f"{m} ms" for m in MEASURES) + " | KB transferred |",
        "| --- | ---: | " + " | ".join("---:" for _ in MEASURES) + " | ---: |",
    ]
    for s in summaries:
        times = " | ".join(_ms(s.medians[m]) for m in MEASURES)
        lines.append(f"| {s.path} | {s.charts} | {times} | {s.transferred / 1024:.0f} |")
    return "\n".join(lines)


def resources_table(summary: PageSummary) -> str:
    lines = [f"{summary.path}:"]
    for r in sorted(summary.resources, key=lambda r: -r.bytes):
        lines.append(f"  {r.bytes / 1024:8.1f} KB ({r.body / 1024:8.1f} KB decoded)  {r.name}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the running server's base URL")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--resources", action="store_true", help="bytes per resource too")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    with chromium() as browser:
        state = log_in(browser, args.url, args.email, args.password)
    summaries = []
    for summary in measure_pages(args.url, state, args.paths, args.runs):
        summaries.append(summary)
        print(table([summary]).splitlines()[-1], flush=True)
        if args.resources:
            print(resources_table(summary), flush=True)
    print(table(summaries))


if __name__ == "__main__":
    main()
