"""Test fixtures: the app on every available database, a clean database per test, logins by role
and factories for the domain's records.

The suite runs on SQLite always, and on PostgreSQL when TEST_DATABASE_URL is set or a server
answers on 127.0.0.1:5432. With REQUIRE_POSTGRES=1 (CI) a missing server fails the run.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from core.extensions import db as _db
from portal import create_app
from tests.factories import Factory

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return DEFAULT_POSTGRES
    except OSError:
        return None


POSTGRES_URL = _postgres_url()
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("REQUIRE_POSTGRES") == "1" and not POSTGRES_URL:
        pytest.exit("REQUIRE_POSTGRES=1 but no PostgreSQL answers (set TEST_DATABASE_URL)", 3)


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production. (The `db` fixture keeps one open
    for the test; Flask would otherwise reuse it, and `g` would leak from request to request.)"""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _postgres_schema_url(base: str) -> tuple[str, str, dict]:
    schema = f"test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(base)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return base, schema, {"connect_args": {"options": f"-csearch_path={schema}"}}


@pytest.fixture(scope="session", params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.db'}"
        engine_options: dict = {}
    else:
        url, schema, engine_options = _postgres_schema_url(POSTGRES_URL)
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=engine_options)
    app.config["BACKEND"] = request.param
    app.test_client_class = FreshContextClient
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    if schema:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def empty_database() -> None:
    _db.session.rollback()
    tables = list(reversed(_db.metadata.sorted_tables))
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture
def db(app) -> Iterator:
    """The database, emptied after the test."""
    with app.app_context():
        yield _db
        empty_database()
        _db.session.remove()


@pytest.fixture
def make(db) -> Factory:
    return Factory(db)


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def login_as(client, make):
    """login_as("funder") logs the test client in as a new user of that role and returns it."""

    def login(role_or_user, **scope):
        user = (
            role_or_user if not isinstance(role_or_user, str) else make.user(role_or_user, **scope)
        )
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return user

    return login


@pytest.fixture
def api(client, make):
    """api("admin").get(...) calls the JSON API with a bearer token of a new user of that role."""

    class Caller:
        def __init__(self, user, token):
            self.user = user
            self.headers = {"Authorization": f"Bearer {token}"}

        def __getattr__(self, method):
            def call(path, **kwargs):
                headers = {**self.headers, **kwargs.pop("headers", {})}
                return getattr(client, method)(path, headers=headers, **kwargs)

            return call

    def caller(role_or_user, **scope):
        user = (
            role_or_user if not isinstance(role_or_user, str) else make.user(role_or_user, **scope)
        )
        return Caller(user, make.token(user))

    return caller


# --- browser tests: Debian's Chromium driven by Playwright against a live server ------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run on SQLite only: deselect their PostgreSQL variants (the server's threads
    and the test share one database; one backend is enough to drive the pages)."""
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("app") == "postgresql"
        (drop if on_postgres and item.get_closest_marker("browser") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the session (never `playwright install`: see RECIPES.md)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app, db) -> Iterator[str]:
    """The app served on 127.0.0.1 on a free port in a background thread; yields the base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
