"""Regional trainers' work and fidelity: assignments, fidelity reviews and their item scores,
visits, and the actions agreed at visits and reviews."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.extensions import db
from core.records import Record
from sites.models import Site
from training.visits.actions import ActionStatus

REVIEW_KINDS = {
    "self_assessment": "Self-assessment",
    "peer_review": "Peer review",
    "external_review": "External review",
}


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    FINAL = "final"


REVIEW_STATUSES = {ReviewStatus.DRAFT: "Draft", ReviewStatus.FINAL: "Final"}
VISIT_PURPOSES = {
    "training": "Training",
    "supervision": "Supervision",
    "steering_group": "Steering group",
    "employer_engagement": "Employer engagement",
    "fidelity_review": "Fidelity review",
    "other": "Other",
}
ACTION_STATUSES = {
    ActionStatus.OPEN: "Open",
    ActionStatus.DONE: "Done",
    ActionStatus.DROPPED: "Dropped",
}


class Assignment(Record, db.Model):
    __tablename__ = "assignment"
    __table_args__ = (sa.Index("ix_assignment_user_site", "user_id", "site_id"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]

    user: Mapped[User] = relationship()
    site: Mapped[Site] = relationship()


class TrainerRegion(Record, db.Model):
    """A region a regional trainer covers (sites.models.REGIONS)."""

    __tablename__ = "trainer_region"
    __table_args__ = (sa.UniqueConstraint("user_id", "region"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    region: Mapped[str] = mapped_column(sa.String(40))


class ScheduledReview(Record, db.Model):
    """A fidelity review programme staff have scheduled: when, who leads it and who seconds
    it (from the reviewer pool); its report is due 4 weeks after and its action plan 6 weeks
    after (training.fidelity.cadence). `review_id` is the review once it is recorded."""

    __tablename__ = "scheduled_review"
    __table_args__ = (sa.Index("ix_scheduled_review_site_date", "site_id", "planned_on"),)

    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    planned_on: Mapped[date]
    kind: Mapped[str] = mapped_column(sa.String(20), default="external_review")  # REVIEW_KINDS
    lead_reviewer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    second_reviewer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    report_sent_on: Mapped[date | None]
    action_plan_agreed_on: Mapped[date | None]
    review_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("fidelity_review.id", ondelete="SET NULL")
    )
    cancelled_on: Mapped[date | None]

    site: Mapped[Site] = relationship()
    lead_reviewer: Mapped[User | None] = relationship(foreign_keys=[lead_reviewer_id])
    second_reviewer: Mapped[User | None] = relationship(foreign_keys=[second_reviewer_id])


class FidelityReview(Record, db.Model):
    """A review of one site on the 25-item scale (training/fidelity.py).

    `total` is derived: the service sets it from the scores when the review is final, so that
    lists and filters can read it in SQL; nobody types it.
    """

    __tablename__ = "fidelity_review"
    __table_args__ = (
        sa.Index("ix_fidelity_review_site_status_date", "site_id", "status", "reviewed_on"),
    )

    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    reviewed_on: Mapped[date]
    kind: Mapped[str] = mapped_column(sa.String(20))
    lead_reviewer: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(10), default=ReviewStatus.DRAFT)
    total: Mapped[int | None]
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reopen_reason: Mapped[str | None] = mapped_column(sa.Text)  # why an admin reopened it

    site: Mapped[Site] = relationship()
    scores: Mapped[list[FidelityScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="FidelityScore.item"
    )


class FidelityScore(Record, db.Model):
    """One item of a review: its score (None while a draft leaves it), the reviewer's note, and
    the action the reviewer plans for it, if any (created when the review is finalised)."""

    __tablename__ = "fidelity_score"
    __table_args__ = (sa.UniqueConstraint("review_id", "item"),)

    review_id: Mapped[int] = mapped_column(sa.ForeignKey("fidelity_review.id", ondelete="CASCADE"))
    item: Mapped[int]
    score: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(sa.Text)
    action_description: Mapped[str | None] = mapped_column(sa.Text)
    action_owner: Mapped[str | None] = mapped_column(sa.String(200))
    action_due_on: Mapped[date | None]

    review: Mapped[FidelityReview] = relationship(back_populates="scores")


class Visit(Record, db.Model):
    """A regional trainer's visit to a site."""

    __tablename__ = "visit"
    __table_args__ = (sa.Index("ix_visit_site_date", "site_id", "visited_on"),)

    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    trainer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    visited_on: Mapped[date]
    purpose: Mapped[str] = mapped_column(sa.String(24))
    summary: Mapped[str] = mapped_column(sa.Text)

    site: Mapped[Site] = relationship()
    trainer: Mapped[User | None] = relationship()
    actions: Mapped[list[Action]] = relationship(back_populates="visit", order_by="Action.due_on")


class Action(Record, db.Model):
    """What a site agreed to do, at a visit or in a fidelity review's action plan."""

    __tablename__ = "action"
    __table_args__ = (sa.Index("ix_action_site_status_due", "site_id", "status", "due_on"),)

    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    visit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("visit.id", ondelete="CASCADE"), index=True
    )
    review_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("fidelity_review.id", ondelete="CASCADE"), index=True
    )
    item: Mapped[int | None]  # the fidelity item a review's action is for
    description: Mapped[str] = mapped_column(sa.Text)
    owner: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(10), default=ActionStatus.OPEN)
    closed_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.Text)  # said when it was done or dropped

    site: Mapped[Site] = relationship()
    visit: Mapped[Visit | None] = relationship(back_populates="actions")
    review: Mapped[FidelityReview | None] = relationship()
