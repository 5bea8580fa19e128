"""Reads of trainers' work: assignments, visits, the actions agreed at visits and reviews, a
trainer's "My sites" and the trainers' activity. Every list is filtered, scoped and paged in SQL,
and no read costs a query per site: "My sites" is the same handful of grouped queries for 3 sites
or 300.

An action's state (overdue, due soon) is training/actions.py's rule; the filters here ask the same
question in SQL. "My sites" reads the current participations' site targets from programme.models:
the one place this package looks at programmes (late returns, which are programme.queries', are
added by the view).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from accounts.models import User
from accounts.scopes import site_scope
from core.extensions import db
from core.paging import Page, paged
from sites.models import Organisation, Site, UserSite
from training.assignments.queries import can_review_site, current_assignments
from training.fidelity import scale as fidelity
from training.models import REVIEW_KINDS, VISIT_PURPOSES, Action, FidelityReview, Visit
from training.visits.actions import (
    STATE_COLOURS,
    STATE_LABELS,
    ActionStatus,
    action_state,
    due_soon_until,
)


def open_on(day: date) -> list[sa.ColumnElement[bool]]:
    """SQL for Site.is_open_on(day)."""
    return [
        sa.or_(Site.launched_on.is_(None), Site.launched_on <= day),
        sa.or_(Site.closed_on.is_(None), Site.closed_on > day),
    ]


# Sites a user may record visits at -----------------------------------------------------------


def recordable_sites(user: User, today: date | None = None) -> list[sa.Row[Any]]:
    """(id, name, organisation) of the sites `user` may log a visit at, by name: a trainer's
    sites assigned today; every site for an admin; none for anyone else."""
    select = (
        sa.select(Site.id, Site.name, Organisation.name.label("organisation"))
        .join(Organisation, Organisation.id == Site.organisation_id)
        .order_by(Site.name, Organisation.name, Site.id)
    )
    if user.role == "trainer":
        select = select.where(Site.id.in_(current_assignments(user.id, today)))
    elif user.role != "admin":
        select = select.where(sa.false())
    return list(db.session.execute(select))


def trainer_options() -> list[sa.Row[Any]]:
    """(id, name, email, active) of every trainer, by name."""
    return list(
        db.session.execute(
            sa.select(User.id, User.name, User.email, User.active)
            .where(User.role == "trainer")
            .order_by(User.name, User.id)
        )
    )


# Actions ----------------------------------------------------------------------------------


def action_statuses(user: User, site_id: int) -> tuple[ActionStatus, ...]:
    """The statuses `user` may give the site's actions (none: they may not change them).
    Programme staff and the site's trainers today: done, dropped or open again; a lead of the
    site: done (with a note) or open again, but not dropped, which is the trainer's call."""
    if can_review_site(user, site_id):
        return (ActionStatus.DONE, ActionStatus.DROPPED, ActionStatus.OPEN)
    if user.role == "site_lead" and db.session.scalar(
        sa.select(UserSite.id).where(UserSite.user_id == user.id, UserSite.site_id == site_id)
    ):
        return (ActionStatus.DONE, ActionStatus.OPEN)
    return ()


def can_update_actions(user: User, site_id: int) -> bool:
    return bool(action_statuses(user, site_id))


@dataclass(frozen=True)
class ActionFilters:
    site_id: int | None = None
    status: str = ActionStatus.OPEN  # open, done, dropped or all
    due: str | None = None  # overdue, due_soon or None


@dataclass(frozen=True)
class ActionRow:
    id: int
    site_id: int
    site_name: str
    description: str
    owner: str
    due_on: date
    status: str
    closed_on: date | None
    note: str | None
    version: int
    visit_id: int | None
    visited_on: date | None
    review_id: int | None
    item: int | None
    reviewed_on: date | None
    review_kind: str | None
    state: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def state_colour(self) -> str:
        return STATE_COLOURS[self.state]

    @property
    def source(self) -> str:
        """Where the action was agreed, for people: a visit or a review's item."""
        if self.review_id is not None:
            kind = REVIEW_KINDS.get(self.review_kind or "", "Fidelity review")
            label = f"{kind} of {_long(self.reviewed_on)}" if self.reviewed_on else kind
            if self.item is not None:
                try:
                    label += f", item {self.item} ({fidelity.item(self.item).name})"
                except ValueError:
                    label += f", item {self.item}"
            return label
        if self.visited_on is not None:
            return f"Visit of {_long(self.visited_on)}"
        return "Not recorded"


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _action_select() -> sa.Select:
    return (
        sa.select(
            Action.id,
            Action.site_id,
            Site.name.label("site_name"),
            Action.description,
            Action.owner,
            Action.due_on,
            Action.status,
            Action.closed_on,
            Action.note,
            Action.version,
            Action.visit_id,
            Visit.visited_on,
            Action.review_id,
            Action.item,
            FidelityReview.reviewed_on,
            FidelityReview.kind.label("review_kind"),
        )
        .join(Site, Site.id == Action.site_id)
        .outerjoin(Visit, Visit.id == Action.visit_id)
        .outerjoin(FidelityReview, FidelityReview.id == Action.review_id)
    )


def _action_row(row: sa.Row[Any], today: date) -> ActionRow:
    return ActionRow(**row._mapping, state=action_state(row.due_on, row.status, today))


def overdue_before(today: date) -> list[sa.ColumnElement[bool]]:
    return [Action.status == ActionStatus.OPEN, Action.due_on < today]


def due_soon_between(today: date) -> list[sa.ColumnElement[bool]]:
    return [Action.status == ActionStatus.OPEN, Action.due_on.between(today, due_soon_until(today))]


def action_list(
    user: User,
    filters: ActionFilters,
    *,
    page: int = 1,
    per_page: int = 50,
    today: date,
    kept: Sequence[int] = (),
) -> Page:
    """The actions at the sites `user` may change (an admin: all; a trainer: their sites today; a
    site lead: their own sites) that match `filters`, earliest due first: two queries.

    `kept` are actions just changed from this list: they stay in it, where they were, whatever
    their status now (so marking one done does not move the next under the pointer)."""
    select = _action_select()
    scope = site_scope(user)
    if scope is not None:
        select = select.where(Action.site_id.in_(scope))
    if filters.site_id is not None:
        select = select.where(Action.site_id == filters.site_id)
    matches: list[sa.ColumnElement[bool]] = []
    if filters.status in (ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.DROPPED):
        matches.append(Action.status == filters.status)
    if filters.due == "overdue":
        matches += overdue_before(today)
    elif filters.due == "due_soon":
        matches += due_soon_between(today)
    first = Action.status == ActionStatus.OPEN
    if kept:
        first = sa.or_(first, Action.id.in_(kept))
        if matches:
            select = select.where(sa.or_(sa.and_(*matches), Action.id.in_(kept)))
    elif matches:
        select = select.where(*matches)
    select = select.order_by(
        sa.case((first, 0), else_=1),
        Action.due_on,
        Site.name,
        Action.id,
    )
    found = paged(select, page, per_page)
    return replace(found, rows=[_action_row(row, today) for row in found.rows])


def actions_by_id(user: User, ids: Sequence[int], today: date) -> list[ActionRow]:
    """The actions of `ids` at the sites `user` may read, in the order of `ids`: one query."""
    if not ids:
        return []
    select = _action_select().where(Action.id.in_(ids))
    scope = site_scope(user)
    if scope is not None:
        select = select.where(Action.site_id.in_(scope))
    found = {row.id: _action_row(row, today) for row in db.session.execute(select)}
    return [found[i] for i in ids if i in found]


def action_site_options(user: User) -> list[sa.Row[Any]]:
    """(id, name) of the sites whose actions `user` may list, by name."""
    select = sa.select(Site.id, Site.name).order_by(Site.name, Site.id)
    scope = site_scope(user)
    if scope is not None:
        select = select.where(Site.id.in_(scope))
    return list(db.session.execute(select))


def overdue_action_count(user: User, today: date) -> int:
    """Open actions past their due date at the sites `user` may change: one count in SQL."""
    select = sa.select(sa.func.count(Action.id)).where(*overdue_before(today))
    scope = site_scope(user)
    if scope is not None:
        select = select.where(Action.site_id.in_(scope))
    return db.session.scalar(select) or 0


def action_detail(action_id: int, today: date) -> ActionRow | None:
    row = db.session.execute(_action_select().where(Action.id == action_id)).first()
    return None if row is None else _action_row(row, today)


# Visits -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitDetail:
    visit: Visit
    site: Site
    organisation: str
    trainer_name: str | None
    actions: list[ActionRow]
    trainer_host: str | None = None  # the organisation hosting the trainer (User.organisation_id)


def visit_detail(visit_id: int, today: date) -> VisitDetail | None:
    """A visit with its site, its trainer's host and its actions: two queries."""
    host = aliased(Organisation)
    found = db.session.execute(
        sa.select(Visit, Site, Organisation.name, User.name, host.name)
        .join(Site, Site.id == Visit.site_id)
        .join(Organisation, Organisation.id == Site.organisation_id)
        .outerjoin(User, User.id == Visit.trainer_id)
        .outerjoin(host, host.id == User.organisation_id)
        .where(Visit.id == visit_id)
    ).first()
    if found is None:
        return None
    visit, site, organisation, trainer_name, trainer_host = found
    rows = db.session.execute(
        _action_select().where(Action.visit_id == visit_id).order_by(Action.id)
    )
    return VisitDetail(
        visit=visit,
        site=site,
        organisation=organisation,
        trainer_name=trainer_name,
        actions=[_action_row(row, today) for row in rows],
        trainer_host=trainer_host,
    )


def site_visits_select(site_id: int) -> sa.Select:
    """The site's visits, newest first, each with its actions (loaded in one more query)."""
    return (
        sa.select(Visit)
        .where(Visit.site_id == site_id)
        .options(selectinload(Visit.actions))
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
    )


@dataclass(frozen=True)
class RecentVisit:
    id: int
    visited_on: date
    purpose: str
    trainer_name: str | None
    actions: int

    @property
    def purpose_label(self) -> str:
        return VISIT_PURPOSES.get(self.purpose, self.purpose)


@dataclass(frozen=True)
class SiteVisits:
    """The site page's "Visits and actions" section."""

    recent: list[RecentVisit]
    visits: int
    open_actions: list[ActionRow]
    can_record: bool
    can_update_actions: bool = False  # its actions list: staff, its trainers and its leads

    @property
    def overdue(self) -> int:
        return sum(1 for action in self.open_actions if action.state == "overdue")


RECENT_VISITS = 5


def site_visits_and_actions(user: User, site_id: int, today: date | None = None) -> SiteVisits:
    """The site's latest visits (with how many actions each agreed), how many visits in all, its
    open actions (from visits and reviews), earliest due first: four queries, and one or two
    for what `user` may do there."""
    today = today or date.today()
    can_record = can_review_site(user, site_id)
    agreed = (
        sa.select(sa.func.count(Action.id))
        .where(Action.visit_id == Visit.id)
        .correlate(Visit)
        .scalar_subquery()
    )
    recent = db.session.execute(
        sa.select(
            Visit.id,
            Visit.visited_on,
            Visit.purpose,
            User.name.label("trainer_name"),
            agreed.label("actions"),
        )
        .outerjoin(User, User.id == Visit.trainer_id)
        .where(Visit.site_id == site_id)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(RECENT_VISITS)
    ).all()
    visits = db.session.scalar(sa.select(sa.func.count(Visit.id)).where(Visit.site_id == site_id))
    open_rows = db.session.execute(
        _action_select()
        .where(Action.site_id == site_id, Action.status == ActionStatus.OPEN)
        .order_by(Action.due_on, Action.id)
    )
    return SiteVisits(
        recent=[RecentVisit(**row._mapping) for row in recent],
        visits=visits or 0,
        open_actions=[_action_row(row, today) for row in open_rows],
        can_record=can_record,
        can_update_actions=can_record or can_update_actions(user, site_id),
    )


# My sites ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextAction:
    id: int
    description: str
    owner: str
    due_on: date
    version: int
    state: str


def next_actions(site_ids: sa.Select, today: date) -> dict[int, NextAction]:
    """Each site's open action with the earliest due date (the lower id breaks a tie)."""
    ranked = (
        sa.select(
            Action.id,
            Action.site_id,
            Action.description,
            Action.owner,
            Action.due_on,
            Action.version,
            sa.func.row_number()
            .over(partition_by=Action.site_id, order_by=(Action.due_on, Action.id))
            .label("rank"),
        )
        .where(Action.site_id.in_(site_ids), Action.status == ActionStatus.OPEN)
        .subquery("ranked_actions")
    )
    rows = db.session.execute(sa.select(ranked).where(ranked.c.rank == 1))
    return {
        row.site_id: NextAction(
            id=row.id,
            description=row.description,
            owner=row.owner,
            due_on=row.due_on,
            version=row.version,
            state=action_state(row.due_on, ActionStatus.OPEN, today),
        )
        for row in rows
    }
