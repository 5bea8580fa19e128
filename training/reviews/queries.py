"""Reads of the review cycle: the reviewer pool, the mentorings a conflict is judged by, the
scheduled reviews of a site or of many (one query, however many sites), their overdue steps,
and each site's next review due (training.fidelity.queries.reviews_due, beside its schedule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from accounts.models import User
from core.extensions import db
from sites.models import Designation, Mentoring, Organisation, Site
from training.fidelity.queries import ReviewDue, SiteIds, reviews_due
from training.models import FidelityReview, ScheduledReview
from training.reviews import rules


def _restrict(select: sa.Select, column: Any, site_ids: SiteIds) -> sa.Select:
    if site_ids is None:
        return select
    if isinstance(site_ids, sa.Select):
        return select.where(column.in_(site_ids))
    return select.where(column.in_(list(site_ids)))


# The reviewer pool and conflicts


@dataclass(frozen=True)
class Reviewer:
    id: int
    name: str
    role: str
    organisation_id: int | None
    organisation: str | None  # its name

    @property
    def label(self) -> str:
        return f"{self.name} ({self.organisation})" if self.organisation else self.name


def centre_organisations(on: date) -> sa.Select[Any]:
    """The ids of the organisations that run a Centre of Excellence on `on`."""
    return (
        sa.select(Site.organisation_id)
        .join(Designation, Designation.site_id == Site.id)
        .where(
            Designation.awarded_on <= on,
            sa.or_(Designation.ended_on.is_(None), Designation.ended_on > on),
        )
    )


def reviewer_pool(on: date) -> list[Reviewer]:
    """Who may be chosen to review, by name: active regional trainers, and the active staff of
    an organisation with a Centre of Excellence on `on` (funders never): one query."""
    rows = db.session.execute(
        sa.select(User.id, User.name, User.role, User.organisation_id, Organisation.name)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(
            User.active.is_(True),
            User.role != "funder",
            sa.or_(User.role == "trainer", User.organisation_id.in_(centre_organisations(on))),
        )
        .order_by(User.name, User.id)
    )
    return [Reviewer(*row) for row in rows]


def site_mentorings(site_id: int) -> list[rules.MentoringSpan]:
    """Every mentoring of the site, with the mentor site's organisation: one query."""
    rows = db.session.execute(
        sa.select(Site.organisation_id, Mentoring.starts_on, Mentoring.ends_on)
        .join(Site, Site.id == Mentoring.mentor_site_id)
        .where(Mentoring.mentee_site_id == site_id)
    )
    return [rules.MentoringSpan(*row) for row in rows]


# Scheduled reviews


@dataclass(frozen=True)
class Scheduled:
    """A scheduled review with its site's and reviewers' names and the recorded review's date."""

    id: int
    version: int
    site_id: int
    site_name: str
    planned_on: date
    kind: str
    lead_reviewer: str | None
    second_reviewer: str | None
    report_sent_on: date | None
    action_plan_agreed_on: date | None
    review_id: int | None
    reviewed_on: date | None
    cancelled_on: date | None

    @property
    def review_on(self) -> date:
        return rules.review_date(self.planned_on, self.reviewed_on)

    @property
    def report_due_on(self) -> date:
        return rules.report_due_on(self.review_on)

    @property
    def action_plan_due_on(self) -> date:
        return rules.action_plan_due_on(self.review_on)

    def overdue_steps(self, today: date) -> list[rules.StepDue]:
        return rules.overdue_steps(
            self.review_on,
            report_sent_on=self.report_sent_on,
            action_plan_agreed_on=self.action_plan_agreed_on,
            cancelled_on=self.cancelled_on,
            today=today,
        )

    @property
    def upcoming(self) -> bool:
        """Still to be recorded: not cancelled and no review linked yet."""
        return self.cancelled_on is None and self.review_id is None


def _scheduled_select() -> sa.Select[Any]:
    lead = aliased(User)
    second = aliased(User)
    return (
        sa.select(
            ScheduledReview.id,
            ScheduledReview.version,
            ScheduledReview.site_id,
            Site.name,
            ScheduledReview.planned_on,
            ScheduledReview.kind,
            lead.name,
            second.name,
            ScheduledReview.report_sent_on,
            ScheduledReview.action_plan_agreed_on,
            ScheduledReview.review_id,
            FidelityReview.reviewed_on,
            ScheduledReview.cancelled_on,
        )
        .join(Site, Site.id == ScheduledReview.site_id)
        .outerjoin(lead, lead.id == ScheduledReview.lead_reviewer_id)
        .outerjoin(second, second.id == ScheduledReview.second_reviewer_id)
        .outerjoin(FidelityReview, FidelityReview.id == ScheduledReview.review_id)
    )


def scheduled_review(scheduled_id: int) -> Scheduled | None:
    row = db.session.execute(_scheduled_select().where(ScheduledReview.id == scheduled_id)).first()
    return None if row is None else Scheduled(*row)


def site_schedule(site_id: int) -> list[Scheduled]:
    """Every review scheduled for the site, latest planned first: one query."""
    rows = db.session.execute(
        _scheduled_select()
        .where(ScheduledReview.site_id == site_id)
        .order_by(ScheduledReview.planned_on.desc(), ScheduledReview.id.desc())
    )
    return [Scheduled(*row) for row in rows]


def next_scheduled(site_ids: SiteIds) -> dict[int, Scheduled]:
    """Per site among `site_ids` (None: every site), its earliest review still to be recorded
    (not cancelled, no review linked): one query."""
    select = _scheduled_select().where(
        ScheduledReview.cancelled_on.is_(None), ScheduledReview.review_id.is_(None)
    )
    select = _restrict(select, ScheduledReview.site_id, site_ids).order_by(
        ScheduledReview.planned_on.desc(), ScheduledReview.id.desc()
    )
    found: dict[int, Scheduled] = {}
    for row in db.session.execute(select):
        found[row.site_id] = Scheduled(*row)  # the earliest comes last and stays
    return found


@dataclass(frozen=True)
class OverdueStep:
    scheduled: Scheduled
    step: rules.StepDue


def overdue_review_steps(site_ids: SiteIds, today: date) -> list[OverdueStep]:
    """The report and action-plan steps past their due date of the reviews scheduled at
    `site_ids` (None: every site), earliest due first: one query."""
    review_on = sa.func.coalesce(FidelityReview.reviewed_on, ScheduledReview.planned_on)
    select = _scheduled_select().where(
        ScheduledReview.cancelled_on.is_(None),
        sa.or_(
            ScheduledReview.report_sent_on.is_(None),
            ScheduledReview.action_plan_agreed_on.is_(None),
        ),
        review_on < today - rules.REPORT_DUE_AFTER,
    )
    rows = db.session.execute(_restrict(select, ScheduledReview.site_id, site_ids))
    steps = [
        OverdueStep(scheduled, step)
        for scheduled in (Scheduled(*row) for row in rows)
        for step in scheduled.overdue_steps(today)
    ]
    return sorted(steps, key=lambda s: (s.step.due_on, s.scheduled.site_name, s.scheduled.id))


# Reviews due


@dataclass(frozen=True)
class DueWithSchedule:
    due: ReviewDue
    scheduled: Scheduled | None


def reviews_due_with_schedule(site_ids: SiteIds, today: date, *, by: date) -> list[DueWithSchedule]:
    """Each open site's next review due on or before `by`, overdue first, beside its next
    scheduled review: two queries, however many sites."""
    due = reviews_due(site_ids, today, by=by)
    scheduled = next_scheduled(site_ids) if due else {}
    return [DueWithSchedule(row, scheduled.get(row.site_id)) for row in due]


def next_review_due(site_id: int, today: date) -> date | None:
    """When the site's next fidelity review is due by the cadence; None for a site not open on
    `today` or with nothing to tell (no review, no launch date)."""
    found = reviews_due([site_id], today, by=date.max)
    return found[0].next_review_due if found else None


def days_ahead(today: date, days: int) -> date:
    """`days` after `today`, or the last date there is."""
    try:
        return today + timedelta(days=days)
    except OverflowError:
        return date.max


def linkable_reviews(site_id: int) -> list[tuple[int, date, str]]:
    """(id, reviewed_on, status) of the site's reviews, newest first: the choices to link."""
    rows = db.session.execute(
        sa.select(FidelityReview.id, FidelityReview.reviewed_on, FidelityReview.status)
        .where(FidelityReview.site_id == site_id)
        .order_by(FidelityReview.reviewed_on.desc(), FidelityReview.id.desc())
    )
    return [(row.id, row.reviewed_on, row.status) for row in rows]


@dataclass(frozen=True)
class SiteReviewCycle:
    """The site page's review cycle: the next review due by the cadence, the next review
    scheduled, and the overdue steps of every review scheduled for the site."""

    next_review_due: date | None
    scheduled: Scheduled | None
    overdue_steps: list[OverdueStep]


def site_review_cycle(site_id: int, today: date) -> SiteReviewCycle:
    """Two queries."""
    schedule = site_schedule(site_id)
    upcoming = [row for row in schedule if row.upcoming]
    return SiteReviewCycle(
        next_review_due=next_review_due(site_id, today),
        scheduled=min(upcoming, key=lambda row: (row.planned_on, row.id)) if upcoming else None,
        overdue_steps=[
            OverdueStep(row, step) for row in schedule for step in row.overdue_steps(today)
        ],
    )
