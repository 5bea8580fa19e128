"""Reads for the monthly return pages: the returns a user sends, a return's history and due dates.
Each is a fixed number of queries, whatever the number of sites."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app

from accounts.models import User
from core import working_days
from core.extensions import db
from core.paging import Page, paged
from sites.models import MonthlyReturn, Organisation, ReturnVersion, Site, UserSite
from sites.returns import deadlines, obligations
from sites.returns import rules as return_rules
from sites.returns.workflow import COUNTED


def working_days_allowed() -> int:
    return current_app.config.get("LATE_RETURN_WORKING_DAYS", working_days.WORKING_DAYS_ALLOWED)


def return_due_date(month: date) -> date:
    """The last day on which the return for `month` is on time."""
    holidays = working_days.england_and_wales_holidays(month.year, month.year + 1)
    return working_days.due_date(month, holidays, working_days_allowed())


@dataclass(frozen=True)
class SiteReturns:
    site_id: int
    name: str
    organisation: str
    statuses: dict[date, tuple[str, int]]  # month -> (status, version)
    latest_submitted: date | None
    states: dict[date, deadlines.ReturnState]

    @property
    def late(self) -> bool:
        return deadlines.ReturnState.LATE in self.states.values()


def returns_overview(
    user: User, months: Sequence[date], today: date, page: int = 1, per_page: int = 50
) -> Page[SiteReturns]:
    """One page of the sites whose returns `user` sends, with the state of their returns for
    `months` (late, due, not required, draft, submitted) and their latest submitted month; on the
    page, sites with a late return first, then by name. Five queries."""
    sites = (
        sa.select(Site.id, Site.name, Organisation.name.label("organisation"))
        .join(Organisation, Organisation.id == Site.organisation_id)
        .order_by(Site.name, Site.id)
    )
    scope = returns_scope(user)
    if scope is not None:
        sites = sites.where(Site.id.in_(scope))
    page_rows = paged(sites, page, per_page)
    ids = [row.id for row in page_rows.rows]
    statuses: dict[int, dict[date, tuple[str, int]]] = defaultdict(dict)
    latest: dict[int, date] = {}
    if ids:
        for site_id, month, status, version in db.session.execute(
            sa.select(
                MonthlyReturn.site_id,
                MonthlyReturn.month,
                MonthlyReturn.status,
                MonthlyReturn.version,
            ).where(MonthlyReturn.site_id.in_(ids), MonthlyReturn.month.in_(list(months)))
        ):
            statuses[site_id][month] = (status, version)
        latest = dict(
            db.session.execute(
                sa.select(MonthlyReturn.site_id, sa.func.max(MonthlyReturn.month))
                .where(
                    MonthlyReturn.site_id.in_(ids),
                    MonthlyReturn.status.in_(COUNTED),  # received: submitted or approved
                )
                .group_by(MonthlyReturn.site_id)
            ).all()
        )
    required = obligations.months_required(ids, months)
    due_on = {month: return_due_date(month) for month in months}

    def states(site_id: int) -> dict[date, deadlines.ReturnState]:
        saved = statuses[site_id]
        needed = required.get(site_id, set())
        return {
            month: deadlines.return_state(
                saved[month][0] if month in saved else None, month in needed, due_on[month], today
            )
            for month in months
        }

    rows = [
        SiteReturns(
            row.id,
            row.name,
            row.organisation,
            statuses[row.id],
            latest.get(row.id),
            states(row.id),
        )
        for row in page_rows.rows
    ]
    rows.sort(key=lambda row: not row.late)  # stable: by name within late and the rest
    return replace(page_rows, rows=rows)


@dataclass(frozen=True)
class ReturnVersionEntry:
    number: int
    saved_by: str | None
    saved_at: datetime
    source: str
    figures: dict[str, Any]
    changes: list[return_rules.Change]


def return_history(return_id: int) -> list[ReturnVersionEntry]:
    """Every submitted version of a return, newest first, each with what it changed from the
    version before: one query."""
    rows = db.session.execute(
        sa.select(ReturnVersion, User.name)
        .outerjoin(User, User.id == ReturnVersion.saved_by_id)
        .where(ReturnVersion.return_id == return_id)
        .order_by(ReturnVersion.number)
    ).all()
    entries: list[ReturnVersionEntry] = []
    previous: dict[str, Any] | None = None
    for version, name in rows:
        changes = return_rules.changes_between(previous, version.figures) if previous else []
        entries.append(
            ReturnVersionEntry(
                number=version.number,
                saved_by=name,
                saved_at=version.saved_at,
                source=version.source,
                figures=version.figures,
                changes=changes,
            )
        )
        previous = version.figures
    return entries[::-1]


def returns_scope(user: User) -> sa.Select[Any] | None:
    """The ids of the sites whose returns `user` may send; None means all."""
    if user.role == "admin":
        return None
    if user.role == "site_lead":
        return sa.select(UserSite.site_id).where(UserSite.user_id == user.id)
    return sa.select(Site.id).where(sa.false())


def can_send_returns(user: User, site_id: int) -> bool:
    """Programme staff, and the site's own leads, send and amend its monthly returns."""
    if user.role == "admin":
        return True
    if user.role != "site_lead":
        return False
    return bool(
        db.session.scalar(
            sa.select(UserSite.id).where(UserSite.user_id == user.id, UserSite.site_id == site_id)
        )
    )


def get_site_for_returns_or_404(user: User, site_id: int) -> Site:
    site = db.get_or_404(Site, site_id)
    if not can_send_returns(user, site_id):
        abort(403)
    return site


def active_site_leads(site_id: int) -> list[User]:
    """The active site leads of a site, whom e-mails about its returns go to."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserSite, UserSite.user_id == User.id)
            .where(
                UserSite.site_id == site_id,
                User.role == "site_lead",
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )
