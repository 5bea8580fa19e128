"""SQL constructs that differ by dialect: aggregates by month on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class sql_month_start(FunctionElement[Any]):  # noqa: N801  (reads like the SQL function)
    """The first day of the month of a date expression."""

    type = sa.Date()
    inherit_cache = True


@compiles(sql_month_start)
def _month_start_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(sql_month_start, "postgresql")
def _month_start_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"
