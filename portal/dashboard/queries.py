"""Reads for the trainer's home (My sites): each assigned site with its visits, actions, fidelity,
job starts against its target and late returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from core.extensions import db
from core.months import financial_year_start
from sites.models import MonthlyReturn, Organisation, ReturnStatus, Site
from training.assignments.queries import current_assignments
from training.fidelity import scoring
from training.models import Action, FidelityReview, ReviewStatus, Visit
from training.visits.actions import ActionStatus
from training.visits.queries import NextAction, next_actions


@dataclass(frozen=True)
class MySite:
    site_id: int
    name: str
    organisation: str
    last_visit_on: date | None
    open_actions: int
    overdue_actions: int
    next_action: NextAction | None
    fidelity_total: int | None
    fidelity_reviewed_on: date | None
    band: str | None
    job_starts_this_year: int
    site_target: int | None  # the sum of the current participations' targets; None: none set
    late_returns: int = field(default=0)


def my_sites(trainer_id: int, today: date) -> list[MySite]:
    """Each site the trainer is assigned to on `today`, by name, with its last visit, open and
    overdue actions and the next one due, latest fidelity band, and job starts this financial
    year against its current target: two queries, whatever the number of sites."""
    from programme.models import Participation

    assigned = current_assignments(trainer_id, today)
    last_visits = (
        sa.select(Visit.site_id, sa.func.max(Visit.visited_on).label("last_visit_on"))
        .where(Visit.site_id.in_(assigned))
        .group_by(Visit.site_id)
        .subquery("last_visits")
    )
    counts = (
        sa.select(
            Action.site_id,
            sa.func.count(Action.id).label("open_actions"),
            sa.func.count(Action.id).filter(Action.due_on < today).label("overdue_actions"),
        )
        .where(Action.site_id.in_(assigned), Action.status == ActionStatus.OPEN)
        .group_by(Action.site_id)
        .subquery("action_counts")
    )
    ranked = (
        sa.select(
            FidelityReview.site_id,
            FidelityReview.total,
            FidelityReview.reviewed_on,
            sa.func.row_number()
            .over(
                partition_by=FidelityReview.site_id,
                order_by=(FidelityReview.reviewed_on.desc(), FidelityReview.id.desc()),
            )
            .label("rank"),
        )
        .where(FidelityReview.site_id.in_(assigned), FidelityReview.status == ReviewStatus.FINAL)
        .subquery("ranked_reviews")
    )
    targets = (
        sa.select(
            Participation.site_id, sa.func.sum(Participation.site_target).label("site_target")
        )
        .where(
            Participation.site_id.in_(assigned),
            Participation.joined_on <= today,
            sa.or_(Participation.left_on.is_(None), Participation.left_on >= today),
        )
        .group_by(Participation.site_id)
        .subquery("targets")
    )
    year_start = financial_year_start(today)
    job_starts = (
        sa.select(MonthlyReturn.site_id, sa.func.sum(MonthlyReturn.job_starts).label("job_starts"))
        .where(
            MonthlyReturn.site_id.in_(assigned),
            MonthlyReturn.status == ReturnStatus.SUBMITTED,
            MonthlyReturn.month >= year_start,
            MonthlyReturn.month <= today,
        )
        .group_by(MonthlyReturn.site_id)
        .subquery("job_starts")
    )
    rows = db.session.execute(
        sa.select(
            Site.id,
            Site.name,
            Organisation.name.label("organisation"),
            last_visits.c.last_visit_on,
            counts.c.open_actions,
            counts.c.overdue_actions,
            ranked.c.total,
            ranked.c.reviewed_on,
            targets.c.site_target,
            job_starts.c.job_starts,
        )
        .join(Organisation, Organisation.id == Site.organisation_id)
        .outerjoin(last_visits, last_visits.c.site_id == Site.id)
        .outerjoin(counts, counts.c.site_id == Site.id)
        .outerjoin(ranked, sa.and_(ranked.c.site_id == Site.id, ranked.c.rank == 1))
        .outerjoin(targets, targets.c.site_id == Site.id)
        .outerjoin(job_starts, job_starts.c.site_id == Site.id)
        .where(Site.id.in_(assigned))
        .order_by(Site.name, Site.id)
    ).all()
    upcoming = next_actions(assigned, today)
    return [
        MySite(
            site_id=row.id,
            name=row.name,
            organisation=row.organisation,
            last_visit_on=row.last_visit_on,
            open_actions=row.open_actions or 0,
            overdue_actions=row.overdue_actions or 0,
            next_action=upcoming.get(row.id),
            fidelity_total=row.total,
            fidelity_reviewed_on=row.reviewed_on,
            band=scoring.band_of_total(row.total),
            job_starts_this_year=int(row.job_starts or 0),
            site_target=None if row.site_target is None else int(row.site_target),
        )
        for row in rows
    ]
