"""The timed scenarios: pages and API calls through the test client, each after a warm-up, with
the number of SQL statements it sends; the bare SQL of each; and the naive programme page.

Each request runs in its own app context (as in production), so nothing is cached between runs
but what the app itself caches. Query counts come from an engine event listener.
"""

from __future__ import annotations

import cProfile
import gc
import io
import math
import pstats
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_login import login_user
from werkzeug.exceptions import MethodNotAllowed, NotFound

from accounts.models import User
from accounts.sessions import SESSION_KEY, start_session
from bench import bare_sql, naive
from bench.bare_sql import Facts
from bench.generate import Network
from core.extensions import db

WARM_UP = 2
SITE_PACKAGES = sa.__file__.split("sqlalchemy")[0]
EXPORTS = ("returns", "progress", "fidelity")


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    path: str
    role: str = "admin"  # "admin" or "trainer"
    api: bool = False  # called with a bearer token, not a session

    @property
    def bare(self) -> Callable[[sa.Connection, Facts], list[Any]] | None:
        return bare_sql.BARE.get(self.key)


def scenarios_for(network: Network, last_page: int) -> list[Scenario]:
    pid = network.largest_programme_id
    listed = [
        Scenario("layout", "Account page: the layout alone, for reference (no goal)", "/account"),
        Scenario("dashboard", "Network dashboard", "/"),
        Scenario("programme", "Largest programme's page", f"/programmes/{pid}"),
        Scenario(
            "progress_api",
            "Progress API of the largest programme",
            f"/api/v1/programmes/{pid}/progress",
            api=True,
        ),
        Scenario(
            "sites_filtered",
            "Sites list, filtered by region and band, page 1",
            f"/sites/?region={network.region}&band={network.band}",
        ),
        Scenario(
            "sites_last_page",
            f"Sites list, unfiltered, last page ({last_page})",
            f"/sites/?page={last_page}",
        ),
        Scenario("site", "A site's page", f"/sites/{network.site_id}"),
        Scenario("heatmap", "Fidelity heatmap", "/fidelity/profile"),
        Scenario(
            "my_sites",
            f"Trainer's My sites ({network.trainer_sites} sites)",
            "/my-sites",
            role="trainer",
        ),
        Scenario("late_returns", "Late returns", "/returns/late"),
    ]
    for name in EXPORTS:
        for extension in ("csv", "xlsx"):
            listed.append(
                Scenario(
                    f"export_{name}",
                    f"Export {name}.{extension} of the largest programme",
                    f"/api/v1/exports/{name}.{extension}?programme_id={pid}",
                    api=True,
                )
            )
    return listed


def route_exists(app: Flask, path: str) -> bool:
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(path.split("?")[0], method="GET")
    except (NotFound, MethodNotAllowed):
        return False
    return True


# Counting and timing ------------------------------------------------------------------------


@dataclass
class Statement:
    sql: str
    parameters: Any
    seconds: float


class QueryCounter:
    """Counts the statements sent on an engine, with the time spent in the driver's execute."""

    def __init__(self, engine: sa.Engine, keep: bool = False) -> None:
        self.engine = engine
        self.keep = keep
        self.count = 0
        self.seconds = 0.0
        self.statements: list[Statement] = []
        self._started = 0.0

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.count += 1
        self._started = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        spent = time.perf_counter() - self._started
        self.seconds += spent
        if self.keep:
            self.statements.append(Statement(statement, parameters, spent))

    def __enter__(self) -> QueryCounter:
        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        sa.event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc: Any) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._before)
        sa.event.remove(self.engine, "after_cursor_execute", self._after)


@dataclass
class Timing:
    requested: int = 0  # the runs asked for; fewer when a slow page spent its time budget
    seconds: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    sql_seconds: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def query_count(self) -> int:
        """The count of the runs (they agree unless the page's statements vary run to run)."""
        return statistics.mode(self.queries)

    @property
    def runs(self) -> int:
        return len(self.seconds)

    @property
    def counts_vary(self) -> bool:
        return len(set(self.queries)) > 1

    @property
    def sql_p50(self) -> float:
        return statistics.median(self.sql_seconds)


def engine_of(app: Flask) -> sa.Engine:
    with app.app_context():
        return db.engine


@dataclass
class Clients:
    """Test clients: staff and the trainer logged in with a session, the API with a token."""

    pages: dict[str, FlaskClient]
    api: dict[str, dict[str, str]]

    def call(self, scenario: Scenario) -> Any:
        if scenario.api:
            client = self.pages["anonymous"]
            return client.get(scenario.path, headers=self.api[scenario.role])
        return self.pages[scenario.role].get(scenario.path)


def clients_for(app: Flask, network: Network) -> Clients:
    pages = {"anonymous": app.test_client()}
    for role, user_id in (("admin", network.admin_id), ("trainer", network.trainer_id)):
        client = app.test_client()
        with app.app_context():  # signed in as logging in does: a live server-side session
            key = start_session(db.session.get(User, user_id), "bench")
            db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = str(user_id)
            session["_fresh"] = True
            session[SESSION_KEY] = key
        pages[role] = client
    api = {
        "admin": {"Authorization": f"Bearer {network.admin_token}"},
        "trainer": {"Authorization": f"Bearer {network.trainer_token}"},
    }
    return Clients(pages, api)


class ScenarioFailed(AssertionError):
    pass


def _answer(clients: Clients, scenario: Scenario) -> None:
    response = clients.call(scenario)
    response.get_data()
    response.close()
    if response.status_code != 200:
        raise ScenarioFailed(f"{scenario.path} answered {response.status_code}")


@dataclass(frozen=True)
class Budget:
    """How many timed runs: `runs`, unless they pass `seconds` in all, and then no fewer than
    `least`. A slow page (an export of many rows) gets fewer runs, and the table says so."""

    runs: int
    seconds: float = math.inf
    least: int = 5

    def more(self, done: int, spent: float) -> bool:
        return done < self.runs and (done < self.least or spent < self.seconds)


SLOW_WARM_UP = 0.3  # a first run slower than this is warm-up enough


def time_scenario(
    app: Flask,
    clients: Clients,
    scenario: Scenario,
    budget: Budget,
    warm_up: int = WARM_UP,
    collect: bool = True,
) -> Timing:
    """Timed requests after `warm_up` untimed ones; `collect` first clears the garbage that
    earlier scenarios left, so that none of their collection lands in these timings."""
    engine = engine_of(app)
    for _ in range(warm_up):
        started = time.perf_counter()
        _answer(clients, scenario)
        if time.perf_counter() - started > SLOW_WARM_UP:
            break
    timing = Timing(requested=budget.runs)
    if collect:
        gc.collect()
    while budget.more(len(timing.seconds), sum(timing.seconds)):
        with QueryCounter(engine) as counter:
            started = time.perf_counter()
            _answer(clients, scenario)
            timing.seconds.append(time.perf_counter() - started)
        timing.queries.append(counter.count)
        timing.sql_seconds.append(counter.seconds)
    return timing


def time_bare(
    app: Flask, bare: Callable[[sa.Connection, Facts], list[Any]], facts: Facts, budget: Budget
) -> Timing:
    engine = engine_of(app)
    timing = Timing(requested=budget.runs)
    warm_up = WARM_UP
    while budget.more(len(timing.seconds), sum(timing.seconds)):
        with QueryCounter(engine) as counter:
            started = time.perf_counter()
            with engine.connect() as connection:
                bare(connection, facts)
                connection.rollback()
            spent = time.perf_counter() - started
        if warm_up:
            warm_up = 0 if spent > SLOW_WARM_UP else warm_up - 1
            continue
        timing.seconds.append(spent)
        timing.queries.append(counter.count)
        timing.sql_seconds.append(counter.seconds)
    return timing


@contextmanager
def logged_in_request(app: Flask, path: str, user_id: int) -> Iterator[None]:
    with app.test_request_context(path):
        login_user(db.session.get(User, user_id))
        yield


def time_naive(app: Flask, network: Network, budget: Budget) -> Timing:
    engine = engine_of(app)
    path = f"/programmes/{network.largest_programme_id}"
    timing = Timing(requested=budget.runs)
    warm_up = WARM_UP
    while budget.more(len(timing.seconds), sum(timing.seconds)):
        with QueryCounter(engine) as counter:
            started = time.perf_counter()
            with logged_in_request(app, path, network.admin_id):
                naive.naive_programme_page(network.largest_programme_id, network.today)
            spent = time.perf_counter() - started
        if warm_up:
            warm_up -= 1
            continue
        timing.seconds.append(spent)
        timing.queries.append(counter.count)
        timing.sql_seconds.append(counter.seconds)
    return timing


# Looking into a page that misses ------------------------------------------------------------


@dataclass
class Diagnosis:
    areas: list[tuple[str, float]]  # own time under cProfile by area, largest first
    profile: str  # cProfile's top functions by own time
    sql_seconds: float
    seconds: float
    slowest: list[Statement]
    plan: str | None  # EXPLAIN ANALYZE of the slowest statement (PostgreSQL)


AREAS = (
    ("/templates/", "templates (compiled Jinja)"),
    ("nhsuk_frontend_jinja", "templates (compiled Jinja)"),
    ("/jinja2/", "Jinja runtime"),
    ("/sqlalchemy/", "SQLAlchemy"),
    ("/psycopg", "driver (psycopg)"),
    ("sqlite3", "driver (sqlite3)"),
    ("/plotly/", "Plotly"),
    ("/_plotly_utils/", "Plotly"),
    ("json", "JSON"),
    ("/werkzeug/", "Flask and Werkzeug"),
    ("/flask", "Flask and Werkzeug"),
    ("/markupsafe/", "Jinja runtime"),
    ("/portal/", "app code"),
    ("/sites/", "app code"),
    ("/programme/", "app code"),
    ("/training/", "app code"),
)


def _area(filename: str, function: str) -> str:
    where = f"{filename} {function}"
    for marker, area in AREAS:
        if marker in where:
            return area
    return "other (standard library, builtins)"


def diagnose(app: Flask, clients: Clients, scenario: Scenario, top: int = 12) -> Diagnosis:
    """One more run of the page under cProfile, keeping its statements; on PostgreSQL, the plan
    of its slowest statement as run."""
    engine = engine_of(app)
    gc.collect()
    profiler = cProfile.Profile()
    with QueryCounter(engine, keep=True) as counter:
        started = time.perf_counter()
        profiler.enable()
        _answer(clients, scenario)
        profiler.disable()
        seconds = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    areas: Counter[str] = Counter()
    for (filename, _, function), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        areas[_area(filename, function)] += own
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    slowest = sorted(counter.statements, key=lambda s: -s.seconds)[:3]
    plan = None
    if engine.dialect.name == "postgresql" and slowest:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + slowest[0].sql, slowest[0].parameters
            ).all()
            plan = "\n".join(row[0] for row in rows)
            connection.rollback()
    return Diagnosis(
        areas=areas.most_common(),
        profile=_trim_profile(out.getvalue()),
        sql_seconds=counter.seconds,
        seconds=seconds,
        slowest=slowest,
        plan=plan,
    )


def _trim_profile(text: str) -> str:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    kept = [line.rstrip() for line in lines[start:] if line.strip()]
    return "\n".join(line.replace(SITE_PACKAGES, "") for line in kept)
