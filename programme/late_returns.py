"""Late returns: a participating site owes a return for each month it takes part in that ended
more than 10 working days ago without a return received: submitted or approved, whoever reads
(a draft, or a return sent back to be corrected, is not received, so it can be late). The counts
(late_returns) and the months themselves (late_return_months) follow one rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from core import months, working_days
from core.extensions import db
from core.sql import sql_month_start
from core.working_days import england_and_wales_holidays
from programme.models import Participation, Programme
from programme.queries import participating_returns
from sites.models import MonthlyReturn, Organisation, Site
from sites.returns import deadlines
from sites.returns.queries import working_days_allowed
from sites.returns.workflow import COUNTED

# A month's return is received once submitted, approved or not: the same for every reader.
RECEIVED = COUNTED


def last_due_month(today: date) -> date:
    holidays = england_and_wales_holidays(today.year - 1, today.year)
    return working_days.last_due_month(today, holidays, working_days_allowed())


def participation_windows() -> sa.Select[Any]:
    """Each participation's site id and the dates that bound the months it reports, in
    late_window's order: joined, left, programme start and end, site launched and closed."""
    return (
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


def late_window(
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
    """Distinct months with a received return inside the sites' late-return windows."""
    s = Site
    query = (
        participating_returns(RECEIVED)
        .join(Site, Site.id == Participation.site_id)
        .add_columns(Participation.site_id, sa.func.count(sa.distinct(MonthlyReturn.month)))
        .where(
            MonthlyReturn.month <= due,
            sa.or_(s.launched_on.is_(None), MonthlyReturn.month >= sql_month_start(s.launched_on)),
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
    query = participation_windows()
    if programme_id is not None:
        query = query.where(Participation.programme_id == programme_id)
    if site_ids is not None:
        query = query.where(Participation.site_id.in_(site_ids))
    windows: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for site_id, *dates in db.session.execute(query):
        windows[site_id].append(late_window(*dates, due))
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


def participations_with_names(conditions: list[sa.ColumnElement[bool]]) -> sa.Select[Any]:
    """Each participation in `conditions` with its site (id, name, organisation, region), its
    programme (id, name) and the dates late_window takes, in its order."""
    return (
        sa.select(
            Participation.site_id,
            Site.name,
            Organisation.name,
            Site.region,
            Participation.programme_id,
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
        .where(*conditions)
    )


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
    sites: dict[int, tuple[str, str, str]] = {}
    windows: dict[int, list[tuple[str, date, date]]] = defaultdict(list)
    for site_id, name, organisation, site_region, _, programme, *dates in db.session.execute(
        participations_with_names(filters)
    ):
        sites[site_id] = (name, organisation, site_region)
        windows[site_id].append((programme, *late_window(*dates, due)))
    if not sites:
        return []

    # The same conditions as _submitted_in_windows, keeping each month rather than a count.
    submitted_query = (
        participating_returns(RECEIVED)
        .join(Site, Site.id == Participation.site_id)
        .add_columns(Participation.site_id, MonthlyReturn.month)
        .where(
            MonthlyReturn.month <= due,
            sa.or_(
                Site.launched_on.is_(None), MonthlyReturn.month >= sql_month_start(Site.launched_on)
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


def months_required(site_ids: Sequence[int], wanted: Sequence[date]) -> dict[int, set[date]]:
    """Of the months `wanted`, those each site takes part in a programme (inside the programme's
    dates and the site's participation, launched and not closed): the months it must report,
    by the same windows as the late returns. One query."""
    if not site_ids or not wanted:
        return {}
    last = max(wanted)
    required: dict[int, set[date]] = defaultdict(set)
    rows = db.session.execute(
        participation_windows().where(Participation.site_id.in_(list(site_ids)))
    )
    for site_id, *dates in rows:
        first, final = late_window(*dates, last)
        required[site_id].update(month for month in wanted if first <= month <= final)
    return dict(required)
