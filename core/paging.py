"""Paging, one way for pages and the API: a select is counted and sliced in SQL, never in Python.

Pages read `?page=` with `page_number()` and draw NHS.UK pagination from `pagination()`; the API
reads `PageArgs` and answers the contract's `{items, page, per_page, total}` with `api_page()`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask import request, url_for
from marshmallow import Schema, fields, validate

from core.extensions import db

T = TypeVar("T")

MAX_PAGE = 1_000_000


def count_pages(total: int, per_page: int) -> int:
    """How many pages `total` rows fill; an empty list still has its first page."""
    return max(1, -(-total // per_page))


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: Sequence[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return count_pages(self.total, self.per_page)

    @property
    def first(self) -> int:
        """The number of the page's first row, counting from 1."""
        return (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


def paged(select: sa.Select[Any], page: int, per_page: int, *, scalars: bool = False) -> Page[Any]:
    """One page of `select` and the number of its rows: two queries. `scalars` keeps each row's
    first column (a record) rather than the row."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(select.order_by(None).subquery())
    )
    sliced = select.limit(per_page).offset((page - 1) * per_page)
    rows = (db.session.scalars if scalars else db.session.execute)(sliced).all()
    return Page(rows=rows, total=total or 0, page=page, per_page=per_page)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


def api_page(
    select: sa.Select[Any],
    args: dict[str, Any],
    serialise: Callable[[sa.Row[Any]], Any] | None = None,
) -> dict[str, Any]:
    """One page of a select in the API contract's shape: {items, page, per_page, total}."""
    page = paged(select, args["page"], args["per_page"])
    items = [serialise(row) if serialise else row[0] for row in page.rows]
    return {"items": items, "page": page.page, "per_page": page.per_page, "total": page.total}


def page_number() -> int:
    """The ?page= of a paged list, kept between 1 and MAX_PAGE."""
    page = request.args.get("page", type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def page_href(endpoint: str, number: int, **values: Any) -> str:
    """The list's address at page `number`, keeping its filters."""
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page" and v}
    return url_for(endpoint, **values, **args, page=number)


def pagination(page: int, pages: int, endpoint: str, **values: Any) -> dict[str, Any] | None:
    """NHS.UK numbered pagination: first, last and two either side of the current page."""
    if pages <= 1:
        return None
    items: list[dict[str, Any]] = []
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    previous = 0
    for number in shown:
        if number - previous > 1:
            items.append({"ellipsis": True})
        href = page_href(endpoint, number, **values)
        items.append({"number": number, "href": href, "current": number == page})
        previous = number
    return {
        "items": items,
        "previous": {"href": page_href(endpoint, page - 1, **values)} if page > 1 else None,
        "next": {"href": page_href(endpoint, page + 1, **values)} if page < pages else None,
    }
