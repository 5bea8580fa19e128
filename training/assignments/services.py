"""Writes on trainers' assignments to sites: assign, end. Validate, change, flush; the caller
commits."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from accounts.models import User
from core.errors import Fields, ValidationFailed
from core.extensions import db
from core.records import require_version
from sites.models import Site
from training.models import Assignment


def _overlapping(
    user_id: int, site_id: int, starts_on: date, ends_on: date | None, leave_out: int | None
) -> Assignment | None:
    """The trainer's assignment to the site whose dates meet [starts_on, ends_on], if any."""
    query = sa.select(Assignment).where(
        Assignment.user_id == user_id,
        Assignment.site_id == site_id,
        sa.or_(Assignment.ends_on.is_(None), Assignment.ends_on >= starts_on),
    )
    if ends_on is not None:
        query = query.where(Assignment.starts_on <= ends_on)
    if leave_out is not None:
        query = query.where(Assignment.id != leave_out)
    return db.session.scalars(query.order_by(Assignment.starts_on).limit(1)).first()


def _lock_assignments_of(user_id: int) -> None:
    """No unique constraint can say "dates must not overlap", so two requests changing a
    trainer's assignments at once take turns: the second waits on the trainer's row (FOR UPDATE,
    on PostgreSQL) until the first commits, and its check then sees the first one's dates."""
    db.session.execute(sa.select(User.id).where(User.id == user_id).with_for_update())


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _overlap_message(other: Assignment) -> str:
    until = f"to {_long(other.ends_on)}" if other.ends_on else "with no end date"
    return (
        f"This trainer is already assigned to this site from {_long(other.starts_on)} {until}: "
        "assignments of a trainer to the same site must not overlap"
    )


def assign_trainer(
    *, user: User, site_id: int, starts_on: date, ends_on: date | None = None
) -> Assignment:
    """Assign a regional trainer to a site from `starts_on` (to `ends_on`, inclusive)."""
    fields: Fields = {}
    if user.role != "trainer":
        fields["user_id"] = ["Only a regional trainer can be assigned to a site"]
    if db.session.get(Site, site_id) is None:
        fields["site_id"] = [f"No site with id {site_id}"]
    if ends_on is not None and ends_on < starts_on:
        fields["ends_on"] = ["The end date must be on or after the start date"]
    if not fields:
        _lock_assignments_of(user.id)
        other = _overlapping(user.id, site_id, starts_on, ends_on, None)
        if other is not None:
            fields["starts_on"] = [_overlap_message(other)]
    if fields:
        raise ValidationFailed(fields)
    assignment = Assignment(user_id=user.id, site_id=site_id, starts_on=starts_on, ends_on=ends_on)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def end_assignment(assignment: Assignment, ends_on: date | None, version: int | None) -> Assignment:
    """Set the last day of an assignment (it still counts on that day)."""
    require_version(assignment, version)
    fields: Fields = {}
    if ends_on is None:
        fields["ends_on"] = ["Enter the last day of the assignment"]
    elif ends_on < assignment.starts_on:
        fields["ends_on"] = [
            f"The end date must be on or after the start date, {_long(assignment.starts_on)}"
        ]
    else:
        _lock_assignments_of(assignment.user_id)
        other = _overlapping(
            assignment.user_id, assignment.site_id, assignment.starts_on, ends_on, assignment.id
        )
        if other is not None:
            fields["ends_on"] = [_overlap_message(other)]
    if fields:
        raise ValidationFailed(fields)
    assignment.ends_on = ends_on
    db.session.flush()
    return assignment


# Visits and their actions -----------------------------------------------------------------
