"""Reads for approving returns: the approval list (submitted returns awaiting approval, and
approved ones their site lead asks to reopen), a return's approval history, and the counts the
homes show. Each is a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from accounts.models import User
from accounts.scopes import programme_site_ids
from core.extensions import db
from core.months import previous_month
from core.paging import Page, paged
from sites.models import MonthlyReturn, ReturnQuery, ReturnStatus, ReturnStep, Site
from sites.returns import rules as return_rules
from sites.returns import workflow

MOVE_LABELS = {
    "submit": "Submitted",
    "resubmit": "Resubmitted",
    "amend": "Amended",
    "approve": "Approved",
    "send_back": "Sent back",
    "reopen": "Reopened",
    "ask_to_reopen": "Asked to reopen",
}
STATUS_TAGS = {  # the NHS.UK tag colour of each status
    ReturnStatus.DRAFT: "blue",
    ReturnStatus.SUBMITTED: "purple",
    ReturnStatus.RETURNED: "red",
    ReturnStatus.APPROVED: "green",
}


@dataclass(frozen=True)
class HistoryStep:
    move: str
    status: str
    reason: str | None
    by: str | None
    at: datetime

    @property
    def label(self) -> str:
        return MOVE_LABELS.get(self.move, self.move)


def return_steps(return_id: int) -> list[HistoryStep]:
    """The return's approval history, oldest first: one query."""
    rows = db.session.execute(
        sa.select(ReturnStep, User.name)
        .outerjoin(User, User.id == ReturnStep.actor_id)
        .where(ReturnStep.return_id == return_id)
        .order_by(ReturnStep.id)
    ).all()
    return [
        HistoryStep(step.move, step.status, step.reason, name, step.created_at)
        for step, name in rows
    ]


def pending_request(steps: Sequence[HistoryStep], status: str) -> HistoryStep | None:
    """The site lead's request to reopen an approved return, while it waits for an answer."""
    if status != ReturnStatus.APPROVED:
        return None
    for step in reversed(steps):
        if step.move == "ask_to_reopen":
            return step
        if step.move in {"approve", "reopen"}:
            return None
    return None


def sent_back_reason(steps: Sequence[HistoryStep], status: str) -> HistoryStep | None:
    """The step that sent a returned return back (its reason), while it is returned."""
    if status != ReturnStatus.RETURNED:
        return None
    return next((step for step in reversed(steps) if step.move == "send_back"), None)


@dataclass(frozen=True)
class ApprovalFilters:
    programme_id: int | None = None
    region: str | None = None


@dataclass(frozen=True)
class ApprovalRow:
    return_id: int
    version: int
    site_id: int
    site_name: str
    month: date
    status: str
    submitted_at: datetime | None
    submitted_by: str | None
    job_starts: int | None
    unusual_figures: list[dict[str, Any]]
    open_queries: int
    asked_to_reopen: bool
    previous_job_starts: int | None = None

    @property
    def change(self) -> int | None:
        """Job starts against the site's previous month; None without both."""
        if self.job_starts is None or self.previous_job_starts is None:
            return None
        return self.job_starts - self.previous_job_starts

    @property
    def unusual_labels(self) -> list[str]:
        return [
            return_rules.FIGURES.get(str(item.get("figure")), str(item.get("figure")))
            for item in self.unusual_figures
        ]

    @property
    def flagged(self) -> bool:
        """Something an approver must look at on the return itself: not approved in bulk."""
        return bool(self.unusual_figures or self.open_queries or self.asked_to_reopen)


def _last_step(move: str, label: str) -> Any:
    return (
        sa.select(ReturnStep.return_id, sa.func.max(ReturnStep.id).label(label))
        .where(ReturnStep.move == move)
        .group_by(ReturnStep.return_id)
        .subquery()
    )


def approval_list(filters: ApprovalFilters, page: int = 1, per_page: int = 50) -> Page[ApprovalRow]:
    """One page of the returns awaiting programme staff: submitted returns, and approved ones
    whose site lead asks to reopen them; the longest waiting first. Three queries."""
    open_counts = (
        sa.select(ReturnQuery.return_id, sa.func.count(ReturnQuery.id).label("open_queries"))
        .where(ReturnQuery.status == "open")
        .group_by(ReturnQuery.return_id)
        .subquery()
    )
    asked = _last_step("ask_to_reopen", "asked_id")
    approved = _last_step("approve", "approved_id")
    asking = sa.and_(
        MonthlyReturn.status == ReturnStatus.APPROVED,
        asked.c.asked_id > sa.func.coalesce(approved.c.approved_id, 0),
    )
    select = (
        sa.select(
            MonthlyReturn.id,
            MonthlyReturn.version,
            MonthlyReturn.site_id,
            Site.name.label("site_name"),
            MonthlyReturn.month,
            MonthlyReturn.status,
            MonthlyReturn.submitted_at,
            User.name.label("submitted_by"),
            MonthlyReturn.job_starts,
            MonthlyReturn.unusual_figures,
            sa.func.coalesce(open_counts.c.open_queries, 0).label("open_queries"),
            asking.label("asked_to_reopen"),
        )
        .join(Site, Site.id == MonthlyReturn.site_id)
        .outerjoin(User, User.id == MonthlyReturn.submitted_by_id)
        .outerjoin(open_counts, open_counts.c.return_id == MonthlyReturn.id)
        .outerjoin(asked, asked.c.return_id == MonthlyReturn.id)
        .outerjoin(approved, approved.c.return_id == MonthlyReturn.id)
        .where(sa.or_(MonthlyReturn.status == ReturnStatus.SUBMITTED, asking))
        .order_by(MonthlyReturn.submitted_at, MonthlyReturn.month, MonthlyReturn.id)
    )
    if filters.region is not None:
        select = select.where(Site.region == filters.region)
    if filters.programme_id is not None:
        select = select.where(MonthlyReturn.site_id.in_(programme_site_ids(filters.programme_id)))
    found = paged(select, page, per_page)
    rows = [
        ApprovalRow(
            return_id=row.id,
            version=row.version,
            site_id=row.site_id,
            site_name=row.site_name,
            month=row.month,
            status=row.status,
            submitted_at=row.submitted_at,
            submitted_by=row.submitted_by,
            job_starts=row.job_starts,
            unusual_figures=list(row.unusual_figures or []),
            open_queries=int(row.open_queries or 0),
            asked_to_reopen=bool(row.asked_to_reopen),
        )
        for row in found.rows
    ]
    before = _previous_job_starts({(row.site_id, previous_month(row.month)) for row in rows})
    rows = [
        replace(row, previous_job_starts=before.get((row.site_id, previous_month(row.month))))
        for row in rows
    ]
    return replace(found, rows=rows)


def _previous_job_starts(pairs: set[tuple[int, date]]) -> dict[tuple[int, date], int | None]:
    """The job starts of the submitted or approved returns of `pairs` (site, month): one query."""
    if not pairs:
        return {}
    rows = db.session.execute(
        sa.select(MonthlyReturn.site_id, MonthlyReturn.month, MonthlyReturn.job_starts).where(
            MonthlyReturn.site_id.in_({site for site, _ in pairs}),
            MonthlyReturn.month.in_({month for _, month in pairs}),
            MonthlyReturn.status.in_(workflow.COUNTED),
        )
    )
    return {(r.site_id, r.month): r.job_starts for r in rows if (r.site_id, r.month) in pairs}


def returns_awaiting_approval(site_ids: sa.Select[Any] | None = None) -> int:
    """How many submitted returns wait for programme staff to approve them."""
    select = sa.select(sa.func.count(MonthlyReturn.id)).where(
        MonthlyReturn.status == ReturnStatus.SUBMITTED
    )
    if site_ids is not None:
        select = select.where(MonthlyReturn.site_id.in_(site_ids))
    return db.session.scalar(select) or 0


@dataclass(frozen=True)
class SentBack:
    site_id: int
    site_name: str
    month: date
    reason: str | None
    at: datetime | None


def sent_back_returns(site_ids: Sequence[int]) -> list[SentBack]:
    """The returned returns of `site_ids`, oldest month first, each with the reason it was sent
    back: one query."""
    if not site_ids:
        return []
    last = _last_step("send_back", "step_id")
    rows = db.session.execute(
        sa.select(
            MonthlyReturn.site_id,
            Site.name,
            MonthlyReturn.month,
            ReturnStep.reason,
            ReturnStep.created_at,
        )
        .join(Site, Site.id == MonthlyReturn.site_id)
        .outerjoin(last, last.c.return_id == MonthlyReturn.id)
        .outerjoin(ReturnStep, ReturnStep.id == last.c.step_id)
        .where(
            MonthlyReturn.site_id.in_(list(site_ids)),
            MonthlyReturn.status == ReturnStatus.RETURNED,
        )
        .order_by(MonthlyReturn.month, Site.name)
    ).all()
    return [SentBack(r.site_id, r.name, r.month, r.reason, r.created_at) for r in rows]
