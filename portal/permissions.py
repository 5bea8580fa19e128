"""The scope rules, which cross the domains: which sites and programmes each role may read.

Each domain keeps the rules of its own data (sites.returns.queries.can_send_returns,
training.assignments.queries.can_review_site, programme.queries.programme_scope); a site's detail
is the one rule that needs them all, so it is written here, and `init_app` installs these rules
in accounts.scopes for the domains to ask, with the rule of which months a site must report
(sites.returns.obligations).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import Flask

from accounts import scopes
from accounts.models import User
from programme import late_returns
from programme import queries as programme_queries
from programme.models import Participation, Programme
from sites.models import Site, UserSite
from sites.returns import obligations
from training.assignments.queries import current_assignments


def site_scope(user: User) -> sa.Select[Any] | None:
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


def sees_working_records(user: User) -> bool:
    """Whether `user` may read visits, agreed actions and reviewers' notes: the working records
    of programme staff, trainers and sites. Funders see aggregates only (DESIGN.md)."""
    return user.role != "funder"


class PortalScopes:
    def site_scope(self, user: User) -> sa.Select[Any] | None:
        return site_scope(user)

    def programme_scope(self, user: User) -> sa.Select[Any] | None:
        return programme_queries.programme_scope(user)

    def programme_site_ids(self, programme_id: int) -> sa.Select[Any]:
        return programme_queries.programme_site_ids(programme_id)

    def programme_options(self, user: User) -> Sequence[sa.Row[Any]]:
        return programme_queries.programme_options(user)


def init_app(app: Flask) -> None:
    scopes.install(app, PortalScopes())
    obligations.install(app, late_returns.months_required)
