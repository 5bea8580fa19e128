"""Writes on monthly returns: save a draft, submit, amend. Validate, change, flush; the caller
commits. The rules themselves are pure, in sites/return_rules.py.

A submitted return stays submitted: amending it keeps the figures it had as a ReturnVersion, so
its history shows who changed what and when. Edits carry the version they read (409 when stale).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from accounts.models import User
from core.conflicts import constraint_name
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.months import month_start
from core.records import check_version, utcnow
from sites.models import MonthlyReturn, ReturnSector, ReturnStatus, ReturnVersion, Site
from sites.returns import rules as return_rules

ONE_RETURN_A_MONTH = "uq_monthly_return_site_id_month"  # the constraint a second create breaks


class WarningsNotConfirmed(ValidationFailed):
    """The figures are valid but unusual: the sender must confirm the warnings to save them."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__(
            {"confirm_warnings": ["Check the warnings, then confirm them to save this return"]},
            "The figures are unusual: confirm the warnings to save them.",
            extra={"warnings": warnings},
        )
        self.warnings = warnings


@dataclass(frozen=True)
class SavedReturn:
    """The saved return and what the sender confirmed; reads through to the return's columns."""

    monthly_return: MonthlyReturn
    created: bool
    warnings: list[str]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.monthly_return, name)


def _exists_already(month: date) -> str:
    return f"A return for {month:%B %Y} exists already: read it and send its version."


def find_return(site_id: int, month: date) -> MonthlyReturn | None:
    return db.session.scalar(
        sa.select(MonthlyReturn)
        .where(MonthlyReturn.site_id == site_id, MonthlyReturn.month == month_start(month))
        .options(selectinload(MonthlyReturn.sectors))
    )


def submitted_job_starts(site_id: int, month: date) -> int | None:
    """The job starts of the site's submitted return for `month`, or None when there is none."""
    return db.session.scalar(
        sa.select(MonthlyReturn.job_starts).where(
            MonthlyReturn.site_id == site_id,
            MonthlyReturn.month == month,
            MonthlyReturn.status == ReturnStatus.SUBMITTED,
        )
    )


def check_figures(
    site_id: int,
    month: date | None,
    figures: Mapping[str, Any],
    sectors: Any,
    *,
    complete: bool,
    today: date,
) -> return_rules.CheckedReturn:
    base = None
    if month is not None:
        base = submitted_job_starts(site_id, return_rules.add_months(month, -3))
    return return_rules.check_return(
        figures,
        month=month,
        today=today,
        sectors=sectors,
        complete=complete,
        job_starts_three_months_before=base,
    )


def _snapshot(monthly_return: MonthlyReturn) -> dict[str, Any]:
    return return_rules.figures_snapshot(monthly_return.figures(), monthly_return.sector_counts())


def _keep_version(
    monthly_return: MonthlyReturn, user: User | None, source: str, number: int
) -> None:
    monthly_return.versions.append(
        ReturnVersion(
            number=number,
            figures=_snapshot(monthly_return),
            saved_by_id=user.id if user else None,
            saved_at=utcnow(),
            source=source,
        )
    )


def save_return(
    site: Site,
    month: date,
    figures: Mapping[str, Any],
    *,
    user: User | None,
    sectors: Any = None,
    submit: bool = False,
    version: int | None = None,
    confirm_warnings: bool = False,
    today: date | None = None,
    source: str = "form",
) -> SavedReturn:
    """Create or change the site's return for `month`.

    An existing return needs the `version` the caller read. A return is complete (every figure
    needed) once submitted; a draft may leave figures blank. Warnings stop the save unless
    `confirm_warnings`. Raises ValidationFailed (WarningsNotConfirmed) or StaleVersion; nothing
    is written then.
    """
    today = today or date.today()
    month = month_start(month)
    existing = find_return(site.id, month)
    if existing is not None:
        if version is None:
            raise StaleVersion(_exists_already(month))
        check_version(existing, version)
    was_submitted = existing is not None and existing.is_submitted
    status = ReturnStatus.SUBMITTED if submit or was_submitted else ReturnStatus.DRAFT
    checked = check_figures(
        site.id, month, figures, sectors, complete=status == ReturnStatus.SUBMITTED, today=today
    )
    if not checked.ok:
        raise ValidationFailed(checked.errors)
    if existing is None and not checked.sectors and all(v is None for v in checked.values.values()):
        raise ValidationFailed({"figures": ["give at least one figure to save a draft"]})
    if checked.warnings and not confirm_warnings:
        raise WarningsNotConfirmed(checked.warnings)

    monthly_return = existing or MonthlyReturn(site_id=site.id, month=month)
    if existing is None:
        db.session.add(monthly_return)
    if was_submitted and not monthly_return.versions:
        # Submitted before versions were kept (or loaded in bulk): keep what it said first.
        submitter = db.session.get(User, existing.submitted_by_id or 0) if existing else None
        _keep_version(monthly_return, submitter, "earlier", 1)
        monthly_return.versions[-1].saved_at = existing.submitted_at or existing.updated_at
    before = _snapshot(monthly_return) if was_submitted else None

    for name, value in checked.values.items():
        setattr(monthly_return, name, value)
    if checked.sectors is not None or status == ReturnStatus.SUBMITTED:
        wanted = checked.sectors or {}
        current = {row.sector: row for row in monthly_return.sectors}
        for sector, row in current.items():
            if sector not in wanted:
                monthly_return.sectors.remove(row)
        for sector, count in wanted.items():
            if sector in current:
                current[sector].job_starts = count
            else:
                monthly_return.sectors.append(ReturnSector(sector=sector, job_starts=count))
    monthly_return.status = status
    if status == ReturnStatus.SUBMITTED and not was_submitted:
        monthly_return.submitted_at = utcnow()
        monthly_return.submitted_by_id = user.id if user else None
    if status == ReturnStatus.SUBMITTED and _snapshot(monthly_return) != before:
        _keep_version(monthly_return, user, source, len(monthly_return.versions) + 1)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        if existing is not None or constraint_name(error.orig) != ONE_RETURN_A_MONTH:
            raise
        # Someone created it after our read and committed first: the answer they would have
        # had a moment later, stale.
        raise StaleVersion(_exists_already(month)) from error
    return SavedReturn(monthly_return, existing is None, checked.warnings)
