"""Reads for each role's home: what needs the user today (site lead, trainer, programme staff),
and the trainer's My sites (each assigned site with its visits, actions, fidelity, job starts
against its target and late returns). Every read is scoped to the user and bounded: a row per
site in scope at most, a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from accounts.models import User
from core.extensions import db
from core.months import financial_year_start, month_start
from core.paging import Page, paged
from programme.late_returns import LateSite, late_return_months
from programme.models import Programme
from programme.progress import Progress, ProgressStatus
from programme.queries import progress_of
from sites.models import MonthlyReturn, Organisation, ReturnStatus, Site, UserSite
from sites.queries import awaiting_approval, of_statuses
from sites.returns.approval.queries import (
    SentBack,
    returns_awaiting_approval,
    sent_back_returns,
)
from sites.returns.deadlines import this_months_return
from sites.returns.obligations import months_required
from sites.returns.queries import return_due_date
from sites.returns.questions.queries import (
    QueryLine,
    answered_queries_raised_by,
    open_queries_of_sites,
)
from sites.returns.workflow import COUNTED
from training.assignments.queries import current_assignments
from training.centres.queries import Centre, centres_passed_unrenewed
from training.fidelity import scoring
from training.fidelity.cadence import Cadence
from training.fidelity.indicators.queries import DriftingSite, drifting_sites
from training.fidelity.queries import ReviewDue, review_cadence, reviews_due
from training.models import Action, Assignment, FidelityReview, ReviewStatus, Visit
from training.reviews.queries import OverdueStep, overdue_review_steps
from training.visits.actions import ActionStatus
from training.visits.queries import (
    ActionFilters,
    ActionRow,
    NextAction,
    action_list,
    next_actions,
    overdue_action_count,
)


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
    job_starts_awaiting_approval: int = 0  # of job_starts_this_year


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
        sa.select(
            MonthlyReturn.site_id,
            sa.func.sum(MonthlyReturn.job_starts).label("job_starts"),
            awaiting_approval(MonthlyReturn.job_starts).label("awaiting"),
        )
        .where(
            MonthlyReturn.site_id.in_(assigned),
            of_statuses(COUNTED),
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
            job_starts.c.awaiting,
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
            job_starts_awaiting_approval=int(row.awaiting or 0),
        )
        for row in rows
    ]


# How many rows of each task a home lists; the rest sit behind a "see all" link.
LISTED = 5


@dataclass(frozen=True)
class ReturnToSend:
    """A return a site lead sends next, or a draft they left."""

    site_id: int
    site_name: str
    month: date
    due_on: date
    status: str | None  # the saved return's; None: not started
    required: bool  # the site takes part in a programme that month


@dataclass(frozen=True)
class SiteLeadTasks:
    sites: list[sa.Row[Any]]  # (id, name) of the sites the user leads, by name
    late: list[LateSite]  # months owed past their due date, most first
    next_returns: list[ReturnToSend]  # per site: the next return to send, on time
    drafts: list[ReturnToSend]  # saved, not submitted, oldest first
    actions: Page[ActionRow]  # open actions agreed with their sites, earliest due first
    overdue_actions: int
    sent_back: list[SentBack] = field(default_factory=list)  # to correct, with the reason
    open_queries: list[QueryLine] = field(default_factory=list)  # to answer, oldest return first

    @property
    def late_months(self) -> int:
        return sum(len(site.months) for site in self.late)


def _led_sites(user: User) -> list[sa.Row[Any]]:
    return list(
        db.session.execute(
            sa.select(Site.id, Site.name)
            .join(UserSite, UserSite.site_id == Site.id)
            .where(UserSite.user_id == user.id)
            .order_by(Site.name, Site.id)
        ).all()
    )


def site_lead_tasks(user: User, today: date) -> SiteLeadTasks:
    """What needs a site lead today: late returns, the next return of each of their sites and its
    due date, drafts, and the open actions agreed with their sites."""
    sites = _led_sites(user)
    ids = [site.id for site in sites]
    names = {site.id: site.name for site in sites}
    # The next return is the month that ended most recently while its due date is still to come,
    # else this month (sent once the month ends).
    candidates = [this_months_return(today), month_start(today)]
    saved: dict[tuple[int, date], str] = {}
    drafts: list[ReturnToSend] = []
    if ids:
        for site_id, month, status in db.session.execute(
            sa.select(MonthlyReturn.site_id, MonthlyReturn.month, MonthlyReturn.status).where(
                MonthlyReturn.site_id.in_(ids),
                sa.or_(MonthlyReturn.month.in_(candidates), ~of_statuses(COUNTED)),
            )
        ):
            saved[(site_id, month)] = status
    required = months_required(ids, candidates)
    for (site_id, month), status in sorted(
        saved.items(), key=lambda item: (item[0][1], names[item[0][0]])
    ):
        if status not in COUNTED:  # a draft, or a return sent back to be corrected
            drafts.append(
                ReturnToSend(
                    site_id,
                    names[site_id],
                    month,
                    return_due_date(month),
                    status,
                    month in required.get(site_id, set()),
                )
            )
    next_returns = []
    for site in sites:
        for month in candidates:
            due_on = return_due_date(month)
            status = saved.get((site.id, month))
            if status in COUNTED or due_on < today:
                continue
            next_returns.append(
                ReturnToSend(
                    site.id,
                    site.name,
                    month,
                    due_on,
                    status,
                    month in required.get(site.id, set()),
                )
            )
            break
    late = late_return_months(today, site_ids=ids) if ids else []
    actions = action_list(user, ActionFilters(), per_page=LISTED, today=today)
    shown = {(next.site_id, next.month) for next in next_returns}
    return SiteLeadTasks(
        sites=sites,
        late=late,
        # A return sent back is listed under "Returns sent back", with its reason.
        next_returns=[next for next in next_returns if next.status != ReturnStatus.RETURNED],
        drafts=[
            draft
            for draft in drafts
            if (draft.site_id, draft.month) not in shown and draft.status != ReturnStatus.RETURNED
        ],
        actions=actions,
        overdue_actions=overdue_action_count(user, today),
        sent_back=sent_back_returns(ids),
        open_queries=open_queries_of_sites(ids) if ids else [],
    )


@dataclass(frozen=True)
class TrainerTasks:
    overdue_actions: Page[ActionRow]
    due_soon_actions: Page[ActionRow]
    visits_due: list[MySite]  # assigned sites not visited for VISIT_DUE_AFTER_DAYS, or never
    reviews_due: list[ReviewDue]  # due within REVIEW_NOTICE_DAYS, overdue first
    late: list[LateSite]
    sites: int  # assigned today
    visit_due_after_days: int
    cadence: Cadence
    answered_queries: list[QueryLine] = field(default_factory=list)  # answers to their queries
    drifting: list[DriftingSite] = field(default_factory=list)  # live indicators below review
    review_steps_overdue: list[OverdueStep] = field(default_factory=list)  # reports, action plans


def trainer_tasks(user: User, today: date) -> TrainerTasks:
    """What needs a regional trainer this week, at the sites assigned to them today."""
    sites = my_sites(user.id, today)
    ids = [site.site_id for site in sites]
    after = current_app.config["VISIT_DUE_AFTER_DAYS"]
    visits_due = sorted(
        (
            site
            for site in sites
            if site.last_visit_on is None or (today - site.last_visit_on).days > after
        ),
        key=lambda site: (site.last_visit_on or date.min, site.name),
    )
    return TrainerTasks(
        overdue_actions=action_list(
            user, ActionFilters(due="overdue"), per_page=LISTED, today=today
        ),
        due_soon_actions=action_list(
            user, ActionFilters(due="due_soon"), per_page=LISTED, today=today
        ),
        visits_due=visits_due,
        reviews_due=reviews_due(ids, today, by=today + timedelta(days=REVIEW_NOTICE_DAYS))
        if ids
        else [],
        late=late_return_months(today, site_ids=ids) if ids else [],
        sites=len(sites),
        visit_due_after_days=after,
        cadence=review_cadence(),
        answered_queries=answered_queries_raised_by(user.id),
        drifting=drifting_sites(ids) if ids else [],
        review_steps_overdue=overdue_review_steps(ids, today) if ids else [],
    )


# Reviews falling due within this many days are listed, so that a trainer can book them.
REVIEW_NOTICE_DAYS = 90


@dataclass(frozen=True)
class StaffTasks:
    programmes_at_risk: list[tuple[Programme, Progress]]  # at risk or off track, worst first
    late: list[LateSite]
    without_trainer: Page[sa.Row[Any]]  # open sites with no trainer assigned today
    reviews_overdue: list[ReviewDue]
    overdue_actions: int
    awaiting_approval: int = 0  # submitted returns not yet approved
    review_steps_overdue: list[OverdueStep] = field(default_factory=list)  # reports, action plans
    centres_unrenewed: list[Centre] = field(default_factory=list)  # re-review date passed


AT_RISK = (ProgressStatus.OFF_TRACK, ProgressStatus.AT_RISK)


def staff_tasks(user: User, today: date) -> StaffTasks:
    """What needs programme staff today, across the network."""
    programmes = list(
        db.session.scalars(
            sa.select(Programme).where(Programme.starts_on <= today, Programme.ends_on >= today)
        )
    )
    progress = progress_of(programmes, today)
    at_risk = sorted(
        (
            (programme, progress[programme.id])
            for programme in programmes
            if progress[programme.id].status in AT_RISK
        ),
        key=lambda pair: (AT_RISK.index(pair[1].status), pair[0].name),
    )
    assigned = sa.select(Assignment.site_id).where(
        Assignment.starts_on <= today,
        sa.or_(Assignment.ends_on.is_(None), Assignment.ends_on >= today),
    )
    without_trainer = paged(
        sa.select(Site.id, Site.name, Organisation.name.label("organisation"))
        .join(Organisation, Organisation.id == Site.organisation_id)
        .where(
            sa.or_(Site.launched_on.is_(None), Site.launched_on <= today),
            sa.or_(Site.closed_on.is_(None), Site.closed_on > today),
            Site.id.not_in(assigned),
        )
        .order_by(Site.name, Site.id),
        1,
        LISTED,
    )
    return StaffTasks(
        programmes_at_risk=at_risk,
        late=late_return_months(today),
        without_trainer=without_trainer,
        reviews_overdue=reviews_due(None, today, by=today - timedelta(days=1)),
        overdue_actions=overdue_action_count(user, today),
        awaiting_approval=returns_awaiting_approval(),
        review_steps_overdue=overdue_review_steps(None, today),
        centres_unrenewed=centres_passed_unrenewed(today),
    )
