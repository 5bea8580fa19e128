"""The benchmark end to end at two small sizes, in-process, on the test databases. Nothing is
timed here: the generator writes what it says, every scenario answers 200, the bare SQL runs on
both databases and agrees with the app, the naive baseline computes the same figures, and each
page sends as many queries at 20 sites as at 50."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import sqlalchemy as sa

from bench import bare_sql, first_chart
from bench.generate import SIZES, TRAINERS, generate
from bench.naive import naive_programme_context
from bench.scenarios import (
    Budget,
    clients_for,
    logged_in_request,
    route_exists,
    scenarios_for,
    time_bare,
    time_scenario,
)
from config import ROOT
from programme.figures import programme_sites
from programme.models import Programme
from programme.queries import progress_of
from sites.models import MonthlyReturn, Site
from tests.conftest import POSTGRES_URL, empty_database
from training.models import Assignment, FidelityReview, FidelityScore, Visit


def _count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _query_counts(app, network) -> dict[str, int]:
    """Each built scenario once after one warm-up: its query count (a non-200 raises)."""
    facts = bare_sql.facts_for(network)
    clients = clients_for(app, network)
    counts = {}
    for scenario in scenarios_for(network, facts.last_page):
        if not route_exists(app, scenario.path):
            continue
        timing = time_scenario(app, clients, scenario, Budget(1), warm_up=1, collect=False)
        counts[scenario.key] = timing.query_count
        if scenario.bare is not None:
            time_bare(app, scenario.bare, facts, Budget(1))
    return counts


@pytest.mark.commits  # the generator and the bare SQL use db.engine's own connections
def test_benchmark_at_two_small_sizes(app, db):
    tiny = generate(SIZES["tiny"], seed=7)

    # 20 sites x 24 months of returns; 80 reviews of 25 items; 200 visits; one trainer per
    # site, so the first of the 10 trainers has 20 / 10 sites.
    assert _count(db, Site) == 20
    assert _count(db, MonthlyReturn) == 480
    assert _count(db, FidelityReview) == 80
    assert _count(db, FidelityScore) == 80 * 25
    assert _count(db, Visit) == 200
    assert _count(db, Assignment, Assignment.user_id == tiny.trainer_id) == 20 // TRAINERS
    assert tiny.counts["monthly_return"] == 480
    assert tiny.counts["user_account"] == 1 + TRAINERS

    # The bare SQL and the naive page work out the same job starts and late returns as the app.
    facts = bare_sql.facts_for(tiny)
    programme = db.session.get(Programme, tiny.largest_programme_id)
    ours = progress_of([programme], tiny.today)[programme.id]
    with db.engine.connect() as connection:
        assert bare_sql.achieved(connection, facts) == ours.achieved > 0
    figures = programme_sites(programme, tiny.today)
    with logged_in_request(app, f"/programmes/{programme.id}", tiny.admin_id):
        naive = naive_programme_context(programme.id, tiny.today)
    assert naive["progress"] == ours
    assert naive["sites"] == figures
    assert len(figures) == tiny.largest_programme_sites

    at_20 = _query_counts(app, tiny)
    assert {"programme", "progress_api", "site", "my_sites"} <= at_20.keys()

    empty_database()
    small = generate(SIZES["small"], seed=7)
    assert _count(db, Site) == 50
    assert _count(db, MonthlyReturn) == 50 * 24
    assert small.trainer_sites == 50 // TRAINERS
    at_50 = _query_counts(app, small)

    assert at_50 == at_20


def test_make_bench_small_runs_whole_with_load_and_import(tmp_path):
    """What `make bench SIZE=small` runs, gunicorn and the import included, on the databases
    the suite has (PostgreSQL in its own `bench` database), writing its table to a temporary
    file. Every row of the table is there and every request answered."""
    output = tmp_path / "RESULTS.md"
    env = dict(os.environ)
    if POSTGRES_URL:
        env["BENCH_DATABASE_URL"] = POSTGRES_URL
    databases = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
    command = [sys.executable, "-m", "bench.run", "--size", "small"]
    command += ["--database", "both" if POSTGRES_URL else "sqlite"]
    finished = subprocess.run(
        [*command, "--output", str(output)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    table = output.read_text(encoding="utf-8")
    for name in databases:
        page = re.search(rf"\| Largest programme's page \| {name} \| (\d+) \| (\d+) \|", table)
        assert page and page.group(1) == page.group(2)
        assert f"| Naive programme page (baseline) | {name} |" in table
        assert f"| Import of 5,000 rows (0.2 MB CSV) | {name} |" in table
    assert "not built yet" not in table
    load_errors = re.findall(r"\d+ requests, (\d+) errors", table)
    assert len(load_errors) == 2 * len(databases) and set(load_errors) == {"0"}
    if first_chart.available():  # the programme page opened in Chromium, its chart drawn
        for name in databases:
            visit = r"First visit, empty cache \(Chromium\): /programmes/\d+, 1 chart drawn"
            assert re.search(rf"\| {visit} \| {name} \|", table), table
