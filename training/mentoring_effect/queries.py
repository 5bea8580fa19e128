"""Reads for "Does mentoring work": each mentoring with its mentee's fidelity and employment rate
before and after it began, and every site's employment rate for the funnel plot. A fixed number
of queries, however many sites and mentorings: the returns and reviews are read in one query
each and matched to the mentorings in Python (the windows are calendar arithmetic that SQLite and
PostgreSQL do not share)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from core.extensions import db
from sites.models import Mentoring, MonthlyReturn, Site
from sites.outcomes import Period
from sites.queries import of_statuses
from sites.returns.workflow import COUNTED
from training.mentoring_effect import rules
from training.models import FidelityReview, ReviewStatus


@dataclass(frozen=True)
class Employment:
    """A site's summed people in work and caseload over a window of months."""

    in_work: int = 0
    caseload: int = 0
    months_reported: int = 0

    @property
    def rate(self) -> float | None:
        return rules.employment_rate(self.in_work, self.caseload)


@dataclass(frozen=True)
class MentoredSite:
    """One mentoring, with its mentee's fidelity and employment before and after it began."""

    mentoring_id: int
    mentee_id: int
    mentee: str
    mentor_id: int
    mentor: str
    starts_on: date
    ends_on: date | None
    review_before: rules.Reviewed | None
    review_after: rules.Reviewed | None
    before: Employment
    after: Employment
    before_window: rules.Window
    after_window: rules.Window

    @property
    def fidelity_change(self) -> float | int | None:
        return rules.change(
            self.review_before.total if self.review_before else None,
            self.review_after.total if self.review_after else None,
        )

    @property
    def rate_change(self) -> float | int | None:
        return rules.change(self.before.rate, self.after.rate)


def mentored_sites(today: date, counted: Sequence[str] = COUNTED) -> list[MentoredSite]:
    """Every mentoring that has begun by `today`, latest first: three queries."""
    mentee, mentor = aliased(Site), aliased(Site)
    mentorings = db.session.execute(
        sa.select(
            Mentoring.id,
            Mentoring.mentee_site_id,
            mentee.name.label("mentee"),
            Mentoring.mentor_site_id,
            mentor.name.label("mentor"),
            Mentoring.starts_on,
            Mentoring.ends_on,
        )
        .join(mentee, mentee.id == Mentoring.mentee_site_id)
        .join(mentor, mentor.id == Mentoring.mentor_site_id)
        .where(Mentoring.starts_on <= today)
        .order_by(Mentoring.starts_on.desc(), mentee.name, Mentoring.id)
    ).all()
    if not mentorings:
        return []
    mentee_ids = sa.select(Mentoring.mentee_site_id).where(Mentoring.starts_on <= today)
    reviews: dict[int, list[rules.Reviewed]] = defaultdict(list)
    for row in db.session.execute(
        sa.select(FidelityReview.site_id, FidelityReview.reviewed_on, FidelityReview.total).where(
            FidelityReview.status == ReviewStatus.FINAL, FidelityReview.site_id.in_(mentee_ids)
        )
    ):
        reviews[row.site_id].append(rules.Reviewed(row.reviewed_on, row.total))
    spans = {row.id: rules.windows(row.starts_on) for row in mentorings}
    first = min(before.first for before, _ in spans.values())
    last = max(after.last for _, after in spans.values())
    months: dict[int, list[tuple[date, int, int]]] = defaultdict(list)
    for row in db.session.execute(
        sa.select(
            MonthlyReturn.site_id,
            MonthlyReturn.month,
            MonthlyReturn.in_work,
            MonthlyReturn.caseload,
        ).where(
            MonthlyReturn.site_id.in_(mentee_ids),
            of_statuses(counted),
            MonthlyReturn.month.between(first, last),
        )
    ):
        months[row.site_id].append((row.month, row.in_work or 0, row.caseload or 0))
    found = []
    for row in mentorings:
        before_window, after_window = spans[row.id]
        review_before, review_after = rules.reviews_around(
            reviews.get(row.mentee_site_id, []), row.starts_on
        )
        site_months = months.get(row.mentee_site_id, [])
        found.append(
            MentoredSite(
                mentoring_id=row.id,
                mentee_id=row.mentee_site_id,
                mentee=row.mentee,
                mentor_id=row.mentor_site_id,
                mentor=row.mentor,
                starts_on=row.starts_on,
                ends_on=row.ends_on,
                review_before=review_before,
                review_after=review_after,
                before=_employment(site_months, before_window),
                after=_employment(site_months, after_window),
                before_window=before_window,
                after_window=after_window,
            )
        )
    return found


def _employment(months: list[tuple[date, int, int]], window: rules.Window) -> Employment:
    inside = [(in_work, caseload) for month, in_work, caseload in months if window.holds(month)]
    return Employment(
        in_work=sum(in_work for in_work, _ in inside),
        caseload=sum(caseload for _, caseload in inside),
        months_reported=len(inside),
    )


@dataclass(frozen=True)
class FunnelSite:
    site_id: int
    name: str
    in_work: int
    caseload: int  # summed over the months: the funnel's n

    @property
    def rate(self) -> float:
        return self.in_work / self.caseload


@dataclass(frozen=True)
class Funnel:
    """Sites with a caseload in the period, by name, and the network's rate over them all."""

    period: Period
    sites: list[FunnelSite]
    network_rate: float | None  # None: no caseload anywhere

    def limits(self, site: FunnelSite) -> rules.Limits:
        assert self.network_rate is not None  # a site with a caseload makes the rate
        return rules.funnel_limits(self.network_rate, site.caseload)

    def position(self, site: FunnelSite) -> rules.Position:
        return rules.position(site.rate, self.limits(site))


def employment_funnel(period: Period, counted: Sequence[str] = COUNTED) -> Funnel:
    """Each site's people in work and caseload summed over `period`, for the sites with a
    caseload in it: one grouped query."""
    r = MonthlyReturn
    caseload = sa.func.coalesce(sa.func.sum(r.caseload), 0)
    rows = db.session.execute(
        sa.select(
            Site.id,
            Site.name,
            sa.func.coalesce(sa.func.sum(r.in_work), 0).label("in_work"),
            caseload.label("caseload"),
        )
        .join(r, r.site_id == Site.id)
        .where(of_statuses(counted), r.month.between(period.first, period.last))
        .group_by(Site.id, Site.name)
        .having(caseload > 0)
        .order_by(Site.name, Site.id)
    )
    sites = [
        FunnelSite(row.id, row.name, min(int(row.in_work), int(row.caseload)), int(row.caseload))
        for row in rows
    ]
    in_work = sum(site.in_work for site in sites)
    caseload_total = sum(site.caseload for site in sites)
    return Funnel(period, sites, rules.employment_rate(in_work, caseload_total))
