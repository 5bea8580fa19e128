"""Importing monthly returns from a CSV file: every row or none.

Each row is a submitted return for one site and month, checked by sites.return_rules like a
return sent through the form or the API. A file of many sites and months is read as a stream and
never held whole: csv reads it through a text wrapper twice. The first pass checks the header and
keeps a small index of each row's site, month and job starts (for rows that repeat a site and
month, and for the 13-week check against month-3 when that row is in the same file); the second
checks the rows in batches of BATCH_SIZE, with a bounded number of queries per batch, and writes
them with bulk Core statements. A stream that cannot be read twice (a request body) is first
copied to a temporary file.

All in the caller's transaction: once a bad row turns up the import stops writing, keeps checking
to report the errors, and rolls back what it wrote. Bulk Core writes bypass the ORM's audit hook
(portal.audit), so this module writes one AuditEvent per return it creates or amends itself.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa

from accounts.models import User
from core.audit import AuditEvent, event_row, plain
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.paging import count_pages
from core.records import utcnow
from sites.models import MonthlyReturn, ReturnSector, ReturnVersion, Site
from sites.returns import rules as return_rules
from sites.returns.queries import returns_scope
from sites.returns.services import SUBMITTED

HEADER = (
    "site_id",
    "month",
    "referrals",
    "caseload",
    "new_to_service",
    "first_contact_within_4_weeks",
    "job_starts",
    "in_work",
    "sustained_13_weeks",
    "employment_specialists_fte",
    "discharges",
)
FIGURES = HEADER[2:]
assert set(FIGURES) == set(return_rules.FIGURES)

# How each column (and a row's count of values) is named to people.
LABELS = {"site_id": "Site", "month": "Month", **return_rules.FIGURES, "values": "Values"}

BATCH_SIZE = 1_000
MAX_LISTED = 200  # rows with errors (or warnings) listed in an answer; the rest are counted
MAX_FILE_BYTES = 20 * 1024 * 1024
SOURCE = "import"

Fields = dict[str, list[str]]


class FileTooLarge(Exception):
    """The file is bigger than MAX_FILE_BYTES."""

    def __init__(self) -> None:
        super().__init__(f"The file must be smaller than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
        self.message = str(self)


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
class Progress:
    done: int
    total: int


@dataclass(frozen=True)
class ImportResult:
    imported: int
    created: int
    amended: int
    unchanged: int
    warnings: list[dict[str, Any]]  # [{"row": n, "messages": [...]}], the first MAX_LISTED
    rows_with_warnings: int


# Reading the file ---------------------------------------------------------------------------


@contextmanager
def rereadable(stream: IO[bytes]) -> Iterator[IO[bytes]]:
    """The stream itself when it can seek, else a temporary-file copy made in chunks (on disk
    past 1 MB, removed on leaving). Either way no bigger than MAX_FILE_BYTES: raises
    FileTooLarge."""
    if stream.seekable():
        stream.seek(0, io.SEEK_END)
        if stream.tell() > MAX_FILE_BYTES:
            raise FileTooLarge()
        stream.seek(0)
        yield stream
        return
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as copy:
        size = 0
        while chunk := stream.read(64 * 1024):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise FileTooLarge()
            copy.write(chunk)
        copy.seek(0)
        yield copy


def _file_error(message: str, detail: str) -> ValidationFailed:
    return ValidationFailed({"file": [detail]}, message)


def _records(binary: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every row from the start of the file. A file that is not UTF-8
    text, or not CSV, raises ValidationFailed naming the row."""
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):  # noqa: B007 (read after the loop)
            yield number, cells
    except UnicodeDecodeError as error:
        raise _file_error(
            "The file is not UTF-8 text.",
            f"is not UTF-8 text (near row {number + 1}): save it as CSV UTF-8",
        ) from error
    except csv.Error as error:
        raise _file_error(
            "The file cannot be read as CSV.", f"cannot be read as CSV at row {number + 1}: {error}"
        ) from error
    finally:
        if not binary.closed:
            text.detach()  # leave the binary stream open for the next pass


def _blank(cells: list[str]) -> bool:
    return all(not cell.strip() for cell in cells)


def _column_positions(header: list[str]) -> dict[str, int]:
    """Where each column is; ValidationFailed({"header": [...]}) unless the header names exactly
    the columns of HEADER (in any order)."""
    names = [cell.strip().lower() for cell in header]
    problems = []
    missing = [name for name in HEADER if name not in names]
    if missing:
        problems.append(
            f"is missing the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        )
    unknown = [
        name or f"(no name, column {i})" for i, name in enumerate(names, 1) if name not in HEADER
    ]
    if unknown:
        problems.append(
            f"has column{'s' if len(unknown) > 1 else ''} that should not be there: "
            f"{', '.join(unknown)[:300]}"
        )
    repeated = sorted({name for name in names if name in HEADER and names.count(name) > 1})
    if repeated:
        problems.append(
            f"names the column{'s' if len(repeated) > 1 else ''} {', '.join(repeated)} twice"
        )
    if problems:
        raise ValidationFailed(
            {"header": problems},
            f"The first row of the file must name its columns: {','.join(HEADER)}.",
        )
    return {name: names.index(name) for name in HEADER}


def _site_id(text: str) -> tuple[int | None, str | None]:
    text = text.strip()
    if not text:
        return None, "is needed: the number of the site the return is for"
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) == 0:
        return None, "must be a site's id number, like 12"
    return int(text), None


MONTH = re.compile(r"(\d{4})-(\d{2})")


def _month(text: str) -> date | None:
    """A "YYYY-MM" month as its first day; None for anything else (check_return says why)."""
    match = MONTH.fullmatch(text.strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        return None
    return date(int(match[1]), int(match[2]), 1)


class _FileIndex:
    """The first pass over a file: its columns, its number of rows and, per (site, month), the
    first row that has it and that row's job starts. Kept as one int key and one int value per
    row, so that even a 100,000-row file indexes in a few megabytes."""

    _SPAN = return_rules.MAX_COUNT + 2  # job starts + 1 (0: not a valid number) below the row

    def __init__(self, binary: IO[bytes]) -> None:
        self.rows = 0
        self.positions: dict[str, int] = {}
        # row number -> the earlier row with the same site and month
        self.repeats: dict[int, int] = {}
        self._first: dict[int, int] = {}
        records = _records(binary)
        header = next((cells for _, cells in records if not _blank(cells)), None)
        if header is None:
            raise _file_error(
                "The file is empty.",
                f"is empty: its first row must name the columns {','.join(HEADER)}",
            )
        self.positions = _column_positions(header)
        width = len(header)
        for number, cells in records:
            if _blank(cells):
                continue
            self.rows += 1
            if len(cells) != width:
                continue
            site_id, _ = _site_id(cells[self.positions["site_id"]])
            month = _month(cells[self.positions["month"]])
            if site_id is None or month is None:
                continue
            job_starts, _ = return_rules.parse_count(cells[self.positions["job_starts"]])
            self._add(number, site_id, month, job_starts)
        if not self.rows:
            raise _file_error(
                "The file has no returns in it.",
                "has no returns: add a row under the header for each site and month",
            )

    @staticmethod
    def _key(site_id: int, month: date) -> int:
        return site_id * 120_000 + month.year * 12 + month.month - 1

    def _add(self, number: int, site_id: int, month: date, job_starts: int | None) -> None:
        key = self._key(site_id, month)
        earlier = self._first.get(key)
        if earlier is not None:
            self.repeats[number] = earlier // self._SPAN
            return
        self._first[key] = number * self._SPAN + (0 if job_starts is None else job_starts + 1)

    def job_starts(self, site_id: int, month: date) -> tuple[bool, int | None]:
        """(whether the file has a row for the site and month, its job starts or None)."""
        value = self._first.get(self._key(site_id, month))
        if value is None:
            return False, None
        starts = value % self._SPAN
        return True, starts - 1 if starts else None


def file_row_count(stream: IO[bytes]) -> int:
    """The number of returns in the file (rows under the header, blank rows not counted).
    ValidationFailed when the file itself is wrong: empty, no returns, a bad header, not UTF-8
    text or not CSV; FileTooLarge past MAX_FILE_BYTES."""
    with rereadable(stream) as source:
        return _FileIndex(source).rows


# Checking the rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Existing:
    """A return already in the database, as much of it as the import reads."""

    id: int
    status: str
    version: int
    figures: dict[str, Any]
    submitted_at: datetime | None
    submitted_by_id: int | None
    updated_at: datetime


@dataclass
class _Batch:
    rows: list[CheckedRow]
    existing: dict[tuple[int, date], _Existing]


def _of_pairs(site_id: Any, month: Any, pairs: set[tuple[int, date]]) -> Any:
    """A condition that holds for every (site, month) of `pairs`, and perhaps a few more: sites
    IN and months IN, which use the (site_id, month) index on both databases, where a tuple IN
    makes PostgreSQL scan the table. The caller keeps only the pairs it asked for."""
    return sa.and_(site_id.in_({pair[0] for pair in pairs}), month.in_({pair[1] for pair in pairs}))


def _existing_returns(pairs: set[tuple[int, date]]) -> dict[tuple[int, date], _Existing]:
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
        ).where(_of_pairs(t.site_id, t.month, pairs))
    )
    return {
        (row.site_id, row.month): _Existing(
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


class _Checker:
    """Checks a file's rows in batches for one user: the first pass on creation, the second as
    `batches()` is read."""

    def __init__(self, binary: IO[bytes], user: User, today: date) -> None:
        self.binary = binary
        self.today = today
        self.index = _FileIndex(binary)
        self.scope = returns_scope(user)
        self.sites: dict[int, bool] = {}  # site id -> may send; absent: not looked up yet

    @property
    def total(self) -> int:
        return self.index.rows

    def batches(self) -> Iterator[_Batch]:
        batch: list[tuple[int, list[str]]] = []
        records = _records(self.binary)
        for _, cells in records:
            if not _blank(cells):
                break  # the header, checked in the first pass
        for number, cells in records:
            if _blank(cells):
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
        row.site_id, message = _site_id(row.cells["site_id"])
        if message:
            row.errors["site_id"] = [message]
        row.month = _month(row.cells["month"])
        return row

    def _check(self, records: list[tuple[int, list[str]]]) -> _Batch:
        rows = [self._parse(number, cells) for number, cells in records]
        keyed = [row for row in rows if row.site_id is not None and row.month is not None]
        pairs = {(row.site_id, row.month) for row in keyed}
        earlier = {(site_id, return_rules.add_months(month, -3)) for site_id, month in pairs}
        earlier = {pair for pair in earlier if not self.index.job_starts(*pair)[0]}
        existing = _existing_returns(pairs | earlier)
        self._look_up_sites({row.site_id for row in rows if row.site_id is not None})
        for row in rows:
            if "values" in row.errors:
                continue
            self._check_row(row, existing)
        return _Batch(rows, {pair: existing[pair] for pair in pairs if pair in existing})

    def _check_row(self, row: CheckedRow, existing: dict[tuple[int, date], _Existing]) -> None:
        base = None
        if row.site_id is not None and row.month is not None:
            earlier = return_rules.add_months(row.month, -3)
            in_file, base = self.index.job_starts(row.site_id, earlier)
            if not in_file:
                found = existing.get((row.site_id, earlier))
                base = found.figures["job_starts"] if found and found.status == SUBMITTED else None
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


# Writing the rows ---------------------------------------------------------------------------


def _audit(user: User, now: datetime, record_id: int, action: str, before: Any, after: Any) -> dict:
    table = MonthlyReturn.__tablename__
    return event_row(table, record_id, action, before, after, user_id=user.id, now=now)


def _version_row(
    return_id: int, number: int, figures: dict, by: int | None, at: datetime, source: str
) -> dict:
    return {
        "return_id": return_id,
        "number": number,
        "figures": figures,
        "saved_by_id": by,
        "saved_at": at,
        "source": source,
    }


@dataclass
class _Written:
    created: int = 0
    amended: int = 0
    unchanged: int = 0


def _insert_returns(
    rows: list[CheckedRow], user: User, now: datetime
) -> dict[tuple[int, date], int]:
    """Insert new returns; their ids by (site, month), read back in one select. (An INSERT ...
    RETURNING of many rows works on both databases too, but psycopg parses its thousands of
    bound parameters in Python: on PostgreSQL it took three times as long as this.)"""
    table = MonthlyReturn.__table__
    values = [
        {
            "site_id": row.site_id,
            "month": row.month,
            **row.values,
            "status": SUBMITTED,
            "submitted_at": now,
            "submitted_by_id": user.id,
        }
        for row in rows
    ]
    db.session.execute(sa.insert(table), values)
    pairs = {(row.site_id, row.month) for row in rows}
    found = db.session.execute(
        sa.select(table.c.id, table.c.site_id, table.c.month).where(
            _of_pairs(table.c.site_id, table.c.month, pairs)
        )
    )
    return {(r.site_id, r.month): r.id for r in found if (r.site_id, r.month) in pairs}


@dataclass
class _Writes:
    """What a batch adds besides the returns themselves: versions and audit events."""

    versions: list[dict] = field(default_factory=list)
    audits: list[dict] = field(default_factory=list)


def _create_returns(rows: list[CheckedRow], user: User, now: datetime, writes: _Writes) -> None:
    ids = _insert_returns(rows, user, now)
    for row in rows:
        return_id = ids[(row.site_id, row.month)]
        snapshot = return_rules.figures_snapshot(row.values, {})
        writes.versions.append(_version_row(return_id, 1, snapshot, user.id, now, SOURCE))
        after = {
            "id": return_id,
            "site_id": row.site_id,
            "month": plain(row.month),
            **{name: plain(value) for name, value in row.values.items()},
            "status": SUBMITTED,
            "submitted_at": now.isoformat(),
            "submitted_by_id": user.id,
        }
        writes.audits.append(_audit(user, now, return_id, "create", None, after))


def _amend_returns(
    amended: list[tuple[CheckedRow, _Existing]], user: User, now: datetime, writes: _Writes
) -> int:
    """Amend returns already held, as save_return does: the figures they had stay as versions.
    The number changed (a submitted return with the same figures is left alone)."""
    ids = [found.id for _, found in amended]
    last_version = dict(
        db.session.execute(
            sa.select(ReturnVersion.return_id, sa.func.max(ReturnVersion.number))
            .where(ReturnVersion.return_id.in_(ids))
            .group_by(ReturnVersion.return_id)
        ).all()
    )
    sectors: dict[int, dict[str, int]] = {}
    for return_id, sector, job_starts in db.session.execute(
        sa.select(ReturnSector.return_id, ReturnSector.sector, ReturnSector.job_starts).where(
            ReturnSector.return_id.in_(ids)
        )
    ):
        sectors.setdefault(return_id, {})[sector] = job_starts

    updates, drop_sectors = [], []
    for row, found in amended:
        was_submitted = found.status == SUBMITTED
        old_sectors = sectors.get(found.id, {})
        # The CSV has no breakdown by sector: keep the one held while it still adds up.
        kept = old_sectors if sum(old_sectors.values()) == row.values["job_starts"] else {}
        changed = {
            name: (found.figures[name], row.values[name])
            for name in return_rules.FIGURES
            if found.figures[name] != row.values[name]
        }
        if was_submitted and not changed and kept == old_sectors:
            continue
        number = last_version.get(found.id, 0)
        if was_submitted and not number:
            # Submitted before versions were kept (or loaded in bulk): keep what it said first.
            number = 1
            writes.versions.append(
                _version_row(
                    found.id,
                    number,
                    return_rules.figures_snapshot(found.figures, old_sectors),
                    found.submitted_by_id,
                    found.submitted_at or found.updated_at,
                    "earlier",
                )
            )
        snapshot = return_rules.figures_snapshot(row.values, kept)
        writes.versions.append(_version_row(found.id, number + 1, snapshot, user.id, now, SOURCE))
        updates.append(
            {"b_id": found.id, "b_version": found.version}
            | {f"b_{name}": row.values[name] for name in return_rules.FIGURES}
            | {
                "b_submitted_at": found.submitted_at if was_submitted else now,
                "b_submitted_by_id": found.submitted_by_id if was_submitted else user.id,
            }
        )
        before = {name: plain(old) for name, (old, _) in changed.items()}
        after = {name: plain(new) for name, (_, new) in changed.items()}
        if not was_submitted:
            before |= {"status": found.status, "submitted_at": None, "submitted_by_id": None}
            after |= {
                "status": SUBMITTED,
                "submitted_at": now.isoformat(),
                "submitted_by_id": user.id,
            }
        if kept != old_sectors:
            drop_sectors.append(found.id)
            before["sectors"], after["sectors"] = dict(sorted(old_sectors.items())), kept
        writes.audits.append(_audit(user, now, found.id, "update", before, after))

    if drop_sectors:
        table = ReturnSector.__table__
        db.session.execute(sa.delete(table).where(table.c.return_id.in_(drop_sectors)))
    if updates:
        _update_returns(updates)
    return len(updates)


def _write_batch(batch: _Batch, user: User, now: datetime) -> _Written:
    """Write a batch's rows (all valid): new returns, amendments, their versions and audit."""
    new = [row for row in batch.rows if (row.site_id, row.month) not in batch.existing]
    amended = [
        (row, batch.existing[(row.site_id, row.month)])
        for row in batch.rows
        if (row.site_id, row.month) in batch.existing
    ]
    writes = _Writes()
    if new:
        _create_returns(new, user, now, writes)
    changed = _amend_returns(amended, user, now, writes) if amended else 0
    if writes.versions:
        db.session.execute(sa.insert(ReturnVersion.__table__), writes.versions)
    if writes.audits:
        db.session.execute(sa.insert(AuditEvent.__table__), writes.audits)
    return _Written(created=len(new), amended=changed, unchanged=len(amended) - changed)


def _update_returns(updates: list[dict]) -> None:
    table = MonthlyReturn.__table__
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"), table.c.version == sa.bindparam("b_version"))
        .values(
            {name: sa.bindparam(f"b_{name}") for name in return_rules.FIGURES}
            | {
                "status": SUBMITTED,
                "submitted_at": sa.bindparam("b_submitted_at"),
                "submitted_by_id": sa.bindparam("b_submitted_by_id"),
                "version": table.c.version + 1,
            }
        )
    )
    result = db.session.execute(statement, updates)
    dialect = db.session.get_bind().dialect
    if dialect.supports_sane_multi_rowcount and result.rowcount != len(updates):
        raise StaleVersion(
            "Some of these returns were changed by someone else during the import: "
            "nothing was imported. Try again."
        )


def _expire_returns() -> None:
    """Returns the session holds are out of date after Core writes: read them afresh."""
    for record in list(db.session.identity_map.values()):
        if isinstance(record, MonthlyReturn | ReturnSector | ReturnVersion):
            db.session.expire(record)


# The two entry points -----------------------------------------------------------------------


def _listed(rows: list[CheckedRow]) -> list[dict[str, Any]]:
    return [{"row": row.number, "fields": row.errors} for row in rows]


def import_steps(
    stream: IO[bytes], user: User, *, today: date | None = None
) -> Generator[Progress, None, ImportResult]:
    """Import a CSV file of returns, yielding the progress after each batch; returns the
    ImportResult. Raises ValidationFailed (file problems in `fields`; row problems in
    extra["rows"], the first MAX_LISTED of them, with "rows_not_listed" counting the rest)
    and leaves nothing written; FileTooLarge; StaleVersion when a return changed meanwhile."""
    with rereadable(stream) as source:
        return (yield from _import(_Checker(source, user, today or date.today()), user))


def _import(checker: _Checker, user: User) -> Generator[Progress, None, ImportResult]:
    db.session.flush()
    now = utcnow()
    written = _Written()
    failed: list[CheckedRow] = []
    failures = 0
    warned: list[dict[str, Any]] = []
    warnings = 0
    done = 0
    wrote = False
    try:
        for batch in checker.batches():
            for row in batch.rows:
                if row.errors:
                    failures += 1
                    if len(failed) < MAX_LISTED:
                        failed.append(row)
                elif row.warnings:
                    warnings += 1
                    if len(warned) < MAX_LISTED:
                        warned.append({"row": row.number, "messages": row.warnings})
            if not failures:
                wrote = True
                counts = _write_batch(batch, user, now)
                written.created += counts.created
                written.amended += counts.amended
                written.unchanged += counts.unchanged
            done += len(batch.rows)
            yield Progress(done, checker.total)
    except sa.exc.IntegrityError as error:
        db.session.rollback()
        raise StaleVersion(
            "Someone saved some of these returns during the import: nothing was imported. "
            "Try again."
        ) from error
    except BaseException:
        if wrote:
            db.session.rollback()
        raise
    if failures:
        if wrote:
            db.session.rollback()
        extra: dict[str, Any] = {"rows": _listed(failed)}
        if failures > len(failed):
            extra["rows_not_listed"] = failures - len(failed)
        noun = "row has" if failures == 1 else "rows have"
        raise ValidationFailed(
            {}, f"{failures:,} {noun} errors: nothing was imported.", extra=extra
        )
    _expire_returns()
    return ImportResult(
        imported=done,
        created=written.created,
        amended=written.amended,
        unchanged=written.unchanged,
        warnings=warned,
        rows_with_warnings=warnings,
    )


def import_returns(
    stream: IO[bytes],
    user: User,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    today: date | None = None,
) -> ImportResult:
    """Import a CSV file of returns, every row or none, in the caller's transaction (the caller
    commits). `on_progress(done, total)` is called after each batch. Raises as import_steps."""
    steps = import_steps(stream, user, today=today)
    while True:
        try:
            progress = next(steps)
        except StopIteration as finished:
            return finished.value
        if on_progress is not None:
            on_progress(progress.done, progress.total)


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
            _Checker(source, user, today or date.today()), page, per_page, problems_only
        )


def _preview(checker: _Checker, page: int, per_page: int, problems_only: bool) -> Preview:
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


# The template -------------------------------------------------------------------------------

EXAMPLE_FIGURES = {
    "referrals": "12",
    "caseload": "60",
    "new_to_service": "8",
    "first_contact_within_4_weeks": "6",
    "job_starts": "4",
    "in_work": "22",
    "sustained_13_weeks": "2",
    "employment_specialists_fte": "3.0",
    "discharges": "5",
}


def example_site_id(user: User) -> int | None:
    """A site the user may send returns for (the first by name), for the template's example."""
    statement = sa.select(Site.id).order_by(Site.name, Site.id).limit(1)
    scope = returns_scope(user)
    if scope is not None:
        statement = statement.where(Site.id.in_(scope))
    return db.session.scalar(statement)


def template_csv(site_id: int | None, today: date) -> str:
    """The header and one example row: the site's return for last month."""
    month = return_rules.add_months(today.replace(day=1), -1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    example = {"site_id": "" if site_id is None else str(site_id), "month": f"{month:%Y-%m}"}
    writer.writerow([(example | EXAMPLE_FIGURES)[name] for name in HEADER])
    return out.getvalue()
