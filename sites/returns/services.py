"""Writes on monthly returns: save a draft, submit, amend. Validate, change, flush; the caller
commits. The rules themselves are pure, in sites/returns/rules.py (figures),
sites/returns/workflow.py (who moves a return to which status) and sites/returns/unusual.py.

A submitted return stays submitted: amending it keeps the figures it had as a ReturnVersion, so
its history shows who changed what and when. A returned (sent back) return is saved as returned
until it is resubmitted; an approved one is locked (workflow.Refused, 409). Each submission,
resubmission and amendment is a ReturnStep of the return's approval history. Edits carry the
version they read (409 when stale).
"""

from __future__ import annotations

import math
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
from sites.models import (
    MonthlyReturn,
    ReturnSector,
    ReturnStatus,
    ReturnStep,
    ReturnVersion,
    Site,
)
from sites.returns import rules as return_rules
from sites.returns import unusual, workflow

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
    """The job starts of the site's submitted (or approved) return for `month`, or None when
    there is none."""
    return db.session.scalar(
        sa.select(MonthlyReturn.job_starts).where(
            MonthlyReturn.site_id == site_id,
            MonthlyReturn.month == month,
            MonthlyReturn.status.in_(workflow.COUNTED),
        )
    )


def usual_history(site_id: int, month: date) -> tuple[dict[str, list[Any]], int]:
    """Each figure's values over the site's last 12 submitted or approved months before `month`,
    oldest first, and how many months that is: one query, at most 12 rows."""
    columns = [getattr(MonthlyReturn, name) for name in return_rules.FIGURES]
    rows = db.session.execute(
        sa.select(*columns)
        .where(
            MonthlyReturn.site_id == site_id,
            MonthlyReturn.month < month,
            MonthlyReturn.status.in_(workflow.COUNTED),
        )
        .order_by(MonthlyReturn.month.desc())
        .limit(unusual.MONTHS_LOOKED_AT)
    ).all()[::-1]
    history = {name: [row[i] for row in rows] for i, name in enumerate(return_rules.FIGURES)}
    return history, len(rows)


def _shown(value: float, whole: bool) -> str:
    return f"{value:,.0f}" if whole else f"{value:,.2f}".rstrip("0").rstrip(".")


def unusual_message(found: unusual.Unusual, months: int) -> str:
    """'Job starts 30 is far above this site's usual range (0 to 8 over its last 12 months).
    Check it, or confirm it.' A whole-number figure's range is shown in whole numbers inside it."""
    whole = found.figure in return_rules.COUNTS
    low = math.ceil(found.low) if whole else found.low
    high = math.floor(found.high) if whole else found.high
    side = "above" if found.value > found.high else "below"
    label = return_rules.FIGURES.get(found.figure, found.figure)
    return (
        f"{label} {_shown(found.value, whole)} is far {side} this site's usual range "
        f"({_shown(low, whole)} to {_shown(high, whole)} over its last {months} months). "
        "Check it, or confirm it."
    )


def unusual_in(
    site_id: int, month: date, values: Mapping[str, Any]
) -> list[tuple[unusual.Unusual, str]]:
    """The figures of `values` far outside the site's own usual range, each with its warning
    (none while the site has fewer than 6 earlier months): one query."""
    history, months = usual_history(site_id, month)
    if months < unusual.FEWEST_MONTHS:
        return []
    return [
        (found, unusual_message(found, sum(v is not None for v in history[found.figure])))
        for found in unusual.unusual_figures(history, values)
    ]


def actor_for(user: User | None) -> workflow.Actor:
    """The workflow's view of a sender whose access to the site the caller has checked
    (get_site_for_returns_or_404, the import's scope); no user is the system itself."""
    return workflow.Actor(user.role if user else "admin", leads_site=True)


HISTORY_MOVES = {
    workflow.Move.SUBMIT: "submit",
    workflow.Move.AMEND: "amend",
    workflow.Move.APPROVE: "approve",
    workflow.Move.SEND_BACK: "send_back",
    workflow.Move.REOPEN: "reopen",
    workflow.Move.ASK_TO_REOPEN: "ask_to_reopen",
}
RESUBMIT = "resubmit"  # a submission of a returned return, as the history names it


def history_move(move: workflow.Move, current: str | None) -> str:
    if move == workflow.Move.SUBMIT and current == ReturnStatus.RETURNED:
        return RESUBMIT
    return HISTORY_MOVES.get(move, move.value)


def add_step(
    monthly_return: MonthlyReturn,
    move: str,
    status: str,
    user: User | None,
    reason: str | None = None,
) -> ReturnStep:
    """Keep a step of the return's approval history: who, the move, the status it led to, why."""
    step = ReturnStep(
        move=move, status=str(status), reason=reason, actor_id=user.id if user else None
    )
    monthly_return.steps.append(step)
    return step


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
    needed) once submitted; a draft (or a returned return saved again) may leave figures blank.
    Warnings, the unusual figures among them, stop the save unless `confirm_warnings`; the
    unusual figures confirmed are kept on the return for its approver. Raises workflow.Refused
    (an approved return is locked), ValidationFailed (WarningsNotConfirmed) or StaleVersion;
    nothing is written then.
    """
    today = today or date.today()
    month = month_start(month)
    existing = find_return(site.id, month)
    held = existing.status if existing is not None else None
    move = workflow.save_move(held, submit)
    status = workflow.step(actor_for(user), move, held).to
    if existing is not None:
        if version is None:
            raise StaleVersion(_exists_already(month))
        check_version(existing, version)
    was_submitted = held == ReturnStatus.SUBMITTED
    checked = check_figures(
        site.id, month, figures, sectors, complete=status == ReturnStatus.SUBMITTED, today=today
    )
    if not checked.ok:
        raise ValidationFailed(checked.errors)
    if existing is None and not checked.sectors and all(v is None for v in checked.values.values()):
        raise ValidationFailed({"figures": ["give at least one figure to save a draft"]})
    found = unusual_in(site.id, month, checked.values) if status == ReturnStatus.SUBMITTED else []
    warnings = checked.warnings + [message for _, message in found]
    if warnings and not confirm_warnings:
        raise WarningsNotConfirmed(warnings)

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
    if status == ReturnStatus.SUBMITTED:
        monthly_return.unusual_figures = [item.as_dict() for item, _ in found] or None
    if status == ReturnStatus.SUBMITTED and not was_submitted:
        monthly_return.submitted_at = utcnow()
        monthly_return.submitted_by_id = user.id if user else None
        if monthly_return.first_submitted_at is None:
            monthly_return.first_submitted_at = monthly_return.submitted_at
        add_step(monthly_return, history_move(move, held), status, user)
    if status == ReturnStatus.SUBMITTED and _snapshot(monthly_return) != before:
        _keep_version(monthly_return, user, source, len(monthly_return.versions) + 1)
        if was_submitted:
            add_step(monthly_return, history_move(move, held), status, user)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        if existing is not None or constraint_name(error.orig) != ONE_RETURN_A_MONTH:
            raise
        # Someone created it after our read and committed first: the answer they would have
        # had a moment later, stale.
        raise StaleVersion(_exists_already(month)) from error
    return SavedReturn(monthly_return, existing is None, warnings)
