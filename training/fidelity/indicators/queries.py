"""Reads of the live fidelity indicators: a site's indicators by month beside its last final
review, and the sites drifting below that review, in one query for any number of sites.

Indicators read the returns whose figures count for staff, trainers and site leads (submitted
and approved); funders do not see them (DESIGN.md: aggregates only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from core.extensions import db
from sites.models import MonthlyReturn, Site
from sites.queries import of_statuses
from sites.returns.workflow import COUNTED
from training.fidelity.indicators import rules
from training.fidelity.queries import latest_final_reviews
from training.models import FidelityScore

SiteIds = Iterable[int] | sa.Select | None  # ids, a select of ids (a scope), or None: every site
MONTHS_SHOWN = 12  # the site page's table of indicators by month
# The items whose scores at the last final review sit beside the indicators.
ITEMS_BESIDE = (rules.CASELOAD_ITEM, rules.RAPID_SEARCH_ITEM)


def _of_sites(column: Any, site_ids: SiteIds) -> Any:
    if site_ids is None:
        return sa.true()
    if isinstance(site_ids, sa.Select):
        return column.in_(site_ids)
    return column.in_(list(site_ids))


@dataclass(frozen=True)
class ReviewItems:
    """The site's last final review: its date and the scores of ITEMS_BESIDE."""

    review_id: int
    reviewed_on: date
    scores: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteIndicators:
    by_month: list[rules.MonthFigures]  # the newest MONTHS_SHOWN counted months, oldest first
    live: rules.Indicators  # over the newest rules.INDICATOR_MONTHS of them
    review: ReviewItems | None  # None: no final review yet
    drift: list[int]  # item numbers


def _month_figures(row: Any) -> rules.MonthFigures:
    return rules.MonthFigures(
        month=row.month,
        caseload=int(row.caseload or 0),
        employment_specialists_fte=Decimal(str(row.employment_specialists_fte or 0)),
        new_to_service=int(row.new_to_service or 0),
        first_contact_within_4_weeks=int(row.first_contact_within_4_weeks or 0),
    )


def indicator_months(site_id: int, months: int = MONTHS_SHOWN) -> list[rules.MonthFigures]:
    """The figures of the site's newest `months` counted returns, oldest first: one query."""
    r = MonthlyReturn
    rows = db.session.execute(
        sa.select(
            r.month,
            r.caseload,
            r.employment_specialists_fte,
            r.new_to_service,
            r.first_contact_within_4_weeks,
        )
        .where(r.site_id == site_id, of_statuses(COUNTED))
        .order_by(r.month.desc())
        .limit(months)
    )
    return [_month_figures(row) for row in reversed(rows.all())]


def last_review_items(site_id: int) -> ReviewItems | None:
    """The site's last final review with its scores of ITEMS_BESIDE: one query."""
    latest = latest_final_reviews([site_id])
    rows = db.session.execute(
        sa.select(
            latest.c.id, latest.c.reviewed_on, FidelityScore.item, FidelityScore.score
        ).outerjoin(
            FidelityScore,
            sa.and_(
                FidelityScore.review_id == latest.c.id,
                FidelityScore.item.in_(ITEMS_BESIDE),
                FidelityScore.score.is_not(None),
            ),
        )
    ).all()
    if not rows:
        return None
    scores = {row.item: row.score for row in rows if row.item is not None}
    return ReviewItems(rows[0].id, rows[0].reviewed_on, scores)


def site_indicators(site_id: int) -> SiteIndicators:
    """The site's indicators by month, the live ones, its last final review's scores of the
    items beside them, and the items drifting: two queries."""
    by_month = indicator_months(site_id)
    live = rules.live_indicators(by_month)
    review = last_review_items(site_id)
    return SiteIndicators(
        by_month=by_month,
        live=live,
        review=review,
        drift=rules.drift(live, review.scores) if review else [],
    )


@dataclass(frozen=True)
class DriftingSite:
    """A site whose live indicators fell below its last final review."""

    site_id: int
    name: str
    first_month: date  # the months the live indicators read
    last_month: date
    caseload_per_specialist: float
    caseload_item_score: int
    reviewed_on: date  # the last final review
    review_score: int  # its score on item 1
    drift: list[int]


def drifting_sites(site_ids: SiteIds) -> list[DriftingSite]:
    """The sites among `site_ids` (None: every site) whose live indicators have drifted below
    their last final review, by name: one query, a row per site with returns and a review."""
    if site_ids is not None and not isinstance(site_ids, sa.Select):
        site_ids = list(site_ids)  # read twice below
    r = MonthlyReturn
    ranked = (
        sa.select(
            r.site_id,
            r.month,
            r.caseload,
            r.employment_specialists_fte,
            r.new_to_service,
            r.first_contact_within_4_weeks,
            sa.func.row_number()
            .over(partition_by=r.site_id, order_by=r.month.desc())
            .label("newest"),
        )
        .where(of_statuses(COUNTED), _of_sites(r.site_id, site_ids))
        .subquery("ranked_returns")
    )
    recent = (
        sa.select(
            ranked.c.site_id,
            sa.func.min(ranked.c.month).label("first_month"),
            sa.func.max(ranked.c.month).label("last_month"),
            sa.func.coalesce(sa.func.sum(ranked.c.caseload), 0).label("caseload"),
            sa.func.coalesce(sa.func.sum(ranked.c.employment_specialists_fte), 0).label("fte"),
            sa.func.coalesce(sa.func.sum(ranked.c.new_to_service), 0).label("new_to_service"),
            sa.func.coalesce(sa.func.sum(ranked.c.first_contact_within_4_weeks), 0).label(
                "first_contact"
            ),
        )
        .where(ranked.c.newest <= rules.INDICATOR_MONTHS)
        .group_by(ranked.c.site_id)
        .subquery("recent_returns")
    )
    latest = latest_final_reviews(site_ids)
    rows = db.session.execute(
        sa.select(
            Site.id,
            Site.name,
            recent.c.first_month,
            recent.c.last_month,
            recent.c.caseload,
            recent.c.fte,
            recent.c.new_to_service,
            recent.c.first_contact,
            latest.c.reviewed_on,
            FidelityScore.score,
        )
        .join(recent, recent.c.site_id == Site.id)
        .join(latest, latest.c.site_id == Site.id)
        .join(
            FidelityScore,
            sa.and_(
                FidelityScore.review_id == latest.c.id,
                FidelityScore.item == rules.CASELOAD_ITEM,
                FidelityScore.score.is_not(None),
            ),
        )
        .order_by(Site.name, Site.id)
    )
    drifting = []
    for row in rows:
        live = rules.indicators_of_totals(
            {row.first_month, row.last_month},
            caseload=int(row.caseload),
            employment_specialists_fte=Decimal(str(row.fte)),
            new_to_service=int(row.new_to_service),
            first_contact_within_4_weeks=int(row.first_contact),
        )
        items = rules.drift(live, {rules.CASELOAD_ITEM: row.score})
        if items and live.caseload_per_specialist is not None and live.caseload_item_score:
            drifting.append(
                DriftingSite(
                    site_id=row.id,
                    name=row.name,
                    first_month=row.first_month,
                    last_month=row.last_month,
                    caseload_per_specialist=live.caseload_per_specialist,
                    caseload_item_score=live.caseload_item_score,
                    reviewed_on=row.reviewed_on,
                    review_score=row.score,
                    drift=items,
                )
            )
    return drifting
