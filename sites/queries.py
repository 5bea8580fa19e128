"""Reads of organisations, sites, their awards and returns: one SQL query per table of figures.

Lists are filtered, scoped and paged in the database: `site_list` costs the same two queries for
five sites or five thousand. Scope comes from portal.permissions as a select of site ids.

Two reads look outward: the programmes a site takes part in (programme.models, for the programme
filter) and its latest fidelity review (training.queries, for the band filter and the site's
latest band). Neither of those modules reads this one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from accounts import scopes
from accounts.models import User
from core.extensions import db
from core.months import add_months, month_start
from sites import outcomes
from sites.models import RETURN_COUNTS, Designation, MonthlyReturn, Organisation, ReturnStatus, Site
from sites.returns.workflow import COUNTED


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


def of_statuses(counted: Sequence[str]) -> sa.ColumnElement[bool]:
    """A return whose status is one of `counted` (workflow.counted_statuses: whose figures count
    for the reader; every read of figures takes them, COUNTED by default)."""
    return MonthlyReturn.status.in_([str(status) for status in counted])


def awaiting_approval(column: Any) -> Any:
    """SQL: the sum of `column` over the submitted, not yet approved, returns among those read
    (0 when none, and always 0 when only approved returns count)."""
    submitted = MonthlyReturn.status == ReturnStatus.SUBMITTED
    return sa.func.coalesce(sa.func.sum(column).filter(submitted), 0)


def monthly_outcomes(
    site_id: int, months: int = 36, on: date | None = None, counted: Sequence[str] = COUNTED
) -> Sequence[sa.Row[Any]]:
    """Rows of month, job_starts, caseload, in_work and status from the site's `counted` returns
    for the `months` calendar months up to and including the month of `on` (today), oldest
    first."""
    on = on or date.today()
    last = month_start(on)
    first = add_months(last, -(months - 1))
    return db.session.execute(
        sa.select(
            MonthlyReturn.month,
            MonthlyReturn.job_starts,
            MonthlyReturn.caseload,
            MonthlyReturn.in_work,
            MonthlyReturn.status,
        )
        .where(
            MonthlyReturn.site_id == site_id,
            of_statuses(counted),
            MonthlyReturn.month >= first,
            MonthlyReturn.month <= last,
        )
        .order_by(MonthlyReturn.month)
    ).all()


def site_returns_select(
    site_id: int,
    from_month: date | None = None,
    to_month: date | None = None,
    statuses: Sequence[str] | None = None,
) -> sa.Select:
    """The site's returns between two months inclusive, oldest first, with their sector counts
    loaded in one more query: of `statuses` only, or of any status when None."""
    select = (
        sa.select(MonthlyReturn)
        .where(MonthlyReturn.site_id == site_id)
        .options(selectinload(MonthlyReturn.sectors))
        .order_by(MonthlyReturn.month)
    )
    if statuses is not None:
        select = select.where(MonthlyReturn.status.in_(statuses))
    if from_month is not None:
        select = select.where(MonthlyReturn.month >= month_start(from_month))
    if to_month is not None:
        select = select.where(MonthlyReturn.month <= month_start(to_month))
    return select


def site_returns(
    site_id: int, from_month: date | None = None, to_month: date | None = None
) -> Sequence[MonthlyReturn]:
    return db.session.scalars(site_returns_select(site_id, from_month, to_month)).all()


def organisations_select() -> sa.Select:
    """Every organisation, by name."""
    return sa.select(Organisation).order_by(Organisation.name, Organisation.id)


# Outcome rates

SiteIds = Iterable[int] | sa.Select | None  # ids, a select of ids (a scope), or None: every site


def _of_sites(sites: SiteIds) -> Any:
    if sites is None:
        return sa.true()
    if isinstance(sites, sa.Select):
        return MonthlyReturn.site_id.in_(sites)
    return MonthlyReturn.site_id.in_(list(sites))


def outcome_totals(
    sites: SiteIds, first: date, last: date, counted: Sequence[str] = COUNTED
) -> dict[int, outcomes.OutcomeTotals]:
    """Each site's sums of `counted` returns over the months `first` to `last`, with the job
    starts of the months three months earlier (13-week sustainment's denominator) and those of
    the period awaiting approval: one grouped query. Sites without a counted return in either
    range are left out: their totals are all 0."""
    r = MonthlyReturn
    first, last = month_start(first), month_start(last)
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
            total(r.job_starts, sa.and_(in_period, r.status == ReturnStatus.SUBMITTED)).label(
                "job_starts_awaiting_approval"
            ),
        )
        .where(of_statuses(counted), r.month.between(earliest, last), _of_sites(sites))
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
            job_starts_awaiting_approval=int(row.job_starts_awaiting_approval),
        )
        for row in db.session.execute(query)
    }


def site_outcome_totals(
    site_id: int, first: date, last: date, counted: Sequence[str] = COUNTED
) -> outcomes.OutcomeTotals:
    """One site's `outcome_totals` (all 0 when it sent no returns)."""
    return outcome_totals([site_id], first, last, counted).get(site_id, outcomes.OutcomeTotals())


def network_rate_medians(
    first: date, last: date, counted: Sequence[str] = COUNTED
) -> dict[str, float | None]:
    """The median over sites of 13-week sustainment and of 4-week contact for the period, over
    every site with a counted return in it and that rate: one grouped query."""
    totals = outcome_totals(None, first, last, counted).values()
    return outcomes.network_medians(
        outcomes.outcome_rates(site) for site in totals if site.months_reported
    )


def monthly_rates(
    site_id: int, first: date, last: date, counted: Sequence[str] = COUNTED
) -> list[outcomes.MonthRates]:
    """The site's employment and job-start rates for each month from `first` to `last` with a
    `counted` return, oldest first."""
    r = MonthlyReturn
    rows = db.session.execute(
        sa.select(r.month, r.in_work, r.job_starts, r.caseload)
        .where(
            r.site_id == site_id,
            of_statuses(counted),
            r.month.between(month_start(first), month_start(last)),
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


def first_return_month(sites: SiteIds, counted: Sequence[str] = COUNTED) -> date | None:
    """The earliest month with a `counted` return from any of `sites`; None when there is none."""
    return db.session.scalar(
        sa.select(sa.func.min(MonthlyReturn.month)).where(of_statuses(counted), _of_sites(sites))
    )


def can_read_site(user: User, site_id: int) -> bool:
    scope = scopes.site_scope(user)
    return scope is None or bool(db.session.scalar(sa.select(sa.literal(site_id).in_(scope))))


def get_site_or_404(user: User, site_id: int) -> Site:
    site = db.get_or_404(Site, site_id)
    if not can_read_site(user, site_id):
        abort(403)
    return site
