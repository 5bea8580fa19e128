"""Reads of trainers' assignments, and the rule they make: a trainer records visits, actions and
fidelity reviews only at the sites it is assigned to today (programme staff at any site)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from accounts.models import User
from core.extensions import db
from sites.models import Site
from training.models import Assignment


def current_assignments(user_id: int, on: date | None = None) -> sa.Select[Any]:
    """The ids of the sites the trainer is assigned to on `on` (today by default)."""
    on = on or date.today()
    return sa.select(Assignment.site_id).where(
        Assignment.user_id == user_id,
        Assignment.starts_on <= on,
        sa.or_(Assignment.ends_on.is_(None), Assignment.ends_on >= on),
    )


def can_review_site(user: User, site_id: int) -> bool:
    """Programme staff, and trainers assigned to the site today, record its fidelity reviews (and
    its visits and actions)."""
    if user.role == "admin":
        return True
    if user.role != "trainer":
        return False
    return bool(db.session.scalar(sa.select(sa.literal(site_id).in_(current_assignments(user.id)))))


def get_site_for_review_or_404(user: User, site_id: int) -> Site:
    site = db.get_or_404(Site, site_id)
    if not can_review_site(user, site_id):
        abort(403)
    return site


def assignments_select(q: str, today: date) -> sa.Select:
    """Every assignment with its trainer and site loaded, current ones first, then by trainer
    and site; `q` matches part of the trainer's or the site's name."""
    current = sa.and_(
        Assignment.starts_on <= today,
        sa.or_(Assignment.ends_on.is_(None), Assignment.ends_on >= today),
    )
    select = (
        sa.select(Assignment)
        .join(User, User.id == Assignment.user_id)
        .join(Site, Site.id == Assignment.site_id)
        .options(joinedload(Assignment.user), joinedload(Assignment.site))
        .order_by(
            sa.case((current, 0), else_=1),
            User.name,
            Site.name,
            Assignment.starts_on.desc(),
            Assignment.id,
        )
    )
    if q:
        pattern = q.lower()
        select = select.where(
            sa.or_(
                sa.func.lower(User.name).contains(pattern, autoescape=True),
                sa.func.lower(Site.name).contains(pattern, autoescape=True),
            )
        )
    return select


def assignment_state(assignment: Assignment, today: date) -> str:
    """ "Current", "Ended" or "Starts later" on `today`."""
    if assignment.starts_on > today:
        return "Starts later"
    if assignment.ends_on is not None and assignment.ends_on < today:
        return "Ended"
    return "Current"
