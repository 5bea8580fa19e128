"""Reads for programmes: job starts inside participation, target profiles, per-site figures and
late returns. Each function is a fixed number of grouped queries, whatever the number of sites."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort

from accounts.models import User
from core.extensions import db
from core.sql import sql_month_start
from programme.models import Funder, Participation, Programme, ProgrammePartner, TargetMonth
from programme.progress import Progress, programme_progress
from sites.models import MonthlyReturn, Organisation
from sites.queries import awaiting_approval, of_statuses
from sites.returns.workflow import COUNTED


def counted_months() -> list[sa.ColumnElement[bool]]:
    """The rule of which months a programme counts, in SQL over MonthlyReturn, Participation and
    Programme: a return's month inside both the programme's period and the site's participation."""
    r, p, g = MonthlyReturn, Participation, Programme
    return [
        r.month >= sql_month_start(p.joined_on),
        sa.or_(p.left_on.is_(None), r.month <= p.left_on),
        r.month >= sql_month_start(g.starts_on),
        r.month <= g.ends_on,
    ]


def _inside_participation(counted: Sequence[str]) -> list[sa.ColumnElement[bool]]:
    """A counted return in a month its programme counts."""
    return [of_statuses(counted), *counted_months()]


def participating_returns(counted: Sequence[str] = COUNTED) -> sa.Select:
    """Returns of `counted` statuses joined to the participations (and programmes) that count
    them. The default, submitted and approved, is also what late returns count as received."""
    return (
        sa.select()
        .select_from(Participation)
        .join(Programme, Programme.id == Participation.programme_id)
        .join(MonthlyReturn, MonthlyReturn.site_id == Participation.site_id)
        .where(*_inside_participation(counted))
    )


MonthlyFigures = dict[int, dict[date, int]]  # programme id -> month -> job starts


def monthly_job_starts(
    programme_ids: Iterable[int], on: date, counted: Sequence[str] = COUNTED
) -> tuple[MonthlyFigures, MonthlyFigures]:
    """Each programme's job starts by month of the `counted` returns up to `on`, and of those
    the job starts awaiting approval: one query."""
    ids = list(programme_ids)
    starts: MonthlyFigures = defaultdict(dict)
    awaiting: MonthlyFigures = defaultdict(dict)
    if not ids:
        return starts, awaiting
    query = (
        participating_returns(counted)
        .add_columns(
            Participation.programme_id,
            MonthlyReturn.month,
            sa.func.sum(MonthlyReturn.job_starts),
            awaiting_approval(MonthlyReturn.job_starts),
        )
        .where(Participation.programme_id.in_(ids), MonthlyReturn.month <= on)
        .group_by(Participation.programme_id, MonthlyReturn.month)
    )
    for programme_id, month, job_starts, waiting in db.session.execute(query):
        starts[programme_id][month] = int(job_starts or 0)
        if waiting:
            awaiting[programme_id][month] = int(waiting)
    return starts, awaiting


def target_profiles(programme_ids: Iterable[int]) -> dict[int, dict[date, int]]:
    ids = list(programme_ids)
    result: dict[int, dict[date, int]] = defaultdict(dict)
    if not ids:
        return result
    query = sa.select(TargetMonth.programme_id, TargetMonth.month, TargetMonth.cumulative).where(
        TargetMonth.programme_id.in_(ids)
    )
    for programme_id, month, cumulative in db.session.execute(query):
        result[programme_id][month] = cumulative
    return result


def progress_of(
    programmes: Iterable[Programme], on: date, counted: Sequence[str] = COUNTED
) -> dict[int, Progress]:
    """Progress of many programmes in two queries, counting the returns of `counted` statuses
    (workflow.counted_statuses of the reader)."""
    programmes = list(programmes)
    ids = [p.id for p in programmes]
    (starts, awaiting), profiles = monthly_job_starts(ids, on, counted), target_profiles(ids)
    return {
        p.id: programme_progress(
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            target=p.job_start_target,
            monthly_job_starts=starts.get(p.id, {}),
            on=on,
            profile=profiles.get(p.id) or None,
            monthly_awaiting=awaiting.get(p.id, {}),
        )
        for p in programmes
    }


def programmes_in_scope(scope: sa.Select | None) -> list[tuple[Programme, str]]:
    query = (
        sa.select(Programme, Funder.name)
        .join(Funder)
        .order_by(Programme.starts_on.desc(), Programme.name)
    )
    if scope is not None:
        query = query.where(Programme.id.in_(scope))
    return [(programme, funder) for programme, funder in db.session.execute(query)]


def programme_scope(user: User) -> sa.Select[Any] | None:
    """The ids of the programmes `user` may read; None means all (programme progress is a network
    summary for staff, trainers and site leads; a funder reads only what it funds)."""
    if user.role == "funder":
        return sa.select(Programme.id).where(Programme.funder_id == user.funder_id)
    return None


def can_read_programme(user: User, programme_id: int) -> bool:
    scope = programme_scope(user)
    return scope is None or bool(db.session.scalar(sa.select(sa.literal(programme_id).in_(scope))))


def get_programme_or_404(user: User, programme_id: int) -> Programme:
    programme = db.get_or_404(Programme, programme_id)
    if not can_read_programme(user, programme_id):
        abort(403)
    return programme


def programme_site_ids(programme_id: int) -> sa.Select[Any]:
    """The ids of the sites that take (or took) part in the programme."""
    return sa.select(Participation.site_id).where(Participation.programme_id == programme_id)


def programme_options(user: User) -> Sequence[sa.Row[Any]]:
    """(id, name) of the programmes `user` may read, by name: the choices of a programme filter."""
    select = sa.select(Programme.id, Programme.name).order_by(Programme.name)
    scope = programme_scope(user)
    if scope is not None:
        select = select.where(Programme.id.in_(scope))
    return db.session.execute(select).all()


def leadership(programme: Programme) -> str | None:
    """Who runs the programme, in one sentence ("Led by Enable, with IPS Grow and Sandwell."),
    or None when neither a lead nor a partner is recorded. One query."""
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(
            sa.or_(
                Organisation.id == programme.lead_organisation_id,
                Organisation.id.in_(
                    sa.select(ProgrammePartner.organisation_id).where(
                        ProgrammePartner.programme_id == programme.id
                    )
                ),
            )
        )
        .order_by(Organisation.name)
    ).all()
    lead = next((row.name for row in rows if row.id == programme.lead_organisation_id), None)
    partners = [row.name for row in rows if row.id != programme.lead_organisation_id]
    return led_by(lead, partners)


def led_by(lead: str | None, partners: Sequence[str]) -> str | None:
    """ "Led by A, with B and C." from the lead's and partners' names."""
    if not partners:
        return f"Led by {lead}." if lead else None
    listed = partners[0] if len(partners) == 1 else f"{', '.join(partners[:-1])} and {partners[-1]}"
    return f"Led by {lead}, with {listed}." if lead else f"Run by {listed}."
