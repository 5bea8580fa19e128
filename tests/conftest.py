"""Test fixtures: the app on every available database, a clean database per test, logins by role
and factories for the domain's records.

The suite runs on SQLite always, and on PostgreSQL when TEST_DATABASE_URL is set or a server
answers on 127.0.0.1:5432. With REQUIRE_POSTGRES=1 (CI) a missing server fails the run.

A clean database per test: each test that uses `db` runs inside one transaction on one
connection, rolled back at its end (SQLAlchemy's "Joining a Session into an External
Transaction"). `db.session` is swapped for a scoped session bound to that connection with
join_transaction_mode="create_savepoint", so the app's own `commit()` only releases a SAVEPOINT.
Every app context (the test's, and the new one FreshContextClient opens per request) gets its own
session on that same connection, so requests see what the test wrote and the test sees what the
requests committed. On SQLite the connection uses SQLAlchemy's documented pysqlite recipe
(isolation_level=None on the DBAPI connection, BEGIN emitted by us), without which SAVEPOINT does
not take part in the outer transaction. Caveat: savepoints nest, so if the test's own session has
begun a transaction before a request, a `db.session.rollback()` in the test afterwards also undoes
what that request committed; commit, `refresh()` or `expire_all()` instead. On PostgreSQL a
rollback does not rewind sequences, so ids no longer restart at 1 in each test (none relies on it).
tests/query_counter.py leaves these SAVEPOINT statements out of its counts.

Opt-in to the old behaviour, `@pytest.mark.commits`: the test's writes are really committed and
every table is emptied (TRUNCATE ... RESTART IDENTITY on PostgreSQL) after it. For tests where
other connections must see the data, which one uncommitted transaction cannot give them:
- every test using `live_server` (all of tests/browser), marked automatically below: the server
  answers from its own threads, several requests at once, and one DBAPI connection cannot be
  shared between threads (nor can their savepoints, which would interleave);
- tests/bench/test_bench_smoke.py: the benchmark's generator and bare SQL use `db.engine`
  directly (other connections, AUTOCOMMIT), and it calls `empty_database()` itself.
Tests that do not use `db` at all are untouched: tests/migrations/test_migrations.py (an app of
its own on an empty database), the `make bench` subprocess test, isolated_app in test_security.py
(its own SQLite file; the swapped session falls back to the current app's own engine when that app
is not the one under test), and the class-scoped demo load in test_demo.py (which empties around
itself).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session

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


class JoinedSession(Session):
    """A session that runs on the test's connection. Flask-SQLAlchemy's Session.get_bind answers
    with the app's engine and never looks at the `bind` the session was made with
    (pallets-eco/flask-sqlalchemy#1167), so without this the app would commit for real.
    Only for the app under test: another app's context (isolated_app) keeps its own engine."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None and self._db.engine is self.bind.engine:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@contextmanager
def rolled_back() -> Iterator[sa.Connection]:
    """`_db.session` bound, for the block, to one connection whose transaction is rolled back at
    its end; the session's commits are SAVEPOINT releases. Needs the app context of the app."""
    connection = _db.engine.connect()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # pysqlite would not BEGIN before a SAVEPOINT; take over BEGIN, as SQLAlchemy's docs
        # show ("Enabling Non-Legacy SQLite Transactional Modes"), for this connection only.
        dbapi_connection = connection.connection.driver_connection
        isolation_level = dbapi_connection.isolation_level
        dbapi_connection.isolation_level = None
    transaction = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    original = _db.session
    _db.session = _db._make_scoped_session(
        {"class_": JoinedSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
    )
    try:
        yield connection
    finally:
        _db.session.remove()
        _db.session = original
        if transaction.is_active:
            transaction.rollback()
        if sqlite:
            dbapi_connection.isolation_level = isolation_level
        connection.close()


@pytest.fixture
def db(app, request: pytest.FixtureRequest) -> Iterator:
    """The database, left as it was after the test: its transaction is rolled back, or, for a
    test marked `commits` (see the module's docstring), every table is emptied."""
    with app.app_context():
        if request.node.get_closest_marker("commits"):
            yield _db
            empty_database()
            _db.session.remove()
        else:
            with rolled_back():
                yield _db


@pytest.fixture
def make(db) -> Factory:
    return Factory(db)


@pytest.fixture
def client(app, db):
    return app.test_client()


def sign_in(client, user) -> str:
    """Sign the test client in as `user` as logging in does: a live server-side session
    (accounts.sessions), its key in the session cookie. Returns the key."""
    from accounts.sessions import SESSION_KEY, start_session

    key = start_session(user, "pytest")
    _db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session[SESSION_KEY] = key
    return key


@pytest.fixture
def login_as(client, make):
    """login_as("funder") logs the test client in as a new user of that role and returns it."""

    def login(role_or_user, **scope):
        user = (
            role_or_user if not isinstance(role_or_user, str) else make.user(role_or_user, **scope)
        )
        sign_in(client, user)
        return user

    return login


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


MAIL_SETTINGS = ("MAIL_HOST", "MAIL_PORT", "MAIL_TLS", "MAIL_USER", "MAIL_PASSWORD")


@pytest.fixture
def mailbox(app) -> Iterator:
    """A real SMTP server (aiosmtpd, core.mail_server.Mailbox) on a free port, with the app's
    mail settings pointed at it for the test; `mailbox.messages` are the messages it received."""
    from aiosmtpd.controller import Controller

    from core.mail_server import Mailbox

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    saved = {name: app.config[name] for name in MAIL_SETTINGS}
    app.config.update(
        MAIL_HOST="127.0.0.1", MAIL_PORT=controller.port, MAIL_TLS="none", MAIL_USER=None
    )
    try:
        yield box
    finally:
        app.config.update(saved)
        controller.stop()


@pytest.fixture
def api(client, make):
    """api("admin").get(...) calls the JSON API with a bearer token of a new user of that role.
    The token counts as used today already: its first use each day writes to the security log
    (accounts.security_log.note_token_use), which is not what the tests of a request measure;
    tests/accounts/test_security_log.py tests that write."""

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
        token = make.token(user)
        from accounts.models import ApiToken, hash_token
        from core.records import utcnow

        _db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.token_hash == hash_token(token))
            .values(last_used_on=utcnow().date())
        )
        _db.session.commit()
        return Caller(user, token)

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
    and the test share one database; one backend is enough to drive the pages). Every test that
    uses `live_server` is marked `commits`: the server's threads need committed data."""
    keep, drop = [], []
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.commits)
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
