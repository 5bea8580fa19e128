"""Where the benchmark runs: a fresh SQLite file in a temporary folder, or a database named `bench`
on the PostgreSQL server of BENCH_DATABASE_URL (created when missing), so that the tests'
database is never touched. Either way the schema is built by the migrations, so that the indexes
under test are the real ones."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import flask_migrate
import sqlalchemy as sa
from flask import Flask

from core.extensions import db
from portal import create_app

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "bench"
SQLITE_FILE = "bench.db"


def server_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_SERVER


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / SQLITE_FILE}"


def postgres_url(server: str | None = None) -> str:
    """The URL of the `bench` database on the server, which is created when missing."""
    url = sa.make_url(server or server_url())
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": BENCH_DATABASE},
            )
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{BENCH_DATABASE}"')
    finally:
        engine.dispose()
    return url.set(database=BENCH_DATABASE).render_as_string(hide_password=False)


def postgres_available(server: str | None = None) -> bool:
    engine = sa.create_engine(server or server_url())
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def bench_app(url: str) -> Flask:
    """The app as tests build it (no CSRF, no rate limit), on `url`, with production's engine
    options (pool_pre_ping)."""
    return create_app("test", SQLALCHEMY_DATABASE_URI=url)


def fresh_schema(app: Flask) -> None:
    """Drop whatever the bench database holds (a SQLite file is deleted) and build the schema
    with the migrations."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
        else:
            path = Path(db.engine.url.database or "")
            if path.name != SQLITE_FILE:  # only ever the file sqlite_url made
                raise ValueError(f"not a benchmark database: {path}")
            db.engine.dispose()
            for leftover in path.parent.glob(SQLITE_FILE + "*"):
                leftover.unlink()
        # migrations/env.py configures logging for the command line (and disables the loggers
        # it does not name): put everything back afterwards.
        root = logging.getLogger()
        level, handlers = root.level, list(root.handlers)
        loggers = {
            name: logger.disabled
            for name, logger in logging.root.manager.loggerDict.items()
            if isinstance(logger, logging.Logger)
        }
        flask_migrate.upgrade()
        root.setLevel(level)
        root.handlers[:] = handlers
        for name, logger in logging.root.manager.loggerDict.items():
            if isinstance(logger, logging.Logger):
                logger.disabled = loggers.get(name, False)
        db.session.remove()
        db.engine.dispose()
