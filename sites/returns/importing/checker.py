"""Checking the rows of a CSV file of monthly returns, and the preview of what it would import.

Each row is a submitted return for one site and month, checked by sites.returns.rules like a
return sent through the form or the API, and against the sites the user may send returns for and
the returns already held. Each valid row gets its Plan: a new return, or what it changes in the
return held. The rows are checked in batches of BATCH_SIZE, with a bounded number of queries per
batch. Nothing here writes.
"""

from __future__ import annotations

from collections import Counter
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
from sites.models import MonthlyReturn, ReturnSector, ReturnStatus, Site
from sites.returns import rules as return_rules
from sites.returns.importing.plans import Outcome, Plan
from sites.returns.importing.reader import (
    FIGURES,
    LABELS,
    SECTOR_COLUMNS,
    SITE_NAME,
    FileIndex,
    is_blank,
    month_cell_problem,
    names_site,
    parse_month_cell,
    parse_site_id,
    records,
    rereadable,
)
from sites.returns.queries import returns_scope
from sites.returns.workflow import COUNTED

BATCH_SIZE = 1_000

Fields = dict[str, list[str]]

BLANK_FIGURES = (
    "are all blank: fill in the return's figures (0 where there were none), or delete the row"
)
APPROVED_LOCKED = (
    "this month's return is approved and locked: ask programme staff to reopen it, or delete "
    "the row"
)


@dataclass
class CheckedRow:
    """One row of the file: its cells as written, and what the checks found."""

    number: int  # the file's row number: the header is row 1, the first return row 2
    cells: dict[str, str]
    site_id: int | None = None
    month: date | None = None
    values: dict[str, int | Decimal | None] = field(default_factory=dict)
    # Job starts by sector (zeros left out) when the file has sector columns, else None.
    sectors: dict[str, int] | None = None
    errors: Fields = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    plan: Plan | None = None  # for a valid row

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
    outcomes: Counter[Outcome] = field(default_factory=Counter)  # of the valid rows

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
    sectors: dict[str, int] = field(default_factory=dict)  # read for the rows' own returns only


def sectors_after(row: CheckedRow, held: ExistingReturn | None) -> dict[str, int]:
    """The job starts by sector a valid row's return has once imported: the file's breakdown
    when it has sector columns; else the one held while it still adds up to the job starts
    (the file says nothing of it), and none once it does not."""
    if row.sectors is not None:
        return row.sectors
    kept = held.sectors if held else {}
    return kept if sum(kept.values()) == row.values["job_starts"] else {}


def plan_of(row: CheckedRow, held: ExistingReturn | None) -> Plan:
    """What importing a valid row does to the return held for its site and month (if any)."""
    if held is None:
        return Plan(Outcome.NEW, [])
    changes = return_rules.changes_between(
        {**held.figures, "sectors": held.sectors},
        {**row.values, "sectors": sectors_after(row, held)},
    )
    if held.status == ReturnStatus.DRAFT:
        return Plan(Outcome.REPLACES_DRAFT, changes, held.status)
    if not changes and held.status == ReturnStatus.SUBMITTED:
        return Plan(Outcome.NO_CHANGE, [], held.status)
    return Plan(Outcome.REPLACES_SUBMITTED, changes, held.status)


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


def _existing_returns(
    pairs: set[tuple[int, date]], with_sectors: set[tuple[int, date]]
) -> dict[tuple[int, date], ExistingReturn]:
    """The returns held for `pairs`, with their job starts by sector for those of
    `with_sectors`. Two queries."""
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
    found = {
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
    by_id = {held.id: held for pair, held in found.items() if pair in with_sectors}
    if by_id:
        for return_id, sector, job_starts in db.session.execute(
            sa.select(ReturnSector.return_id, ReturnSector.sector, ReturnSector.job_starts).where(
                ReturnSector.return_id.in_(by_id)
            )
        ):
            by_id[return_id].sectors[sector] = job_starts
    return found


class RowChecker:
    """Checks a file's rows in batches for one user: the first pass on creation, the second as
    `batches()` is read."""

    def __init__(self, binary: IO[bytes], user: User, today: date) -> None:
        self.binary = binary
        self.today = today
        self.index = FileIndex(binary)
        self.scope = returns_scope(user)
        self.sites: dict[int, bool] = {}  # site id -> may send; absent: not looked up yet
        self.names: dict[int, str] = {}  # the names of the sites the user may send for
        present = self.index.positions
        self.sector_columns = {c: slug for c, slug in SECTOR_COLUMNS.items() if c in present}

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
        found = {
            site_id: (bool(may_send), name)
            for site_id, name, may_send in db.session.execute(
                sa.select(Site.id, Site.name, allowed).where(Site.id.in_(unknown))
            )
        }
        for site_id in unknown:
            may_send, name = found.get(site_id, (False, ""))
            self.sites[site_id] = may_send
            if may_send:
                self.names[site_id] = name

    def _site_problem(self, site_id: int) -> str | None:
        if self.sites[site_id]:
            return None
        if self.scope is None:
            return f"there is no site {site_id}"
        return f"you cannot send returns for site {site_id}"  # never says whether it exists

    def _name_problem(self, row: CheckedRow) -> str | None:
        """A site_name that names another site than site_id: an error, not a warning. The name
        is the one check on an id typed by hand, and a wrong id would replace another site's
        return; a warning is easily missed among many rows, and the fix (correct the id or the
        name, or leave the name blank) is quick. Only a site the user may send for is named."""
        written = row.cells.get(SITE_NAME, "")
        if row.site_id is None or not written.strip() or not self.sites[row.site_id]:
            return None
        name = self.names[row.site_id]
        if names_site(written, name):
            return None
        return f"does not match site {row.site_id}, which is {name}: check the site_id"

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
        if problem := month_cell_problem(row.cells["month"], self.today):
            row.errors["month"] = [problem]
        return row

    def _check(self, numbered: list[tuple[int, list[str]]]) -> Batch:
        rows = [self._parse(number, cells) for number, cells in numbered]
        keyed = [row for row in rows if row.site_id is not None and row.month is not None]
        pairs = {(row.site_id, row.month) for row in keyed}
        earlier = {(site_id, add_months(month, -3)) for site_id, month in pairs}
        earlier = {pair for pair in earlier if not self.index.job_starts(*pair)[0]}
        existing = _existing_returns(pairs | earlier, pairs)
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
                base = found.figures["job_starts"] if found and found.status in COUNTED else None
        blank = all(not row.cells[name].strip() for name in FIGURES)
        sectors = None
        if self.sector_columns and not blank:
            sectors = {slug: row.cells[column] for column, slug in self.sector_columns.items()}
        checked = return_rules.check_return(
            {name: row.cells[name] for name in FIGURES},
            month=row.month,
            today=self.today,
            complete=not blank,  # a blank row has one error, below, not one for each figure
            sectors=sectors,
            job_starts_three_months_before=base,
        )
        errors: Fields = dict(row.errors)
        if row.site_id is not None:
            problem = self._site_problem(row.site_id) or self._name_problem(row)
            if problem:
                errors[SITE_NAME if self.sites[row.site_id] else "site_id"] = [problem]
        if blank:
            errors["figures"] = [BLANK_FIGURES]
        held = existing.get((row.site_id, row.month)) if row.site_id and row.month else None
        if held is not None and held.status == ReturnStatus.APPROVED:
            errors.setdefault("month", []).append(APPROVED_LOCKED)
        for name, messages in checked.errors.items():
            if name == "month" and "month" in row.errors:  # said more exactly already
                continue
            if name.startswith("sectors."):  # the rules' key for a sector: its column here
                name = f"sector_{name.removeprefix('sectors.')}"
            errors.setdefault(name, []).extend(messages)
        repeated = self.index.repeats.get(row.number)
        if repeated is not None:
            errors.setdefault("month", []).append(
                f"repeats row {repeated}: there is one return for each site and month"
            )
        # The messages in the order of the columns of the contract, then the rest.
        order = {name: i for i, name in enumerate(LABELS)}
        row.errors = dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))
        row.values = checked.values
        row.sectors = checked.sectors if sectors is not None else None
        row.warnings = [] if row.errors else checked.warnings
        if row.ok and row.site_id is not None and row.month is not None:
            row.plan = plan_of(row, existing.get((row.site_id, row.month)))


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
    outcomes: Counter[Outcome] = Counter()
    for batch in checker.batches():
        for row in batch.rows:
            valid += row.ok
            warned += bool(row.warnings)
            if row.plan is not None:
                outcomes[row.plan.outcome] += 1
            if problems_only and row.ok and not row.warnings:
                continue
            if first <= listed < first + per_page:
                items.append(row)
            listed += 1
    held = checker.names
    names = {row.site_id: held[row.site_id] for row in items if row.site_id in held}
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
        outcomes=outcomes,
    )
