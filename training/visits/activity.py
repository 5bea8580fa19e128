"""Trainers' activity for programme staff: visits per trainer per month and by purpose, and the
sites without a visit in the last 90 days."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from accounts.models import User
from core.extensions import db
from core.months import add_months, month_start, months_between
from core.paging import Page, paged
from core.sql import sql_month_start
from sites.models import Organisation, Site
from training.models import Assignment, Visit
from training.visits.queries import open_on

NO_VISIT_DAYS = 90


ACTIVITY_MONTHS = 12


def activity_months(today: date) -> list[date]:
    """The first days of the last ACTIVITY_MONTHS calendar months, this one last."""
    this_month = month_start(today)
    return months_between(add_months(this_month, 1 - ACTIVITY_MONTHS), this_month)


@dataclass(frozen=True)
class TrainerActivity:
    months: list[date]
    # (trainer_id, trainer name) -> {month: visits}
    by_month: dict[tuple[int | None, str], dict[date, int]]
    # (trainer_id, trainer name) -> {purpose: visits}
    by_purpose: dict[tuple[int | None, str], dict[str, int]]

    @property
    def total(self) -> int:
        return sum(sum(months.values()) for months in self.by_month.values())

    def visits_of(self, trainer_id: int) -> int:
        """The trainer's visits over the months."""
        return sum(
            sum(months.values()) for (key, _), months in self.by_month.items() if key == trainer_id
        )


NO_TRAINER = "No trainer recorded"


def trainer_activity(today: date) -> TrainerActivity:
    """Visits per trainer per month over the last 12 months, and per trainer by purpose: two
    grouped queries."""
    months = activity_months(today)
    window = [Visit.visited_on >= months[0], Visit.visited_on <= today]
    month = sql_month_start(Visit.visited_on)
    by_month: dict[tuple[int | None, str], dict[date, int]] = {}
    for trainer_id, trainer, visit_month, visits in db.session.execute(
        sa.select(Visit.trainer_id, User.name, month, sa.func.count(Visit.id))
        .outerjoin(User, User.id == Visit.trainer_id)
        .where(*window)
        .group_by(Visit.trainer_id, User.name, month)
        .order_by(User.name, Visit.trainer_id)
    ):
        if isinstance(visit_month, str):  # SQLite may answer the month as text
            visit_month = date.fromisoformat(visit_month)
        by_month.setdefault((trainer_id, trainer or NO_TRAINER), {})[visit_month] = visits
    by_purpose: dict[tuple[int | None, str], dict[str, int]] = {}
    for trainer_id, trainer, purpose, visits in db.session.execute(
        sa.select(Visit.trainer_id, User.name, Visit.purpose, sa.func.count(Visit.id))
        .outerjoin(User, User.id == Visit.trainer_id)
        .where(*window)
        .group_by(Visit.trainer_id, User.name, Visit.purpose)
        .order_by(User.name, Visit.trainer_id)
    ):
        by_purpose.setdefault((trainer_id, trainer or NO_TRAINER), {})[purpose] = visits
    return TrainerActivity(months=months, by_month=by_month, by_purpose=by_purpose)


def sites_without_recent_visit(
    today: date, *, days: int = NO_VISIT_DAYS, page: int = 1, per_page: int = 50
) -> Page:
    """The sites open today with no visit in the last `days` days, never visited first, then
    the longest since a visit: rows of site_id, name, organisation, last_visit_on, trainers
    (the names of the trainers assigned today, A to Z). Three queries."""
    last_visits = (
        sa.select(Visit.site_id, sa.func.max(Visit.visited_on).label("last_visit_on"))
        .where(Visit.visited_on <= today)
        .group_by(Visit.site_id)
        .subquery("last_visits")
    )
    since = today - timedelta(days=days)
    select = (
        sa.select(
            Site.id.label("site_id"),
            Site.name,
            Organisation.name.label("organisation"),
            last_visits.c.last_visit_on,
        )
        .join(Organisation, Organisation.id == Site.organisation_id)
        .outerjoin(last_visits, last_visits.c.site_id == Site.id)
        .where(
            *open_on(today),
            sa.or_(last_visits.c.last_visit_on.is_(None), last_visits.c.last_visit_on < since),
        )
        .order_by(
            sa.case((last_visits.c.last_visit_on.is_(None), 0), else_=1),
            last_visits.c.last_visit_on,
            Site.name,
            Site.id,
        )
    )
    found = paged(select, page, per_page)
    rows = found.rows
    trainers: dict[int, list[str]] = {}
    if rows:
        trainer = aliased(User)
        for site_id, name in db.session.execute(
            sa.select(Assignment.site_id, trainer.name)
            .join(trainer, trainer.id == Assignment.user_id)
            .where(
                Assignment.site_id.in_([row.site_id for row in rows]),
                Assignment.starts_on <= today,
                sa.or_(Assignment.ends_on.is_(None), Assignment.ends_on >= today),
            )
            .order_by(trainer.name)
        ):
            trainers.setdefault(site_id, []).append(name)
    return replace(
        found,
        rows=[{**row._mapping, "trainers": trainers.get(row.site_id, [])} for row in rows],
    )
