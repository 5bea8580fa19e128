"""Reads of trainers' assignments, and the rule they make: a trainer records visits, actions and
fidelity reviews only at the sites it is assigned to today (programme staff at any site)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort

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
