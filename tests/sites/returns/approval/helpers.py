"""What the approval tests share: a site with its lead and a submitted return, and the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from core.months import month_slug
from sites.models import MonthlyReturn, ReturnQuery, ReturnStep, Site

MONTH = date(2024, 5, 1)
SLUG = month_slug(MONTH)


@dataclass
class Setting:
    site: Site
    lead: Any
    admin: Any
    monthly_return: MonthlyReturn

    @property
    def page(self) -> str:
        return f"/sites/{self.site.id}/returns/{SLUG}"

    @property
    def api(self) -> str:
        return f"/api/v1/sites/{self.site.id}/returns/{SLUG}"


def setting(make: Any, status: str = "submitted", **fields: Any) -> Setting:
    site = make.site(name="Riverside IPS", region="london")
    lead = make.user("site_lead", sites=[site])
    admin = make.user("admin")
    found = make.monthly_return(site, MONTH, status=status, **fields)
    return Setting(site, lead, admin, found)


def moves(db: Any, return_id: int) -> list[tuple[str, str, str | None]]:
    """(move, status, reason) of the return's steps, oldest first."""
    rows = db.session.execute(
        sa.select(ReturnStep.move, ReturnStep.status, ReturnStep.reason)
        .where(ReturnStep.return_id == return_id)
        .order_by(ReturnStep.id)
    )
    return [tuple(row) for row in rows]


def open_query(db: Any, return_id: int) -> ReturnQuery:
    query = ReturnQuery(return_id=return_id, text="Job starts look high", status="open")
    db.session.add(query)
    db.session.commit()
    return query


def fresh(db: Any, record: MonthlyReturn) -> MonthlyReturn:
    db.session.expire_all()
    return db.session.get(MonthlyReturn, record.id)
