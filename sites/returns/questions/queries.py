"""Reads of queries on returns: one return's queries with their answers, the open queries of a
site lead's sites, the answers to a person's queries, and open query counts for a list of
returns. Each is a fixed number of SQL queries, whatever the number of sites or returns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from core.extensions import db
from core.records import utcnow
from sites.models import MonthlyReturn, ReturnQuery, ReturnQueryAnswer, ReturnStatus, Site
from sites.returns.questions.services import OPEN, figure_label

# A person's home lists the answers to their queries while the query is open, or for this long
# after the latest answer once it is closed.
ANSWERS_SHOWN_FOR = timedelta(days=30)


_PEOPLE_AND_ANSWERS = (
    joinedload(ReturnQuery.raised_by),
    selectinload(ReturnQuery.answers).joinedload(ReturnQueryAnswer.answered_by),
)


def return_queries_select(return_id: int) -> sa.Select[Any]:
    """The return's queries, open ones first, then newest first, with who raised each and the
    answers (oldest first) and who gave them loaded: two queries in all."""
    return (
        sa.select(ReturnQuery)
        .where(ReturnQuery.return_id == return_id)
        .options(*_PEOPLE_AND_ANSWERS)
        .order_by(sa.case((ReturnQuery.status == OPEN, 0), else_=1), ReturnQuery.id.desc())
    )


def query_with_answers(query_id: int) -> ReturnQuery | None:
    """One query as saved, with who raised it and its answers loaded."""
    return db.session.scalar(
        sa.select(ReturnQuery)
        .where(ReturnQuery.id == query_id)
        .options(*_PEOPLE_AND_ANSWERS)
        .execution_options(populate_existing=True)
    )


def return_queries(return_id: int) -> list[ReturnQuery]:
    return list(db.session.scalars(return_queries_select(return_id)).unique())


def open_query_counts(return_ids: Iterable[int]) -> dict[int, int]:
    """Open queries per return, for the returns given (absent: none): one query."""
    ids = list(return_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(ReturnQuery.return_id, sa.func.count(ReturnQuery.id))
        .where(ReturnQuery.return_id.in_(ids), ReturnQuery.status == OPEN)
        .group_by(ReturnQuery.return_id)
    )
    return {return_id: count for return_id, count in rows}


@dataclass(frozen=True)
class QueryableReturn:
    month: date
    status: str
    open_queries: int
    queries: int


def queryable_returns(site_id: int, listed: int = 12) -> list[QueryableReturn]:
    """The site's latest returns that can carry queries (not drafts), newest first, each with
    its open and total queries: one query."""
    counts = (
        sa.select(
            ReturnQuery.return_id,
            sa.func.count(ReturnQuery.id).label("queries"),
            sa.func.count(ReturnQuery.id).filter(ReturnQuery.status == OPEN).label("open"),
        )
        .group_by(ReturnQuery.return_id)
        .subquery("query_counts")
    )
    rows = db.session.execute(
        sa.select(
            MonthlyReturn.month,
            MonthlyReturn.status,
            sa.func.coalesce(counts.c.open, 0),
            sa.func.coalesce(counts.c.queries, 0),
        )
        .outerjoin(counts, counts.c.return_id == MonthlyReturn.id)
        .where(MonthlyReturn.site_id == site_id, MonthlyReturn.status != ReturnStatus.DRAFT)
        .order_by(MonthlyReturn.month.desc())
        .limit(listed)
    )
    return [QueryableReturn(*row) for row in rows]


@dataclass(frozen=True)
class QueryLine:
    """A query as a home page lists it: which return, what it is about, and its latest news."""

    query_id: int
    site_id: int
    site_name: str
    month: date
    figure: str | None
    status: str
    raised_at: datetime
    answers: int
    last_answered_at: datetime | None

    @property
    def about(self) -> str:
        return figure_label(self.figure)


def _lines(select: sa.Select[Any]) -> list[QueryLine]:
    return [QueryLine(*row) for row in db.session.execute(select)]


def _line_select() -> tuple[sa.Select[Any], Any]:
    answers = (
        sa.select(
            ReturnQueryAnswer.query_id,
            sa.func.count(ReturnQueryAnswer.id).label("answers"),
            sa.func.max(ReturnQueryAnswer.created_at).label("last_answered_at"),
        )
        .group_by(ReturnQueryAnswer.query_id)
        .subquery("answer_counts")
    )
    select = (
        sa.select(
            ReturnQuery.id,
            Site.id,
            Site.name,
            MonthlyReturn.month,
            ReturnQuery.figure,
            ReturnQuery.status,
            ReturnQuery.created_at,
            sa.func.coalesce(answers.c.answers, 0),
            answers.c.last_answered_at,
        )
        .join(MonthlyReturn, MonthlyReturn.id == ReturnQuery.return_id)
        .join(Site, Site.id == MonthlyReturn.site_id)
        .outerjoin(answers, answers.c.query_id == ReturnQuery.id)
    )
    return select, answers


def open_queries_of_sites(site_ids: Iterable[int] | sa.Select[Any]) -> list[QueryLine]:
    """The open queries on the returns of these sites (a site lead's), oldest return first, then
    site and oldest query: one query."""
    ids = site_ids if isinstance(site_ids, sa.Select) else list(site_ids)
    select, _ = _line_select()
    return _lines(
        select.where(MonthlyReturn.site_id.in_(ids), ReturnQuery.status == OPEN).order_by(
            MonthlyReturn.month, Site.name, ReturnQuery.id
        )
    )


def answered_queries_raised_by(user_id: int, now: datetime | None = None) -> list[QueryLine]:
    """Queries the person raised that have answers: the open ones, and closed ones answered in
    the last 30 days; latest answer first. One query."""
    since = (now or utcnow()) - ANSWERS_SHOWN_FOR
    select, answers = _line_select()
    return _lines(
        select.where(
            ReturnQuery.raised_by_id == user_id,
            answers.c.answers > 0,
            sa.or_(ReturnQuery.status == OPEN, answers.c.last_answered_at >= since),
        ).order_by(answers.c.last_answered_at.desc(), ReturnQuery.id.desc())
    )
