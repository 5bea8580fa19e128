"""The benchmark's command line: `python -m bench.run [--size small|default]
[--database sqlite|postgresql|both]`.

For each database: generate the network at the comparison size and time every scenario (query
counts and p50 at that size), then generate it at the full size and time every scenario, its
bare SQL and the naive programme page; serve the app with gunicorn, load it and open its chart
pages in Chromium with an empty cache (bench/first_chart.py); import a
generated CSV in a child process. Prints one markdown table (with the goals, PASS or MISS) and
writes it, with the machine and the sizes, to bench/RESULTS.md (bench/RESULTS-small.md for the
small size, so a smoke run never replaces the full results).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import csv_import, databases, first_chart, load
from bench.bare_sql import Facts, achieved, facts_for
from bench.generate import SIZES, Network, Sizes, generate
from bench.scenarios import (
    Budget,
    Diagnosis,
    Scenario,
    Timing,
    clients_for,
    diagnose,
    engine_of,
    route_exists,
    scenarios_for,
    time_bare,
    time_naive,
    time_scenario,
)
from core.extensions import db
from programme.queries import progress_of

HERE = Path(__file__).resolve().parent
PAIRS = {"default": ("tenth", "default"), "small": ("tiny", "small")}
RATIO_GOAL = 1.5
NAIVE_GOAL = 10.0
RSS_GOAL_MB = 300
FIRST_CHART_GOAL = 0.5  # seconds: a chart page opened with an empty cache, its charts drawn
NOT_BUILT = "not built yet"
DIAGNOSE_LIMIT = 3.0  # seconds: a slower page takes too long to profile within the budget


@dataclass
class Measured:
    scenario: Scenario
    built: bool
    compare: Timing | None = None
    full: Timing | None = None
    bare: Timing | None = None

    @property
    def ratio(self) -> float | None:
        if self.full is None or self.bare is None:
            return None
        return self.full.p50 / self.bare.p50

    @property
    def same_queries(self) -> bool | None:
        if self.full is None or self.compare is None:
            return None
        return self.full.query_count == self.compare.query_count and not (
            self.full.counts_vary or self.compare.counts_vary
        )


@dataclass
class DatabaseRun:
    name: str
    version: str
    compare: Network | None = None
    full: Network | None = None
    measured: list[Measured] = field(default_factory=list)
    naive_compare: Timing | None = None
    naive_full: Timing | None = None
    programme_full: Timing | None = None
    load: list[load.LoadResult] = field(default_factory=list)
    first_charts: list[first_chart.PageSummary] = field(default_factory=list)
    imported: csv_import.ImportRun | None = None
    diagnoses: dict[str, Diagnosis] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def naive_ratio(self) -> float | None:
        if self.naive_full is None or self.programme_full is None:
            return None
        return self.naive_full.p50 / self.programme_full.p50


STARTED = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


def _url(name: str, folder: Path) -> str:
    return databases.sqlite_url(folder) if name == "sqlite" else databases.postgres_url()


def _server_version(app: Any) -> str:
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            return "PostgreSQL " + db.session.scalar(sa.text("SHOW server_version"))
        return "SQLite " + sqlite3.sqlite_version


def _build(app: Any, name: str, sizes: Sizes, seed: int) -> Network:
    """A fresh schema holding the network at `sizes`. One app serves both sizes, so its
    templates are compiled once."""
    databases.fresh_schema(app)
    with app.app_context():
        network = generate(sizes, seed=seed)
        db.session.remove()
    say(f"  {name}: generated {sizes.describe()} in {network.seconds:.1f} s")
    # What is alive now lives on: keep it out of later collections, which then stay short.
    gc.collect()
    gc.freeze()
    return network


def _check_numbers(app: Any, network: Network, facts: Facts) -> list[str]:
    """The progress figures of the app against the bare SQL's: they must agree."""
    from programme.models import Programme

    with app.app_context():
        programme = db.session.get(Programme, network.largest_programme_id)
        ours = progress_of([programme], network.today)[programme.id].achieved
        with db.engine.connect() as connection:
            bare = achieved(connection, facts)
        db.session.remove()
    verdict = "agree" if ours == bare else "DISAGREE"
    return [f"Job starts of the largest programme: app {ours:,}, bare SQL {bare:,} ({verdict})"]


def bench_database(name: str, pair: tuple[str, str], args: argparse.Namespace) -> DatabaseRun:
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="ips-bench-"))
    compare_sizes, full_sizes = SIZES[pair[0]], SIZES[pair[1]]
    warm_up = 2 if args.size == "default" else 1
    budget = Budget(args.runs, seconds=args.budget)
    compare_budget = Budget(args.compare_runs, seconds=args.budget / 3, least=3)
    bare_budget = Budget(args.runs, seconds=args.budget / 2)

    say(f"{name}: the comparison network")
    app = databases.bench_app(_url(name, folder))
    compare = _build(app, name, compare_sizes, args.seed)
    run = DatabaseRun(name=name, version=_server_version(app), compare=compare)
    facts = facts_for_app(app, compare)
    clients = clients_for(app, compare)
    for scenario in scenarios_for(compare, facts.last_page):
        built = route_exists(app, scenario.path)
        measured = Measured(scenario, built)
        if built:
            measured.compare = time_scenario(app, clients, scenario, compare_budget, warm_up)
        run.measured.append(measured)
    run.naive_compare = time_naive(app, compare, Budget(3, least=3))
    engine_of(app).dispose()

    say(f"{name}: the full network")
    full = _build(app, name, full_sizes, args.seed)
    run.full = full
    facts = facts_for_app(app, full)
    run.checks = _check_numbers(app, full, facts)
    clients = clients_for(app, full)
    for measured, scenario in zip(run.measured, scenarios_for(full, facts.last_page), strict=True):
        measured.scenario = scenario
        if not measured.built:
            say(f"  {scenario.title}: {NOT_BUILT}")
            continue
        measured.full = time_scenario(app, clients, scenario, budget, warm_up)
        if scenario.bare is not None:
            measured.bare = time_bare(app, scenario.bare, facts, bare_budget)
        say(
            f"  {scenario.title}: p50 {measured.full.p50 * 1000:.1f} ms, "
            f"{measured.full.query_count} queries"
            + (f", bare SQL {measured.bare.p50 * 1000:.1f} ms" if measured.bare else "")
        )
        if scenario.key == "programme":
            run.programme_full = measured.full
    run.naive_full = time_naive(app, full, Budget(10, seconds=args.budget / 2))
    say(f"  naive programme page: p50 {run.naive_full.p50 * 1000:.0f} ms")

    for measured in run.measured if args.diagnose else []:
        if (
            measured.built
            and measured.full.p50 < DIAGNOSE_LIMIT
            and ((measured.ratio or 0) > RATIO_GOAL or measured.same_queries is False)
        ):
            run.diagnoses[measured.scenario.key] = diagnose(app, clients, measured.scenario)
    engine_of(app).dispose()

    url = str(engine_of(app).url.render_as_string(hide_password=False))
    if not args.no_load:
        say(f"{name}: gunicorn, {load.WORKERS} workers, {args.load_seconds:.0f} s per endpoint")
        pid = full.largest_programme_id
        with load.gunicorn(url) as port:
            run.load.append(
                load.drive(
                    port,
                    f"/programmes/{pid}",
                    {"Cookie": load.session_cookie(app, full.admin_id)},
                    args.load_seconds,
                )
            )
            run.load.append(
                load.drive(
                    port,
                    f"/api/v1/programmes/{pid}/progress",
                    {"Authorization": f"Bearer {full.admin_token}"},
                    args.load_seconds,
                )
            )
            if args.browser_runs:
                run.first_charts = first_chart_pages(app, name, port, full, args)
    if not args.no_import:
        rows = args.import_rows or (100_000 if pair[1] == "default" else 5_000)
        say(f"{name}: importing {rows:,} rows")
        path = folder / "returns.csv"
        site_ids = _site_ids(app)
        csv_import.write_csv(path, site_ids, rows, full.history[0])
        run.imported = csv_import.run_import(url, path, full.admin_id, full.today)
    engine_of(app).dispose()
    shutil.rmtree(folder, ignore_errors=True)
    run.seconds = time.perf_counter() - started
    return run


def first_chart_pages(
    app: Any, name: str, port: int, network: Network, args: argparse.Namespace
) -> list[first_chart.PageSummary]:
    """The chart pages (one per Plotly bundle; the programme page alone when small) opened in
    Chromium with an empty cache, as the admin, until every chart is drawn."""
    if not first_chart.available():
        say(f"{name}: no Chromium at {first_chart.CHROMIUM} (`make chromium`): chart pages untimed")
        return []
    paths = [f"/programmes/{network.largest_programme_id}"]
    if args.size == "default":
        paths += [f"/sites/{network.site_id}", "/fidelity/profile", "/map"]
    say(f"{name}: chart pages in Chromium, empty cache, {args.browser_runs} runs each")
    base = f"http://127.0.0.1:{port}"
    state = first_chart.cookie_state(base, load.session_cookie(app, network.admin_id))
    found = []
    for summary in first_chart.measure_pages(
        base, state, paths, args.browser_runs, warm_up=load.WORKERS
    ):
        say(f"  {summary.path}: charts drawn at {_ms(summary.drawn)} ms (p50)")
        found.append(summary)
    return found


def facts_for_app(app: Any, network: Network) -> Facts:
    with app.app_context():
        return facts_for(network)


def _site_ids(app: Any) -> list[int]:
    from sites.models import Site

    with app.app_context():
        ids = list(db.session.scalars(sa.select(Site.id).order_by(Site.id)))
        db.session.remove()
    return ids


# The report --------------------------------------------------------------------------------


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds * 1000:,.1f}" if seconds < 1 else f"{seconds * 1000:,.0f}"


def _p50(timing: Timing | None) -> str:
    if timing is None:
        return ""
    shown = _ms(timing.p50)
    return shown if timing.runs >= timing.requested else f"{shown} (n={timing.runs})"


def _queries(timing: Timing | None) -> str:
    if timing is None:
        return ""
    return f"{timing.query_count}" + (" (varies)" if timing.counts_vary else "")


def _flag(ok: bool | None) -> str:
    return "" if ok is None else ("PASS" if ok else "MISS")


def machine() -> dict[str, str]:
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    load_average = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "cores": str(os.cpu_count()),
        "memory": memory,
        "load": load_average,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def table(runs: list[DatabaseRun]) -> str:
    compare, full = runs[0].compare.sizes, runs[0].full.sizes
    a, b = f"{compare.sites:,}", f"{full.sites:,}"
    lines = [
        f"| Scenario | Database | Queries @{a} | Queries @{b} | p50 @{a} ms | p50 @{b} ms "
        f"| p95 @{b} ms | SQL execute in page p50 ms | Bare SQL p50 ms | Page / bare | Goals |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for n in range(len(runs[0].measured)):
        for run in runs:
            m = run.measured[n]
            title = m.scenario.title
            if not m.built:
                lines.append(f"| {title} | {run.name} | {NOT_BUILT} | | | | | | | | |")
                continue
            ratio = m.ratio
            goals = []
            if ratio is not None:
                goals.append(f"ratio {_flag(ratio <= RATIO_GOAL)}")
            goals.append(f"queries {_flag(m.same_queries)}")
            lines.append(
                f"| {title} | {run.name} | {_queries(m.compare)} | {_queries(m.full)} "
                f"| {_p50(m.compare)} | {_p50(m.full)} | {_ms(m.full.p95)} "
                f"| {_ms(m.full.sql_p50)} | {_p50(m.bare)} "
                f"| {'' if ratio is None else f'{ratio:.2f}'} | {', '.join(goals)} |"
            )
    for run in runs:
        ratio = run.naive_ratio
        lines.append(
            f"| Naive programme page (baseline) | {run.name} | {_queries(run.naive_compare)} "
            f"| {_queries(run.naive_full)} | {_p50(run.naive_compare)} "
            f"| {_p50(run.naive_full)} | {_ms(run.naive_full.p95)} "
            f"| {_ms(run.naive_full.sql_p50)} | | naive / ours {ratio:.1f}x "
            f"| {_flag(ratio >= NAIVE_GOAL)} (>= {NAIVE_GOAL:.0f}x) |"
        )
    for run in runs:
        for result in run.load:
            lines.append(
                f"| Load: GET {result.path.split('?')[0]} (gunicorn, {load.WORKERS} workers, "
                f"{load.THREADS} client threads, {result.seconds:.0f} s) | {run.name} | | "
                f"| | {_ms(result.p50)} | p99 {_ms(result.p99)} | | "
                f"| {result.rps:.1f} req/s | {result.requests:,} requests, "
                f"{result.errors} errors |"
            )
    for run in runs:
        for page in run.first_charts:
            lines.append(
                f"| First visit, empty cache (Chromium): {page.path}, {page.charts} chart"
                f"{'s' if page.charts != 1 else ''} drawn | {run.name} | | | | "
                f"{_ms(page.drawn)} | | | | {page.transferred / 1024:,.0f} KB "
                f"| HTML {_ms(page.seconds('html'))}, first paint {_ms(page.seconds('fcp'))}, "
                f"DOMContentLoaded {_ms(page.seconds('dcl'))}, load {_ms(page.seconds('load'))}"
                f" ms: {_flag(page.drawn < FIRST_CHART_GOAL)} "
                f"(< {FIRST_CHART_GOAL * 1000:.0f} ms) |"
            )
    for run in runs:
        if run.imported:
            i = run.imported
            lines.append(
                f"| Import of {i.rows:,} rows ({i.file_mb:.1f} MB CSV) | {run.name} | | | | "
                f"{i.seconds * 1000:,.0f} | | | | {i.rows / i.seconds:,.0f} rows/s "
                f"| peak RSS {i.peak_rss_mb:.0f} MB (app alone {i.before_import_mb:.0f} MB): "
                f"{_flag(i.peak_rss_mb < RSS_GOAL_MB)} (< {RSS_GOAL_MB} MB) |"
            )
    return "\n".join(lines)


def goals(runs: list[DatabaseRun]) -> list[str]:
    lines = []
    for run in runs:
        built = [m for m in run.measured if m.built]
        timed = [m for m in built if m.ratio is not None]
        ratio_misses = [m for m in timed if m.ratio > RATIO_GOAL]
        query_misses = [m for m in built if m.same_queries is False]
        lines.append(
            f"- {run.name}: p50 <= {RATIO_GOAL}x bare SQL: "
            f"{_flag(not ratio_misses)} ({len(timed) - len(ratio_misses)} of {len(timed)} pass"
            + (
                "; misses: " + ", ".join(f"{m.scenario.title} {m.ratio:.2f}x" for m in ratio_misses)
                if ratio_misses
                else ""
            )
            + ")"
        )
        lines.append(
            f"- {run.name}: same query count at {run.compare.sizes.sites:,} and "
            f"{run.full.sizes.sites:,} sites: {_flag(not query_misses)}"
            + (
                " (misses: " + ", ".join(m.scenario.title for m in query_misses) + ")"
                if query_misses
                else ""
            )
        )
        if run.naive_ratio is not None:
            lines.append(
                f"- {run.name}: programme page >= {NAIVE_GOAL:.0f}x faster than naive: "
                f"{_flag(run.naive_ratio >= NAIVE_GOAL)} ({run.naive_ratio:.1f}x)"
            )
        if run.first_charts:
            slow = [p for p in run.first_charts if p.drawn >= FIRST_CHART_GOAL]
            lines.append(
                f"- {run.name}: chart pages opened with an empty cache draw their charts in "
                f"< {FIRST_CHART_GOAL * 1000:.0f} ms (p50): {_flag(not slow)}"
                + (
                    " (misses: " + ", ".join(f"{p.path} {_ms(p.drawn)} ms" for p in slow) + ")"
                    if slow
                    else ""
                )
            )
        if run.imported:
            lines.append(
                f"- {run.name}: import of {run.imported.rows:,} rows < {RSS_GOAL_MB} MB peak "
                f"RSS: {_flag(run.imported.peak_rss_mb < RSS_GOAL_MB)} "
                f"({run.imported.peak_rss_mb:.0f} MB)"
            )
    not_built = sorted({m.scenario.title for m in runs[0].measured if not m.built})
    if not_built:
        lines.append(f"- {NOT_BUILT}: {', '.join(not_built)}")
    return lines


def diagnoses(runs: list[DatabaseRun]) -> list[str]:
    lines = []
    for run in runs:
        for key, found in run.diagnoses.items():
            title = next(m.scenario.title for m in run.measured if m.scenario.key == key)
            total = sum(seconds for _, seconds in found.areas) or 1
            areas = ", ".join(
                f"{area} {seconds / total:.0%}"
                for area, seconds in found.areas
                if seconds / total >= 0.02
            )
            lines += [
                "<details>",
                f"<summary>{run.name}: {title}: {found.seconds * 1000:,.0f} ms, of which "
                f"{found.sql_seconds * 1000:,.0f} ms in the driver's execute</summary>",
                "",
                f"Python's own time under cProfile, by area: {areas}.",
                "",
                "Slowest statements:",
                "",
            ]
            for statement in found.slowest:
                flat = " ".join(statement.sql.split())
                lines.append(f"- {statement.seconds * 1000:,.1f} ms: `{flat[:400]}`")
            if found.plan:
                lines += ["", "EXPLAIN ANALYZE of the slowest:", "", "```", found.plan, "```"]
            lines += ["", "cProfile, top functions by own time:", "", "```", found.profile, "```"]
            lines.append("</details>")
    return lines


def report(runs: list[DatabaseRun], args: argparse.Namespace, started: datetime) -> str:
    info = machine()
    compare, full = runs[0].compare.sizes, runs[0].full.sizes
    lines = [
        "# Benchmark results",
        "",
        f"Run on {started:%Y-%m-%d %H:%M} UTC with `python -m bench.run --size {args.size} "
        f"--database {args.database}` (seed {args.seed}; after a warm-up of "
        f"{2 if args.size == 'default' else 1}, "
        f"{args.runs} timed runs per scenario at the full size and {args.compare_runs} at the "
        "comparison size, the network generated at each size; a slow scenario stops once its "
        f"runs pass {args.budget:.0f} s ({args.budget / 3:.0f} s at the comparison size, "
        f"{args.budget / 2:.0f} s for its bare SQL), after at least 5 runs (3): "
        '"n=" gives its runs).',
        "",
        f"- Machine: {info['cores']} cores, {info['memory']} memory; load average at the end "
        f"{info['load']} (other engineers' test runs share the machine); Python "
        f"{info['python']}; {info['platform']}",
        "- Databases: " + "; ".join(run.version for run in runs),
        f"- Comparison size: {compare.describe()}",
        f"- Full size: {full.describe()}",
        "- Generation: "
        + "; ".join(
            f"{run.name} {run.full.seconds:.0f} s for {sum(run.full.counts.values()):,} rows"
            for run in runs
        ),
        "- Largest programme: "
        + "; ".join(
            f"{run.compare.largest_programme_sites} sites at {compare.sites:,}, "
            f"{run.full.largest_programme_sites} at {full.sites:,}"
            for run in runs[:1]
        ),
        "- Checks: " + "; ".join(f"{run.name}: {c}" for run in runs for c in run.checks),
        "- Total time: " + "; ".join(f"{run.name} {run.seconds:.0f} s" for run in runs),
        "",
        table(runs),
        "",
        "## Goals",
        "",
        *goals(runs),
        "",
    ]
    lines += [
        "Why the misses miss, what was fixed and what is left: bench/FINDINGS.md.",
        "",
    ]
    found = diagnoses(runs)
    if found:
        lines += ["## What the misses spend their time on", "", *found, ""]
    return "\n".join(lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--size", choices=sorted(PAIRS), default="default")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--runs", type=int, default=None, help="timed runs per scenario (20; 3 when small)"
    )
    parser.add_argument(
        "--compare-runs",
        type=int,
        default=None,
        help="timed runs per scenario at the comparison size (as --runs; 2 when small)",
    )
    parser.add_argument(
        "--diagnose",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="profile the pages that miss a goal (default: at the default size only)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=20.0,
        help="seconds of timed runs per scenario before a slow one stops short of --runs "
        "(at least 5 runs; a third of it at the comparison size, half for the bare SQL)",
    )
    parser.add_argument("--load-seconds", type=float, default=None)
    parser.add_argument("--import-rows", type=int, default=None)
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument(
        "--browser-runs",
        type=int,
        default=None,
        help="cold loads per chart page in Chromium, under gunicorn (5; 1 when small; 0: none)",
    )
    parser.add_argument("--no-import", action="store_true")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    full = args.size == "default"
    if args.runs is None:
        args.runs = 20 if full else 3
    if args.compare_runs is None:
        args.compare_runs = args.runs if full else 2
    if args.diagnose is None:
        args.diagnose = full
    if args.load_seconds is None:
        args.load_seconds = 8.0 if full else 1.0
    if args.browser_runs is None:
        args.browser_runs = 5 if full else 1
    if args.output is None:
        args.output = HERE / ("RESULTS.md" if args.size == "default" else "RESULTS-small.md")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    started = datetime.now(UTC)
    names = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in names and not databases.postgres_available():
        if args.database == "postgresql":
            say(f"PostgreSQL does not answer at {databases.server_url()}")
            return 2
        say("PostgreSQL does not answer: SQLite only")
        names.remove("postgresql")
    runs = [bench_database(name, PAIRS[args.size], args) for name in names]
    text = report(runs, args, started)
    print(text)
    args.output.write_text(text + "\n", encoding="utf-8")
    say(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
