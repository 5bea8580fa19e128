"""Reads of organisations, sites, their awards and returns: one SQL query per table of figures.

Lists are filtered, scoped and paged in the database: `site_list` costs the same two queries for
five sites or five thousand. Scope comes from portal.permissions as a select of site ids.

Two reads look outward: the programmes a site takes part in (programme.models, for the programme
filter) and its latest fidelity review (training.queries, for the band filter and the site's
latest band). Neither of those modules reads this one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from accounts.models import User
from core.extensions import db
from core.paging import Page, paged
from portal.permissions import programme_scope, site_scope
from programme.models import Participation, Programme
from sites import outcomes
from sites.models import RETURN_COUNTS, Designation, MonthlyReturn, Organisation, Site
from training.fidelity.queries import latest_fidelity, site_ids_in_band


@dataclass(frozen=True)
class SiteFilters:
    region: str | None = None
    programme_id: int | None = None
    centre_of_excellence: bool = False
    band: str | None = None
    q: str | None = None


@dataclass(frozen=True)
class SiteDetail:
    site: Site
    organisation: Organisation
    designations: Sequence[Designation]
    # Rows of id (the programme's), name, participation_id, joined_on, left_on, site_target.
    programmes: Sequence[sa.Row[Any]]
    centre_of_excellence: bool
    latest_fidelity: dict[str, Any] | None = field(default=None)


def holds_award(designation: Designation, on: date) -> bool:
    """A Centre of Excellence award counts from its award date until (not on) its end date."""
    return designation.awarded_on <= on and (
        designation.ended_on is None or designation.ended_on > on
    )


def centre_of_excellence_on(on: date) -> sa.Exists:
    """SQL for `holds_award`, correlated to Site: true where the site holds an award on `on`."""
    return sa.exists().where(
        Designation.site_id == Site.id,
        Designation.awarded_on <= on,
        sa.or_(Designation.ended_on.is_(None), Designation.ended_on > on),
    )


def _contains(column: Any, text: str) -> Any:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def site_list_select(user: User, filters: SiteFilters, on: date | None = None) -> sa.Select:
    """The sites `user` may read that match `filters`, ordered by name: one row per site with
    the site's columns, organisation_name and centre_of_excellence."""
    on = on or date.today()
    select = (
        sa.select(
            Site.id,
            Site.organisation_id,
            Organisation.name.label("organisation_name"),
            Site.name,
            Site.locality,
            Site.region,
            Site.launched_on,
            Site.closed_on,
            Site.latitude,
            Site.longitude,
            centre_of_excellence_on(on).label("centre_of_excellence"),
            Site.version,
        )
        .join(Organisation, Organisation.id == Site.organisation_id)
        .order_by(Site.name, Site.id)
    )
    scope = site_scope(user)
    if scope is not None:
        select = select.where(Site.id.in_(scope))
    if filters.region:
        select = select.where(Site.region == filters.region)
    if filters.programme_id is not None:
        select = select.where(
            Site.id.in_(
                sa.select(Participation.site_id).where(
                    Participation.programme_id == filters.programme_id
                )
            )
        )
    if filters.centre_of_excellence:
        select = select.where(centre_of_excellence_on(on))
    if filters.band:
        select = select.where(Site.id.in_(site_ids_in_band(filters.band)))
    if filters.q and filters.q.strip():
        text = filters.q.strip()
        select = select.where(
            sa.or_(
                _contains(Site.name, text),
                _contains(Organisation.name, text),
                _contains(Site.locality, text),
            )
        )
    return select


def site_list(
    user: User, filters: SiteFilters, page: int = 1, per_page: int = 50
) -> Page[sa.Row[Any]]:
    """One page of `site_list_select` and the number of matching sites: two queries."""
    select = site_list_select(user, filters)
    return paged(select, page, per_page)


def site_detail(site_id: int, on: date | None = None) -> SiteDetail | None:
    """What the site page and GET /sites/{id} show; None for an unknown id. Three queries."""
    on = on or date.today()
    found = db.session.execute(
        sa.select(Site, Organisation)
        .join(Organisation, Organisation.id == Site.organisation_id)
        .where(Site.id == site_id)
    ).first()
    if found is None:
        return None
    site, organisation = found
    designations = db.session.scalars(
        sa.select(Designation)
        .where(Designation.site_id == site_id)
        .order_by(Designation.awarded_on, Designation.id)
    ).all()
    programmes = site_programmes(site_id)
    return SiteDetail(
        site=site,
        organisation=organisation,
        designations=designations,
        programmes=programmes,
        centre_of_excellence=any(holds_award(d, on) for d in designations),
        latest_fidelity=latest_fidelity(site_id),
    )


def site_programmes(site_id: int) -> Sequence[sa.Row[Any]]:
    """The site's participations, earliest first: id and name of the programme, participation_id,
    joined_on, left_on, site_target."""
    return db.session.execute(
        sa.select(
            Programme.id,
            Programme.name,
            Participation.id.label("participation_id"),
            Participation.joined_on,
            Participation.left_on,
            Participation.site_target,
        )
        .join(Programme, Programme.id == Participation.programme_id)
        .where(Participation.site_id == site_id)
        .order_by(Participation.joined_on, Programme.name, Participation.id)
    ).all()


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def monthly_outcomes(
    site_id: int, months: int = 36, on: date | None = None
) -> Sequence[sa.Row[Any]]:
    """Rows of month, job_starts, caseload, in_work from the site's submitted returns for the
    `months` calendar months up to and including the month of `on` (today), oldest first."""
    on = on or date.today()
    last = on.replace(day=1)
    first = _add_months(last, -(months - 1))
    return db.session.execute(
        sa.select(
            MonthlyReturn.month,
            MonthlyReturn.job_starts,
            MonthlyReturn.caseload,
            MonthlyReturn.in_work,
        )
        .where(
            MonthlyReturn.site_id == site_id,
            MonthlyReturn.status == "submitted",
            MonthlyReturn.month >= first,
            MonthlyReturn.month <= last,
        )
        .order_by(MonthlyReturn.month)
    ).all()


def site_returns_select(
    site_id: int, from_month: date | None = None, to_month: date | None = None
) -> sa.Select:
    """The site's returns (any status) between two months inclusive, oldest first, with their
    sector counts loaded in one more query."""
    select = (
        sa.select(MonthlyReturn)
        .where(MonthlyReturn.site_id == site_id)
        .options(selectinload(MonthlyReturn.sectors))
        .order_by(MonthlyReturn.month)
    )
    if from_month is not None:
        select = select.where(MonthlyReturn.month >= from_month.replace(day=1))
    if to_month is not None:
        select = select.where(MonthlyReturn.month <= to_month.replace(day=1))
    return select


def site_returns(
    site_id: int, from_month: date | None = None, to_month: date | None = None
) -> Sequence[MonthlyReturn]:
    return db.session.scalars(site_returns_select(site_id, from_month, to_month)).all()


def organisations_select() -> sa.Select:
    """Every organisation, by name."""
    return sa.select(Organisation).order_by(Organisation.name, Organisation.id)


def programme_options(user: User) -> Sequence[sa.Row[Any]]:
    """(id, name) of the programmes to offer in the sites list's filter: those `user` may read."""
    select = sa.select(Programme.id, Programme.name).order_by(Programme.name)
    scope = programme_scope(user)
    if scope is not None:
        select = select.where(Programme.id.in_(scope))
    return db.session.execute(select).all()


# Outcome rates

SiteIds = Iterable[int] | sa.Select | None  # ids, a select of ids (a scope), or None: every site


def _of_sites(sites: SiteIds) -> Any:
    if sites is None:
        return sa.true()
    if isinstance(sites, sa.Select):
        return MonthlyReturn.site_id.in_(sites)
    return MonthlyReturn.site_id.in_(list(sites))


def outcome_totals(sites: SiteIds, first: date, last: date) -> dict[int, outcomes.OutcomeTotals]:
    """Each site's sums of submitted returns over the months `first` to `last`, with the job starts
    of the months three months earlier (13-week sustainment's denominator): one grouped query.
    Sites without a submitted return in either range are left out: their totals are all 0."""
    r = MonthlyReturn
    first, last = first.replace(day=1), last.replace(day=1)
    in_period = r.month.between(first, last)
    base = outcomes.sustainment_base_months(first, last)
    in_base = r.month.between(*base) if base else sa.false()
    # One range over both (not an OR of the two) lets the (site_id, month) index pick the rows.
    earliest = min(first, base[0]) if base else first

    def total(column: Any, where: Any = in_period) -> Any:
        return sa.func.coalesce(sa.func.sum(column).filter(where), 0)

    query = (
        sa.select(
            r.site_id,
            *(total(getattr(r, name)).label(name) for name in RETURN_COUNTS),
            total(r.employment_specialists_fte).label("employment_specialists_fte"),
            sa.func.count().filter(in_period).label("months_reported"),
            total(r.job_starts, in_base).label("job_starts_three_months_earlier"),
        )
        .where(r.status == "submitted", r.month.between(earliest, last), _of_sites(sites))
        .group_by(r.site_id)
        .having(sa.func.count().filter(sa.or_(in_period, in_base)) > 0)
    )
    return {
        row.site_id: outcomes.OutcomeTotals(
            **{name: int(row._mapping[name]) for name in RETURN_COUNTS},
            employment_specialists_fte=Decimal(row.employment_specialists_fte).quantize(
                Decimal("0.01")
            ),
            months_reported=int(row.months_reported),
            job_starts_three_months_earlier=int(row.job_starts_three_months_earlier),
        )
        for row in db.session.execute(query)
    }


def site_outcome_totals(site_id: int, first: date, last: date) -> outcomes.OutcomeTotals:
    """One site's `outcome_totals` (all 0 when it sent no returns)."""
    return outcome_totals([site_id], first, last).get(site_id, outcomes.OutcomeTotals())


def network_rate_medians(first: date, last: date) -> dict[str, float | None]:
    """The median over sites of 13-week sustainment and of 4-week contact for the period, over
    every site with a submitted return in it and that rate: one grouped query."""
    totals = outcome_totals(None, first, last).values()
    return outcomes.network_medians(
        outcomes.outcome_rates(site) for site in totals if site.months_reported
    )


def monthly_rates(site_id: int, first: date, last: date) -> list[outcomes.MonthRates]:
    """The site's employment and job-start rates for each month from `first` to `last` with a
    submitted return, oldest first."""
    r = MonthlyReturn
    rows = db.session.execute(
        sa.select(r.month, r.in_work, r.job_starts, r.caseload)
        .where(
            r.site_id == site_id,
            r.status == "submitted",
            r.month.between(first.replace(day=1), last.replace(day=1)),
        )
        .order_by(r.month)
    )
    return [
        outcomes.MonthRates(
            month=row.month,
            employment_rate=outcomes.rate(row.in_work or 0, row.caseload or 0),
            job_start_rate=outcomes.rate(row.job_starts or 0, row.caseload or 0),
        )
        for row in rows
    ]


def first_return_month(sites: SiteIds) -> date | None:
    """The earliest month with a submitted return from any of `sites`; None when there is none."""
    return db.session.scalar(
        sa.select(sa.func.min(MonthlyReturn.month)).where(
            MonthlyReturn.status == "submitted", _of_sites(sites)
        )
    )
