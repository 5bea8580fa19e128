"""Importing a CSV file of monthly returns: every row or none, in the caller's transaction.

The rows are checked (sites.returns.importing.checker) and written batch by batch with bulk Core
statements, a Progress after each batch. Once a bad row turns up the import stops writing, keeps
checking to report the errors, and rolls back what it wrote. Bulk Core writes bypass the ORM's
audit hook (core.audit), so this module writes one AuditEvent per return it creates or amends
itself, and the ReturnVersions that keep each return's figures.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

import sqlalchemy as sa

from accounts.models import User
from core.audit import AuditEvent, event_row, plain
from core.conflicts import UNIQUE_VALUES, constraint_name
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.records import utcnow
from sites.models import MonthlyReturn, ReturnSector, ReturnStatus, ReturnStep, ReturnVersion
from sites.returns import rules as return_rules
from sites.returns import workflow
from sites.returns.importing.checker import (
    Batch,
    CheckedRow,
    ExistingReturn,
    RowChecker,
    of_pairs,
    sectors_after,
)
from sites.returns.importing.reader import rereadable
from sites.returns.services import history_move

MAX_LISTED = 200  # rows with errors (or warnings) listed in an answer; the rest are counted
SOURCE = "import"


@dataclass(frozen=True)
class Progress:
    """How many of the file's rows have been checked (and, while all are valid, written)."""

    done: int
    total: int


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the returns imported (created, amended or left unchanged) and the
    rows with warnings."""

    imported: int
    created: int
    amended: int
    unchanged: int
    warnings: list[dict[str, Any]]  # [{"row": n, "messages": [...]}], the first MAX_LISTED
    rows_with_warnings: int


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
            "status": ReturnStatus.SUBMITTED,
            "submitted_at": now,
            "submitted_by_id": user.id,
            "first_submitted_at": now,
        }
        for row in rows
    ]
    db.session.execute(sa.insert(table), values)
    pairs = {(row.site_id, row.month) for row in rows}
    found = db.session.execute(
        sa.select(table.c.id, table.c.site_id, table.c.month).where(
            of_pairs(table.c.site_id, table.c.month, pairs)
        )
    )
    return {(r.site_id, r.month): r.id for r in found if (r.site_id, r.month) in pairs}


@dataclass
class _Writes:
    """What a batch adds besides the returns themselves: job starts by sector, versions and
    audit events."""

    sectors: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict] = field(default_factory=list)
    audits: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)  # the approval history, as the form keeps it


def _step_row(return_id: int, held_status: str | None, user: User, now: datetime) -> dict:
    move = workflow.save_move(held_status, submit=True)
    return {
        "return_id": return_id,
        "move": history_move(move, held_status),
        "status": ReturnStatus.SUBMITTED,
        "reason": None,
        "actor_id": user.id,
        "created_at": now,
        "updated_at": now,
    }


def _sector_rows(return_id: int, sectors: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {"return_id": return_id, "sector": sector, "job_starts": job_starts}
        for sector, job_starts in sorted(sectors.items())
    ]


def _create_returns(rows: list[CheckedRow], user: User, now: datetime, writes: _Writes) -> None:
    ids = _insert_returns(rows, user, now)
    for row in rows:
        return_id = ids[(row.site_id, row.month)]
        sectors = sectors_after(row, None)
        snapshot = return_rules.figures_snapshot(row.values, sectors)
        writes.versions.append(_version_row(return_id, 1, snapshot, user.id, now, SOURCE))
        writes.steps.append(_step_row(return_id, None, user, now))
        writes.sectors.extend(_sector_rows(return_id, sectors))
        after = {
            "id": return_id,
            "site_id": row.site_id,
            "month": plain(row.month),
            **{name: plain(value) for name, value in row.values.items()},
            "status": ReturnStatus.SUBMITTED,
            "submitted_at": now.isoformat(),
            "submitted_by_id": user.id,
        }
        if sectors:
            after["sectors"] = dict(sorted(sectors.items()))
        writes.audits.append(_audit(user, now, return_id, "create", None, after))


def _amend_returns(
    amended: list[tuple[CheckedRow, ExistingReturn]], user: User, now: datetime, writes: _Writes
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
    updates, drop_sectors = [], []
    for row, found in amended:
        was_submitted = found.status == ReturnStatus.SUBMITTED
        old_sectors = found.sectors  # read by the checker
        kept = sectors_after(row, found)
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
        writes.steps.append(_step_row(found.id, found.status, user, now))
        updates.append(
            {"b_id": found.id, "b_version": found.version}
            | {f"b_{name}": row.values[name] for name in return_rules.FIGURES}
            | {
                "b_submitted_at": found.submitted_at if was_submitted else now,
                "b_submitted_by_id": found.submitted_by_id if was_submitted else user.id,
                "b_now": now,
            }
        )
        before = {name: plain(old) for name, (old, _) in changed.items()}
        after = {name: plain(new) for name, (_, new) in changed.items()}
        if not was_submitted:
            before |= {"status": found.status, "submitted_at": None, "submitted_by_id": None}
            after |= {
                "status": ReturnStatus.SUBMITTED,
                "submitted_at": now.isoformat(),
                "submitted_by_id": user.id,
            }
        if kept != old_sectors:
            drop_sectors.append(found.id)
            writes.sectors.extend(_sector_rows(found.id, kept))
            before["sectors"] = dict(sorted(old_sectors.items()))
            after["sectors"] = dict(sorted(kept.items()))
        writes.audits.append(_audit(user, now, found.id, "update", before, after))

    if drop_sectors:
        table = ReturnSector.__table__
        db.session.execute(sa.delete(table).where(table.c.return_id.in_(drop_sectors)))
    if updates:
        _update_returns(updates)
    return len(updates)


def _write_batch(batch: Batch, user: User, now: datetime) -> _Written:
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
    if writes.sectors:
        db.session.execute(sa.insert(ReturnSector.__table__), writes.sectors)
    if writes.versions:
        db.session.execute(sa.insert(ReturnVersion.__table__), writes.versions)
    if writes.steps:
        db.session.execute(sa.insert(ReturnStep.__table__), writes.steps)
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
                "status": ReturnStatus.SUBMITTED,
                "submitted_at": sa.bindparam("b_submitted_at"),
                "submitted_by_id": sa.bindparam("b_submitted_by_id"),
                "first_submitted_at": sa.func.coalesce(
                    table.c.first_submitted_at, sa.bindparam("b_now")
                ),
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
        if isinstance(record, MonthlyReturn | ReturnSector | ReturnVersion | ReturnStep):
            db.session.expire(record)


# The import ---------------------------------------------------------------------------------


def _listed(rows: list[CheckedRow]) -> list[dict[str, Any]]:
    return [{"row": row.number, "fields": row.errors} for row in rows]


def _failure_message(failures: int, blank: int, listed: list[CheckedRow]) -> str:
    """Why nothing was imported. When every bad row is one whose figures are blank (a template
    sent as it was downloaded), say that, naming the first such row."""
    if blank == failures:
        if failures == 1:
            return (
                f"Row {listed[0].number} has no figures: fill them in (0 where there were none) "
                "or delete the row. Nothing was imported."
            )
        return (
            f"{failures:,} rows have no figures, the first row {listed[0].number}: fill them in "
            "(0 where there were none) or delete those rows. Nothing was imported."
        )
    noun = "row has" if failures == 1 else "rows have"
    return f"{failures:,} {noun} errors: nothing was imported."


def import_steps(
    stream: IO[bytes], user: User, *, today: date | None = None
) -> Generator[Progress, None, ImportResult]:
    """Import a CSV file of returns, yielding the progress after each batch; returns the
    ImportResult. Raises ValidationFailed (file problems in `fields`; row problems in
    extra["rows"], the first MAX_LISTED of them, with "rows_not_listed" counting the rest)
    and leaves nothing written; FileTooLarge; StaleVersion when a return changed meanwhile."""
    with rereadable(stream) as source:
        return (yield from _import(RowChecker(source, user, today or date.today()), user))


def _import(checker: RowChecker, user: User) -> Generator[Progress, None, ImportResult]:
    db.session.flush()
    now = utcnow()
    written = _Written()
    failed: list[CheckedRow] = []
    failures = blank = 0
    warned: list[dict[str, Any]] = []
    warnings = 0
    done = 0
    wrote = False
    try:
        for batch in checker.batches():
            for row in batch.rows:
                if row.errors:
                    failures += 1
                    blank += "figures" in row.errors
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
        if constraint_name(error.orig) not in UNIQUE_VALUES:
            raise  # not a race for these returns (a site deleted meanwhile): portal.conflicts
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
        raise ValidationFailed({}, _failure_message(failures, blank, failed), extra=extra)
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
