"""The hostile values every test here sends, and what "nothing written" is checked against."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from core.extensions import db as _db
from portal import create_app

BIG_IDS = (2147483648, 0, 99999999999999999999)
BAD_MONTHS = ("0000-01", "1989-12", "2101-01", "9999-12")
BAD_DAYS = ("0001-01-01", "1989-12-31", "2101-01-01", "9999-12-31")
BAD_TEXTS = ("a\x00b", "a\ud800b")
BAD_COUNTS = (1_000_001, 2147483648, 99999999999999999999)
BAD_NUMBERS = (1e300, 1_000_001.5)


def _listing_app() -> Any:
    return create_app("test")


# An app to read routes and the OpenAPI document from while the tests are collected.
LISTING_APP = _listing_app()


def count_rows() -> int:
    """Every row of every table, in one query: what "nothing written" is checked against."""
    tables = _db.metadata.sorted_tables
    total = sa.literal(0)
    for table in tables:
        total = total + sa.select(sa.func.count()).select_from(table).scalar_subquery()
    return int(_db.session.scalar(sa.select(total)))
