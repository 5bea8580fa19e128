"""The migrations: one head, they build an empty database and take it down again, and they describe
exactly the tables the models declare. On SQLite always, on PostgreSQL when one answers."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from config import ROOT
from core.extensions import db
from portal import create_app
from tests.conftest import BACKENDS, POSTGRES_URL

MIGRATIONS = ROOT / "migrations"


def test_single_head_revision() -> None:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"more than one Alembic head: {heads}; merge them"


@pytest.fixture
def keep_logging() -> Iterator[None]:
    """migrations/env.py runs logging.config.fileConfig, which disables every logger that exists;
    put them back so later tests can still read the app's log."""
    manager = logging.root.manager
    disabled = {
        name: lg.disabled
        for name, lg in manager.loggerDict.items()
        if isinstance(lg, logging.Logger)
    }
    root_handlers, root_level = list(logging.root.handlers), logging.root.level
    yield
    for name, lg in manager.loggerDict.items():
        if isinstance(lg, logging.Logger):
            lg.disabled = disabled.get(name, False)
    logging.root.handlers[:] = root_handlers
    logging.root.setLevel(root_level)


@pytest.fixture(params=BACKENDS)
def empty_app(request: pytest.FixtureRequest, tmp_path, keep_logging) -> Iterator:
    """An app on a database without tables: a fresh SQLite file, or a fresh PostgreSQL schema."""
    schema = None
    if request.param == "sqlite":
        url, options = f"sqlite:///{tmp_path / 'migrations.db'}", {}
    else:
        schema = f"test_mig_{uuid.uuid4().hex[:10]}"
        engine = sa.create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        url, options = POSTGRES_URL, {"connect_args": {"options": f"-csearch_path={schema}"}}
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options)
    try:
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        if schema:
            engine = sa.create_engine(POSTGRES_URL)
            with engine.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": False}
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_builds_an_empty_database(empty_app) -> None:
    assert _tables() == set()
    flask_migrate.upgrade()
    assert _tables() == set(db.metadata.tables)


def test_downgrade_to_base_then_upgrade_again(empty_app) -> None:
    flask_migrate.upgrade()
    flask_migrate.downgrade(revision="base")
    assert _tables() == set()
    flask_migrate.upgrade()
    assert _tables() == set(db.metadata.tables)


def test_models_match_migrations(empty_app) -> None:
    flask_migrate.upgrade()
    differences = _differences()
    assert differences == [], (
        "the models and the migrations differ; write a migration "
        "(flask --app portal db migrate) and review it:\n" + "\n".join(repr(d) for d in differences)
    )
