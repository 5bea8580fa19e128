"""Counts the SQL statements a block of code sends, to prove pages do not query per row."""

import re
from contextlib import contextmanager

import sqlalchemy as sa

# The savepoints SQLAlchemy emits for the test's rolled-back transaction (tests/conftest.py): they
# stand in for the app's BEGIN and COMMIT, which are not statements here either, so none counts.
HARNESS = re.compile(r"(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT) sa_savepoint_\d+")


@contextmanager
def count_queries(engine):
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not HARNESS.fullmatch(statement):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
