"""Counts the SQL statements a block of code sends, to prove pages do not query per row."""

from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def count_queries(engine):
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
