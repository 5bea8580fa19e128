"""Writes of the review cycle: schedule a review with a lead and a second reviewer from the pool
(refusing a conflict of interest at the reviewer's field), mark its report sent and its action
plan agreed, link the review once recorded, cancel it. Validate, change, flush; the caller
commits, and the audit hook records each change."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from core.errors import Fields, ValidationFailed, add_message
from core.extensions import db
from core.limits import day_in_range
from core.records import require_version
from sites.models import Site
from training.models import REVIEW_KINDS, FidelityReview, ScheduledReview
from training.reviews import rules
from training.reviews.queries import Reviewer, reviewer_pool, site_mentorings

NOT_IN_POOL = (
    "Choose a reviewer from the pool: a regional trainer, or someone who works at an "
    "organisation with a Centre of Excellence"
)
CHOOSE = {
    "lead_reviewer_id": "Choose the lead reviewer",
    "second_reviewer_id": "Choose the second reviewer",
}


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def reviewer_problem(site: Site, reviewer: Reviewer, on: date) -> str | None:
    """Why `reviewer` may not review `site` on `on` (rules.reviewer_conflict), or None."""
    conflict = rules.reviewer_conflict(
        reviewer.organisation_id, site.organisation_id, site_mentorings(site.id), on
    )
    if conflict is None:
        return None
    return rules.conflict_message(conflict, reviewer.name, reviewer.organisation or "")


def schedule_review(
    site: Site,
    *,
    planned_on: date | None,
    kind: str | None,
    lead_reviewer_id: int | None,
    second_reviewer_id: int | None,
    today: date,
) -> ScheduledReview:
    """Schedule a fidelity review of `site` on `planned_on` with two different reviewers from
    the pool, neither in conflict with the site on that date."""
    fields: Fields = {}
    if planned_on is None:
        add_message(fields, "planned_on", "Enter the date of the review")
    elif not day_in_range(planned_on):
        add_message(fields, "planned_on", "Enter a date from 1 January 1990 to 31 December 2100")
    elif planned_on < today:
        add_message(fields, "planned_on", "The date of the review must be today or later")
    elif site.closed_on is not None and planned_on >= site.closed_on:
        add_message(fields, "planned_on", f"{site.name} closed on {_long(site.closed_on)}")
    if kind not in REVIEW_KINDS:
        add_message(fields, "kind", "Choose the kind of review")
    pool = {reviewer.id: reviewer for reviewer in reviewer_pool(today)}
    chosen = {"lead_reviewer_id": lead_reviewer_id, "second_reviewer_id": second_reviewer_id}
    for name, reviewer_id in chosen.items():
        if reviewer_id is None:
            add_message(fields, name, CHOOSE[name])
        elif reviewer_id not in pool:
            add_message(fields, name, NOT_IN_POOL)
        elif planned_on is not None and "planned_on" not in fields:
            problem = reviewer_problem(site, pool[reviewer_id], planned_on)
            if problem:
                add_message(fields, name, problem)
    if lead_reviewer_id is not None and lead_reviewer_id == second_reviewer_id:
        add_message(
            fields,
            "second_reviewer_id",
            "The second reviewer must be someone other than the lead reviewer",
        )
    if fields:
        raise ValidationFailed(fields)
    scheduled = ScheduledReview(
        site_id=site.id,
        planned_on=planned_on,
        kind=kind,
        lead_reviewer_id=lead_reviewer_id,
        second_reviewer_id=second_reviewer_id,
    )
    db.session.add(scheduled)
    db.session.flush()
    return scheduled


def _review_on(scheduled: ScheduledReview) -> date:
    reviewed_on = None
    if scheduled.review_id is not None:
        reviewed_on = db.session.scalar(
            sa.select(FidelityReview.reviewed_on).where(FidelityReview.id == scheduled.review_id)
        )
    return rules.review_date(scheduled.planned_on, reviewed_on)


def _open(scheduled: ScheduledReview, version: int | None) -> None:
    require_version(scheduled, version)
    if scheduled.cancelled_on is not None:
        cancelled = f"This review was cancelled on {_long(scheduled.cancelled_on)}"
        raise ValidationFailed({"_": [cancelled]})


def _step_date(scheduled: ScheduledReview, day: date | None, what: str, today: date) -> date:
    if day is None:
        raise ValidationFailed({"on": [f"Enter the date {what}"]})
    if day > today:
        raise ValidationFailed({"on": [f"The date {what} must not be in the future"]})
    review_on = _review_on(scheduled)
    if day < review_on:
        before = f"The date {what} must not be before the review, on {_long(review_on)}"
        raise ValidationFailed({"on": [before]})
    return day


def mark_report_sent(
    scheduled: ScheduledReview, sent_on: date | None, version: int | None, today: date
) -> ScheduledReview:
    _open(scheduled, version)
    scheduled.report_sent_on = _step_date(scheduled, sent_on, "the report was sent", today)
    db.session.flush()
    return scheduled


def mark_action_plan_agreed(
    scheduled: ScheduledReview, agreed_on: date | None, version: int | None, today: date
) -> ScheduledReview:
    _open(scheduled, version)
    scheduled.action_plan_agreed_on = _step_date(
        scheduled, agreed_on, "the action plan was agreed", today
    )
    db.session.flush()
    return scheduled


def link_review(
    scheduled: ScheduledReview, review_id: int | None, version: int | None
) -> ScheduledReview:
    """Link the fidelity review recorded for this scheduled one (a review of the same site)."""
    _open(scheduled, version)
    review = db.session.get(FidelityReview, review_id) if review_id is not None else None
    if review is None or review.site_id != scheduled.site_id:
        raise ValidationFailed({"review_id": ["Choose a fidelity review of this site"]})
    scheduled.review_id = review.id
    db.session.flush()
    return scheduled


def cancel_review(scheduled: ScheduledReview, version: int | None, today: date) -> ScheduledReview:
    _open(scheduled, version)
    if scheduled.review_id is not None:
        raise ValidationFailed({"_": ["This review is recorded: it can no longer be cancelled"]})
    scheduled.cancelled_on = today
    db.session.flush()
    return scheduled
