"""Reads for programmes: job starts inside participation, target profiles, per-site figures and
late returns. Each function is a fixed number of grouped queries, whatever the number of sites."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import abort

from accounts.models import User
from core import months, working_days
from core.extensions import db
from core.sql import month_start
from core.working_days import england_and_wales_holidays
from programme.models import Funder, Participation, Programme, TargetMonth
from programme.progress import Progress, ProgressStatus, programme_progress
from sites.models import MonthlyReturn, Organisation, ReturnStatus, Site
from sites.returns import deadlines
from sites.returns.queries import working_days_allowed


def last_due_month(today: date) -> date:
    holidays = england_and_wales_holidays(today.year - 1, today.year)
    return working_days.last_due_month(today, holidays, working_days_allowed())


def counted_months() -> list[sa.ColumnElement[bool]]:
    """The rule of which months a programme counts, in SQL over MonthlyReturn, Participation and
    Programme: a return's month inside both the programme's period and the site's participation."""
    r, p, g = MonthlyReturn, Participation, Programme
    return [
        r.month >= month_start(p.joined_on),
        sa.or_(p.left_on.is_(None), r.month <= p.left_on),
        r.month >= month_start(g.starts_on),
        r.month <= g.ends_on,
    ]


def _inside_participation() -> list[sa.ColumnElement[bool]]:
    """A submitted return in a month its programme counts."""
    return [MonthlyReturn.status == ReturnStatus.SUBMITTED, *counted_months()]


def _participating_returns() -> sa.Select:
    return (
        sa.select()
        .select_from(Participation)
        .join(Programme, Programme.id == Participation.programme_id)
        .join(MonthlyReturn, MonthlyReturn.site_id == Participation.site_id)
        .where(*_inside_participation())
    )


def monthly_job_starts(programme_ids: Iterable[int], on: date) -> dict[int, dict[date, int]]:
    ids = list(programme_ids)
    result: dict[int, dict[date, int]] = defaultdict(dict)
    if not ids:
        return result
    query = (
        _participating_returns()
        .add_columns(
            Participation.programme_id, MonthlyReturn.month, sa.func.sum(MonthlyReturn.job_starts)
        )
        .where(Participation.programme_id.in_(ids), MonthlyReturn.month <= on)
        .group_by(Participation.programme_id, MonthlyReturn.month)
    )
    for programme_id, month, job_starts in db.session.execute(query):
        result[programme_id][month] = int(job_starts or 0)
    return result


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


def progress_of(programmes: Iterable[Programme], on: date) -> dict[int, Progress]:
    """Progress of many programmes in two queries."""
    programmes = list(programmes)
    ids = [p.id for p in programmes]
    starts, profiles = monthly_job_starts(ids, on), target_profiles(ids)
    return {
        p.id: programme_progress(
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            target=p.job_start_target,
            monthly_job_starts=starts.get(p.id, {}),
            on=on,
            profile=profiles.get(p.id) or None,
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


@dataclass(frozen=True)
class SiteFigures:
    site_id: int
    name: str
    organisation: str
    region: str
    joined_on: date
    left_on: date | None
    site_target: int | None
    job_starts: int
    late_returns: int


def _late_window(
    p_joined: date,
    p_left: date | None,
    g_starts: date,
    g_ends: date,
    launched: date | None,
    closed: date | None,
    due: date,
) -> tuple[date, date]:
    first = max(months.month_start(d) for d in (p_joined, g_starts, launched or p_joined))
    lasts = [months.month_start(g_ends), due]
    if p_left:
        lasts.append(months.month_start(p_left))
    if closed:
        lasts.append(months.month_start(closed - timedelta(days=1)))
    return first, min(lasts)


def _submitted_in_windows(
    programme_id: int | None, site_ids: list[int] | None, due: date
) -> dict[int, int]:
    """Distinct months with a submitted return inside the sites' late-return windows."""
    s = Site
    query = (
        _participating_returns()
        .join(Site, Site.id == Participation.site_id)
        .add_columns(Participation.site_id, sa.func.count(sa.distinct(MonthlyReturn.month)))
        .where(
            MonthlyReturn.month <= due,
            sa.or_(s.launched_on.is_(None), MonthlyReturn.month >= month_start(s.launched_on)),
            sa.or_(s.closed_on.is_(None), MonthlyReturn.month < s.closed_on),
        )
        .group_by(Participation.site_id)
    )
    if programme_id is not None:
        query = query.where(Participation.programme_id == programme_id)
    if site_ids is not None:
        query = query.where(Participation.site_id.in_(site_ids))
    return {site_id: count for site_id, count in db.session.execute(query)}


def late_returns(
    today: date, *, programme_id: int | None = None, site_ids: list[int] | None = None
) -> dict[int, int]:
    """Months owed by each participating site (within one programme, or across all)."""
    due = last_due_month(today)
    query = (
        sa.select(
            Participation.site_id,
            Participation.joined_on,
            Participation.left_on,
            Programme.starts_on,
            Programme.ends_on,
            Site.launched_on,
            Site.closed_on,
        )
        .join(Programme, Programme.id == Participation.programme_id)
        .join(Site, Site.id == Participation.site_id)
    )
    if programme_id is not None:
        query = query.where(Participation.programme_id == programme_id)
    if site_ids is not None:
        query = query.where(Participation.site_id.in_(site_ids))
    windows: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for site_id, *dates in db.session.execute(query):
        windows[site_id].append(_late_window(*dates, due))
    submitted = _submitted_in_windows(programme_id, site_ids, due)
    owed = {
        site_id: deadlines.months_owed(w) - submitted.get(site_id, 0)
        for site_id, w in windows.items()
    }
    return {site_id: n for site_id, n in owed.items() if n > 0}


@dataclass(frozen=True)
class LateSite:
    site_id: int
    name: str
    organisation: str
    region: str
    programmes: list[str]  # names of the programmes with a month owed, A to Z
    months: list[date]  # month starts owed, oldest first
    oldest_due_on: date  # the last day on which the oldest month's return was on time


def _ids_filter(
    column: sa.ColumnElement[int], ids: Iterable[int] | sa.Select | None
) -> list[sa.ColumnElement[bool]]:
    if ids is None:
        return []
    return [column.in_(ids if isinstance(ids, sa.Select) else list(ids))]


def late_return_months(
    today: date,
    *,
    programme_id: int | None = None,
    region: str | None = None,
    site_ids: Iterable[int] | sa.Select | None = None,
    programme_ids: Iterable[int] | sa.Select | None = None,
) -> list[LateSite]:
    """The sites that owe returns and which months, most months owed first, then by name. The
    rule is late_returns' (so the counts agree); `site_ids` and `programme_ids` take a scope
    select. Two queries whatever the number of sites."""
    due = last_due_month(today)
    filters = [
        *_ids_filter(Participation.site_id, site_ids),
        *_ids_filter(Participation.programme_id, programme_ids),
    ]
    if programme_id is not None:
        filters.append(Participation.programme_id == programme_id)
    if region is not None:
        filters.append(Site.region == region)
    windows_query = (
        sa.select(
            Participation.site_id,
            Site.name,
            Organisation.name,
            Site.region,
            Programme.name,
            Participation.joined_on,
            Participation.left_on,
            Programme.starts_on,
            Programme.ends_on,
            Site.launched_on,
            Site.closed_on,
        )
        .join(Programme, Programme.id == Participation.programme_id)
        .join(Site, Site.id == Participation.site_id)
        .join(Organisation, Organisation.id == Site.organisation_id)
        .where(*filters)
    )
    sites: dict[int, tuple[str, str, str]] = {}
    windows: dict[int, list[tuple[str, date, date]]] = defaultdict(list)
    for site_id, name, organisation, site_region, programme, *dates in db.session.execute(
        windows_query
    ):
        sites[site_id] = (name, organisation, site_region)
        windows[site_id].append((programme, *_late_window(*dates, due)))
    if not sites:
        return []

    # The same conditions as _submitted_in_windows, keeping each month rather than a count.
    submitted_query = (
        _participating_returns()
        .join(Site, Site.id == Participation.site_id)
        .add_columns(Participation.site_id, MonthlyReturn.month)
        .where(
            MonthlyReturn.month <= due,
            sa.or_(
                Site.launched_on.is_(None), MonthlyReturn.month >= month_start(Site.launched_on)
            ),
            sa.or_(Site.closed_on.is_(None), MonthlyReturn.month < Site.closed_on),
            *filters,
        )
        .distinct()
    )
    submitted: dict[int, set[date]] = defaultdict(set)
    for site_id, month in db.session.execute(submitted_query):
        submitted[site_id].add(month)

    owed: dict[int, list[date]] = {}
    for site_id, site_windows in windows.items():
        months = deadlines.months_in_windows((first, last) for _, first, last in site_windows)
        missing = [m for m in months if m not in submitted[site_id]]
        if missing:
            owed[site_id] = missing
    if not owed:
        return []
    oldest_year = min(months[0].year for months in owed.values())
    holidays = england_and_wales_holidays(oldest_year, today.year)
    allowed = working_days_allowed()
    late = [
        LateSite(
            site_id=site_id,
            name=sites[site_id][0],
            organisation=sites[site_id][1],
            region=sites[site_id][2],
            programmes=sorted(
                {
                    programme
                    for programme, first, last in windows[site_id]
                    if any(first <= m <= last for m in months)
                }
            ),
            months=months,
            oldest_due_on=working_days.due_date(months[0], holidays, allowed),
        )
        for site_id, months in owed.items()
    ]
    return sorted(late, key=lambda site: (-len(site.months), site.name.casefold(), site.site_id))


def programme_sites(programme: Programme, on: date) -> list[SiteFigures]:
    """The programme's sites with their job starts inside participation and late returns."""
    starts_query = (
        _participating_returns()
        .add_columns(Participation.id, sa.func.sum(MonthlyReturn.job_starts))
        .where(Participation.programme_id == programme.id, MonthlyReturn.month <= on)
        .group_by(Participation.id)
    )
    starts = {pid: int(total or 0) for pid, total in db.session.execute(starts_query)}
    late = late_returns(on, programme_id=programme.id)
    rows = db.session.execute(
        sa.select(Participation, Site.name, Organisation.name, Site.region)
        .join(Site, Site.id == Participation.site_id)
        .join(Organisation, Organisation.id == Site.organisation_id)
        .where(Participation.programme_id == programme.id)
        .order_by(Site.name, Participation.joined_on)
    )
    return [
        SiteFigures(
            site_id=p.site_id,
            name=site_name,
            organisation=organisation,
            region=region,
            joined_on=p.joined_on,
            left_on=p.left_on,
            site_target=p.site_target,
            job_starts=starts.get(p.id, 0),
            late_returns=late.get(p.site_id, 0),
        )
        for p, site_name, organisation, region in rows
    ]


@dataclass(frozen=True)
class NetworkSummary:
    sites: int
    active_sites: int
    closed_sites: int
    centres_of_excellence: int
    programmes_by_status: dict[str, int]
    job_starts_this_year: int
    job_starts_total: int
    financial_year_starts_on: date
    late_returns: int
    sites_with_late_returns: int


def network_summary(today: date) -> NetworkSummary:
    from core.months import financial_year_start
    from sites.models import Designation

    site_counts = db.session.execute(
        sa.select(
            sa.func.count(Site.id),
            sa.func.count(Site.id).filter(Site.closed_on.is_not(None), Site.closed_on <= today),
            sa.func.count(Site.id).filter(
                sa.or_(Site.launched_on.is_(None), Site.launched_on <= today),
                sa.or_(Site.closed_on.is_(None), Site.closed_on > today),
            ),
        )
    ).one()
    centres = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Designation.site_id))).where(
            Designation.awarded_on <= today,
            sa.or_(Designation.ended_on.is_(None), Designation.ended_on > today),
        )
    )
    year_start = financial_year_start(today)
    submitted = MonthlyReturn.status == ReturnStatus.SUBMITTED
    total, this_year = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(MonthlyReturn.job_starts), 0),
            sa.func.coalesce(
                sa.func.sum(MonthlyReturn.job_starts).filter(MonthlyReturn.month >= year_start), 0
            ),
        ).where(submitted)
    ).one()
    programmes = db.session.scalars(sa.select(Programme)).all()
    by_status = dict.fromkeys(ProgressStatus, 0)
    for progress in progress_of(programmes, today).values():
        by_status[progress.status] += 1
    late = late_returns(today)
    return NetworkSummary(
        sites=site_counts[0],
        closed_sites=site_counts[1],
        active_sites=site_counts[2],
        centres_of_excellence=centres or 0,
        programmes_by_status=by_status,
        job_starts_this_year=int(this_year),
        job_starts_total=int(total),
        financial_year_starts_on=year_start,
        late_returns=sum(late.values()),
        sites_with_late_returns=len(late),
    )


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
