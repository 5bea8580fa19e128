"""The rules of the review cycle. Pure: standard library only.

A scheduled review's report is due 4 weeks and its action plan 6 weeks after the review date
(DESIGN.md); the review date is the recorded review's once it is linked, else the planned one.
A reviewer may not review a site of their own organisation, nor a site that their organisation
mentors on the review date (a mentoring whose mentor site belongs to that organisation; its last
day, `ends_on`, still counts, as an assignment's does).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

REPORT_DUE_AFTER = timedelta(weeks=4)
ACTION_PLAN_DUE_AFTER = timedelta(weeks=6)


class Step(StrEnum):
    REPORT = "report"
    ACTION_PLAN = "action_plan"


STEP_LABELS = {Step.REPORT: "Report", Step.ACTION_PLAN: "Action plan"}


def review_date(planned_on: date, reviewed_on: date | None = None) -> date:
    """The day the review took (or takes) place: the recorded review's, else the planned one."""
    return reviewed_on or planned_on


def report_due_on(review_on: date) -> date:
    return review_on + REPORT_DUE_AFTER


def action_plan_due_on(review_on: date) -> date:
    return review_on + ACTION_PLAN_DUE_AFTER


@dataclass(frozen=True)
class StepDue:
    step: Step
    due_on: date

    @property
    def label(self) -> str:
        return STEP_LABELS[self.step]


def overdue_steps(
    review_on: date,
    *,
    report_sent_on: date | None,
    action_plan_agreed_on: date | None,
    cancelled_on: date | None,
    today: date,
) -> list[StepDue]:
    """The steps of a scheduled review not done by their due date, as seen on `today`: the
    report (4 weeks after the review) and the action plan (6 weeks after). A step is overdue
    from the day after it is due; a cancelled review has no steps."""
    if cancelled_on is not None:
        return []
    steps = []
    if report_sent_on is None and report_due_on(review_on) < today:
        steps.append(StepDue(Step.REPORT, report_due_on(review_on)))
    if action_plan_agreed_on is None and action_plan_due_on(review_on) < today:
        steps.append(StepDue(Step.ACTION_PLAN, action_plan_due_on(review_on)))
    return steps


# Conflicts of interest


class Conflict(StrEnum):
    OWN_ORGANISATION = "own_organisation"
    MENTORS_NOW = "mentors_now"


@dataclass(frozen=True)
class MentoringSpan:
    """A mentoring of the site under review, by a site of `mentor_organisation_id`."""

    mentor_organisation_id: int
    starts_on: date
    ends_on: date | None  # the last day; None while it goes on


def mentoring_current(span: MentoringSpan, on: date) -> bool:
    return span.starts_on <= on and (span.ends_on is None or span.ends_on >= on)


def reviewer_conflict(
    reviewer_organisation_id: int | None,
    site_organisation_id: int,
    mentorings: Iterable[MentoringSpan],
    on: date,
) -> Conflict | None:
    """Why a reviewer working at `reviewer_organisation_id` may not review the site on `on`, or
    None when they may. Someone who works at no organisation has no conflict of this kind."""
    if reviewer_organisation_id is None:
        return None
    if reviewer_organisation_id == site_organisation_id:
        return Conflict.OWN_ORGANISATION
    for span in mentorings:
        if span.mentor_organisation_id == reviewer_organisation_id and mentoring_current(span, on):
            return Conflict.MENTORS_NOW
    return None


def conflict_message(conflict: Conflict, reviewer: str, organisation: str) -> str:
    """What the scheduling form says at the reviewer's field."""
    if conflict is Conflict.OWN_ORGANISATION:
        return (
            f"{reviewer} works at {organisation}, which runs this site: a reviewer may not "
            "review a site of their own organisation. Choose another reviewer"
        )
    return (
        f"{reviewer} works at {organisation}, which mentors this site on the review date: a "
        "reviewer may not review a site their organisation mentors. Choose another reviewer"
    )
