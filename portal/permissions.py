"""Object-level rules: which sites and programmes a user may see or change.

Scopes are SQL selects of ids (or None for "everything"), so list queries filter in the database.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort

from accounts.models import User
from core.extensions import db
from programme.models import Participation, Programme
from sites.models import Site, UserSite
from training.models import Assignment


def current_assignments(user_id: int, on: date | None = None) -> sa.Select:
    on = on or date.today()
    return sa.select(Assignment.site_id).where(
        Assignment.user_id == user_id,
        Assignment.starts_on <= on,
        sa.or_(Assignment.ends_on.is_(None), Assignment.ends_on >= on),
    )


def site_scope(user: User) -> sa.Select | None:
    """The ids of the sites whose detail `user` may read; None means all."""
    if user.role == "admin":
        return None
    if user.role == "trainer":
        return current_assignments(user.id)
    if user.role == "site_lead":
        return sa.select(UserSite.site_id).where(UserSite.user_id == user.id)
    if user.role == "funder":
        return (
            sa.select(Participation.site_id)
            .join(Programme, Programme.id == Participation.programme_id)
            .where(Programme.funder_id == user.funder_id)
        )
    return sa.select(Site.id).where(sa.false())


def programme_scope(user: User) -> sa.Select | None:
    """The ids of the programmes `user` may read; None means all (programme progress is a network
    summary for staff, trainers and site leads; a funder reads only what it funds)."""
    if user.role == "funder":
        return sa.select(Programme.id).where(Programme.funder_id == user.funder_id)
    return None


def can_read_site(user: User, site_id: int) -> bool:
    scope = site_scope(user)
    return scope is None or bool(db.session.scalar(sa.select(sa.literal(site_id).in_(scope))))


def can_read_programme(user: User, programme_id: int) -> bool:
    scope = programme_scope(user)
    return scope is None or bool(db.session.scalar(sa.select(sa.literal(programme_id).in_(scope))))


def get_site_or_404(user: User, site_id: int) -> Site:
    site = db.get_or_404(Site, site_id)
    if not can_read_site(user, site_id):
        abort(403)
    return site


def can_send_returns(user: User, site_id: int) -> bool:
    """Programme staff, and the site's own leads, send and amend its monthly returns."""
    if user.role == "admin":
        return True
    if user.role != "site_lead":
        return False
    return bool(
        db.session.scalar(
            sa.select(UserSite.id).where(UserSite.user_id == user.id, UserSite.site_id == site_id)
        )
    )


def returns_scope(user: User) -> sa.Select | None:
    """The ids of the sites whose returns `user` may send; None means all."""
    if user.role == "admin":
        return None
    if user.role == "site_lead":
        return sa.select(UserSite.site_id).where(UserSite.user_id == user.id)
    return sa.select(Site.id).where(sa.false())


def get_site_for_returns_or_404(user: User, site_id: int) -> Site:
    site = db.get_or_404(Site, site_id)
    if not can_send_returns(user, site_id):
        abort(403)
    return site


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


def get_programme_or_404(user: User, programme_id: int) -> Programme:
    programme = db.get_or_404(Programme, programme_id)
    if not can_read_programme(user, programme_id):
        abort(403)
    return programme
