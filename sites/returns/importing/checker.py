"""Checking the rows of a CSV file of monthly returns, and the preview of what it would import.

Each row is a submitted return for one site and month, checked by sites.returns.rules like a
return sent through the form or the API, and against the sites the user may send returns for and
the returns already held. The rows are checked in batches of BATCH_SIZE, with a bounded number of
queries per batch. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa

from accounts.models import User
from core.extensions import db
from core.months import add_months
from core.paging import count_pages
from sites.models import MonthlyReturn, ReturnStatus, Site
from sites.returns import rules as return_rules
from sites.returns.importing.reader import (
    FIGURES,
    LABELS,
    FileIndex,
    is_blank,
    parse_month_cell,
    parse_site_id,
    records,
    rereadable,
)
from sites.returns.queries import returns_scope

BATCH_SIZE = 1_000

Fields = dict[str, list[str]]


@dataclass
class CheckedRow:
    """One row of the file: its cells as written, and what the checks found."""

    number: int  # the file's row number: the header is row 1, the first return row 2
    cells: dict[str, str]
    site_id: int | None = None
    month: date | None = None
    values: dict[str, int | Decimal | None] = field(default_factory=dict)
    errors: Fields = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Preview:
    """What a file would import: its counts, and one page of its rows in file order."""

    rows: int
    valid: int
    with_errors: int
    with_warnings: int
    items: list[CheckedRow]
    page: int
    per_page: int
    problems_only: bool
    listed: int  # rows the pages go through: all, or those with errors or warnings
    site_names: dict[int, str]

    @property
    def pages(self) -> int:
        return count_pages(self.listed, self.per_page)


@dataclass(frozen=True)
class ExistingReturn:
    """A return already in the database, as much of it as the import reads."""

    id: int
    status: str
    version: int
    figures: dict[str, Any]
    submitted_at: datetime | None
    submitted_by_id: int | None
    updated_at: datetime


@dataclass
class Batch:
    """A batch of checked rows, and the returns already held for their sites and months."""

    rows: list[CheckedRow]
    existing: dict[tuple[int, date], ExistingReturn]


def of_pairs(site_id: Any, month: Any, pairs: set[tuple[int, date]]) -> Any:
    """A condition that holds for every (site, month) of `pairs`, and perhaps a few more: sites
    IN and months IN, which use the (site_id, month) index on both databases, where a tuple IN
    makes PostgreSQL scan the table. The caller keeps only the pairs it asked for."""
    return sa.and_(site_id.in_({pair[0] for pair in pairs}), month.in_({pair[1] for pair in pairs}))


def _existing_returns(pairs: set[tuple[int, date]]) -> dict[tuple[int, date], ExistingReturn]:
    if not pairs:
        return {}
    t = MonthlyReturn
    columns = [getattr(t, name) for name in return_rules.FIGURES]
    rows = db.session.execute(
        sa.select(
            t.id,
            t.site_id,
            t.month,
            t.status,
            t.version,
            t.submitted_at,
            t.submitted_by_id,
            t.updated_at,
            *columns,
        ).where(of_pairs(t.site_id, t.month, pairs))
    )
    return {
        (row.site_id, row.month): ExistingReturn(
            id=row.id,
            status=row.status,
            version=row.version,
            figures={name: getattr(row, name) for name in return_rules.FIGURES},
            submitted_at=row.submitted_at,
            submitted_by_id=row.submitted_by_id,
            updated_at=row.updated_at,
        )
        for row in rows
        if (row.site_id, row.month) in pairs
    }


class RowChecker:
    """Checks a file's rows in batches for one user: the first pass on creation, the second as
    `batches()` is read."""

    def __init__(self, binary: IO[bytes], user: User, today: date) -> None:
        self.binary = binary
        self.today = today
        self.index = FileIndex(binary)
        self.scope = returns_scope(user)
        self.sites: dict[int, bool] = {}  # site id -> may send; absent: not looked up yet

    @property
    def total(self) -> int:
        return self.index.rows

    def batches(self) -> Iterator[Batch]:
        batch: list[tuple[int, list[str]]] = []
        rows = records(self.binary)
        for _, cells in rows:
            if not is_blank(cells):
                break  # the header, checked in the first pass
        for number, cells in rows:
            if is_blank(cells):
                continue
            batch.append((number, cells))
            if len(batch) == BATCH_SIZE:
                yield self._check(batch)
                batch = []
        if batch:
            yield self._check(batch)

    def _look_up_sites(self, site_ids: set[int]) -> None:
        unknown = site_ids - self.sites.keys()
        if not unknown:
            return
        allowed = sa.true() if self.scope is None else Site.id.in_(self.scope)
        found = dict(
            db.session.execute(sa.select(Site.id, allowed).where(Site.id.in_(unknown))).all()
        )
        for site_id in unknown:
            self.sites[site_id] = bool(found.get(site_id, False))

    def _site_problem(self, site_id: int) -> str | None:
        if self.sites[site_id]:
            return None
        if self.scope is None:
            return f"there is no site {site_id}"
        return f"you cannot send returns for site {site_id}"  # never says whether it exists

    def _parse(self, number: int, cells: list[str]) -> CheckedRow:
        width = len(self.index.positions)
        if len(cells) != width:
            shown = {
                name: cells[i] if i < len(cells) else "" for name, i in self.index.positions.items()
            }
            return CheckedRow(
                number,
                shown,
                errors={"values": [f"has {len(cells)} values: the header has {width}"]},
            )
        row = CheckedRow(number, {name: cells[i] for name, i in self.index.positions.items()})
        row.site_id, message = parse_site_id(row.cells["site_id"])
        if message:
            row.errors["site_id"] = [message]
        row.month = parse_month_cell(row.cells["month"])
        return row

    def _check(self, numbered: list[tuple[int, list[str]]]) -> Batch:
        rows = [self._parse(number, cells) for number, cells in numbered]
        keyed = [row for row in rows if row.site_id is not None and row.month is not None]
        pairs = {(row.site_id, row.month) for row in keyed}
        earlier = {(site_id, add_months(month, -3)) for site_id, month in pairs}
        earlier = {pair for pair in earlier if not self.index.job_starts(*pair)[0]}
        existing = _existing_returns(pairs | earlier)
        self._look_up_sites({row.site_id for row in rows if row.site_id is not None})
        for row in rows:
            if "values" in row.errors:
                continue
            self._check_row(row, existing)
        return Batch(rows, {pair: existing[pair] for pair in pairs if pair in existing})

    def _check_row(self, row: CheckedRow, existing: dict[tuple[int, date], ExistingReturn]) -> None:
        base = None
        if row.site_id is not None and row.month is not None:
            earlier = add_months(row.month, -3)
            in_file, base = self.index.job_starts(row.site_id, earlier)
            if not in_file:
                found = existing.get((row.site_id, earlier))
                base = (
                    found.figures["job_starts"]
                    if found and found.status == ReturnStatus.SUBMITTED
                    else None
                )
        checked = return_rules.check_return(
            {name: row.cells[name] for name in FIGURES},
            month=row.month,
            today=self.today,
            complete=True,
            sectors=None,
            job_starts_three_months_before=base,
        )
        errors: Fields = dict(row.errors)
        if row.site_id is not None:
            problem = self._site_problem(row.site_id)
            if problem:
                errors["site_id"] = [problem]
        for name, messages in checked.errors.items():
            errors.setdefault(name, []).extend(messages)
        repeated = self.index.repeats.get(row.number)
        if repeated is not None:
            errors.setdefault("month", []).append(
                f"repeats row {repeated}: there is one return for each site and month"
            )
        # The messages in the order of the contract's columns.
        row.errors = {name: errors[name] for name in LABELS if name in errors}
        row.values = checked.values
        row.warnings = [] if row.errors else checked.warnings


# The preview --------------------------------------------------------------------------------


def check_rows(
    stream: IO[bytes],
    user: User,
    *,
    page: int = 1,
    per_page: int = 100,
    problems_only: bool = False,
    today: date | None = None,
) -> Preview:
    """What importing the file would do, writing nothing: the counts of rows, valid rows, rows
    with errors and rows with warnings, and one page of rows in file order (every row, or only
    those with errors or warnings). Raises ValidationFailed for problems with the file itself."""
    with rereadable(stream) as source:
        return _preview(
            RowChecker(source, user, today or date.today()), page, per_page, problems_only
        )


def _preview(checker: RowChecker, page: int, per_page: int, problems_only: bool) -> Preview:
    first = (max(page, 1) - 1) * per_page
    items: list[CheckedRow] = []
    valid = warned = listed = 0
    for batch in checker.batches():
        for row in batch.rows:
            valid += row.ok
            warned += bool(row.warnings)
            if problems_only and row.ok and not row.warnings:
                continue
            if first <= listed < first + per_page:
                items.append(row)
            listed += 1
    shown_sites = {row.site_id for row in items if row.site_id and checker.sites.get(row.site_id)}
    names = {}
    if shown_sites:
        names = dict(
            db.session.execute(sa.select(Site.id, Site.name).where(Site.id.in_(shown_sites))).all()
        )
    return Preview(
        rows=checker.total,
        valid=valid,
        with_errors=checker.total - valid,
        with_warnings=warned,
        items=items,
        page=max(page, 1),
        per_page=per_page,
        problems_only=problems_only,
        listed=listed,
        site_names=names,
    )
