"""Reads of mentorings: a site's mentors, and the sites it mentors with each one's job starts
since the mentoring began. A fixed number of queries, whatever the number of sites."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from core.extensions import db
from core.sql import sql_month_start
from sites.models import Mentoring, MonthlyReturn, Site
from sites.queries import of_statuses
from sites.returns.workflow import COUNTED


@dataclass(frozen=True)
class MentoringLink:
    """One mentoring seen from one of its sites: `site_id` and `name` are the other site's."""

    mentoring_id: int
    site_id: int
    name: str
    starts_on: date
    ends_on: date | None
    programme_id: int | None
    note: str | None  # staff's: never shown to funders
    version: int
    job_starts: int = 0  # a mentee's, from the month the mentoring began

    def current(self, on: date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


def _links(rows: Sequence[sa.Row], with_job_starts: bool = False) -> list[MentoringLink]:
    return [
        MentoringLink(
            mentoring_id=row.Mentoring.id,
            site_id=row.site_id,
            name=row.name,
            starts_on=row.Mentoring.starts_on,
            ends_on=row.Mentoring.ends_on,
            programme_id=row.Mentoring.programme_id,
            note=row.Mentoring.note,
            version=row.Mentoring.version,
            job_starts=int(row.job_starts or 0) if with_job_starts else 0,
        )
        for row in rows
    ]


def mentors_of(site_id: int) -> list[MentoringLink]:
    """The sites that mentor or mentored `site_id`, latest first. One query."""
    rows = db.session.execute(
        sa.select(Mentoring, Site.id.label("site_id"), Site.name)
        .join(Site, Site.id == Mentoring.mentor_site_id)
        .where(Mentoring.mentee_site_id == site_id)
        .order_by(Mentoring.starts_on.desc(), Mentoring.id.desc())
    ).all()
    return _links(rows)


def mentees_of(site_id: int, counted: Sequence[str] = COUNTED) -> list[MentoringLink]:
    """The sites `site_id` mentors or mentored, latest first, each with its job starts in the
    `counted` returns (the reader's) from the month the mentoring began. One query."""
    since_it_began = sa.and_(
        MonthlyReturn.site_id == Mentoring.mentee_site_id,
        MonthlyReturn.month >= sql_month_start(Mentoring.starts_on),
        of_statuses(counted),
    )
    rows = db.session.execute(
        sa.select(
            Mentoring,
            Site.id.label("site_id"),
            Site.name,
            sa.func.sum(MonthlyReturn.job_starts).label("job_starts"),
        )
        .join(Site, Site.id == Mentoring.mentee_site_id)
        .outerjoin(MonthlyReturn, since_it_began)
        .where(Mentoring.mentor_site_id == site_id)
        .group_by(Mentoring.id, Site.id, Site.name)
        .order_by(Mentoring.starts_on.desc(), Mentoring.id.desc())
    ).all()
    return _links(rows, with_job_starts=True)
