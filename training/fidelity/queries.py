"""Reads of fidelity reviews: a site's trajectory, a review beside the previous one, each site's
latest final review and the network's item profile and heatmap. Aggregates run in SQL; no read
costs a query per site.

"Latest final review" is the site's final review with the latest date (the higher id breaks a
tie), picked with a window function that SQLite and PostgreSQL both run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from core.extensions import db
from sites.models import Designation, Site
from training.fidelity import cadence, scoring
from training.fidelity import scale as fidelity
from training.models import Action, FidelityReview, FidelityScore, ReviewStatus

BELOW = 4  # an item scored below 4 is where training should go ("sites below 4")

SiteIds = Iterable[int] | sa.Select | None  # ids, a select of ids (a scope), or None: every site


def _band_or_none(total: int | None) -> str | None:
    try:
        return None if total is None else scoring.band_for(total)
    except ValueError:
        return None


def _restrict(select: sa.Select, column: Any, site_ids: SiteIds) -> sa.Select:
    if site_ids is None:
        return select
    if isinstance(site_ids, sa.Select):
        return select.where(column.in_(site_ids))
    return select.where(column.in_(list(site_ids)))


def latest_final_reviews(site_ids: SiteIds = None, *, on: date | None = None) -> sa.Subquery:
    """A subquery of each site's latest final review: id, site_id, reviewed_on, total.

    One row per site that has a final review; `site_ids` narrows it (None: every site), and
    `on` takes the latest review on or before that day (None: any day)."""
    ranked = sa.select(
        FidelityReview.id,
        FidelityReview.site_id,
        FidelityReview.reviewed_on,
        FidelityReview.total,
        sa.func.row_number()
        .over(
            partition_by=FidelityReview.site_id,
            order_by=(FidelityReview.reviewed_on.desc(), FidelityReview.id.desc()),
        )
        .label("rank"),
    ).where(FidelityReview.status == ReviewStatus.FINAL)
    if on is not None:
        ranked = ranked.where(FidelityReview.reviewed_on <= on)
    ranked = _restrict(ranked, FidelityReview.site_id, site_ids).subquery("ranked_reviews")
    return (
        sa.select(ranked.c.id, ranked.c.site_id, ranked.c.reviewed_on, ranked.c.total)
        .where(ranked.c.rank == 1)
        .subquery("latest_reviews")
    )


def _fidelity(reviewed_on: date, total: int | None) -> dict[str, Any]:
    return {"reviewed_on": reviewed_on, "total": total, "band": _band_or_none(total)}


def latest_bands(site_ids: SiteIds, *, on: date | None = None) -> dict[int, dict[str, Any]]:
    """{site_id: {reviewed_on, total, band}} of each site's latest final review (on or before
    `on`, when given), in one query. Sites without a final review are left out."""
    latest = latest_final_reviews(site_ids, on=on)
    rows = db.session.execute(sa.select(latest.c.site_id, latest.c.reviewed_on, latest.c.total))
    return {row.site_id: _fidelity(row.reviewed_on, row.total) for row in rows}


def latest_fidelity(site_id: int) -> dict[str, Any] | None:
    """The site's latest final review as {reviewed_on, total, band}, or None when it has none."""
    return latest_bands([site_id]).get(site_id)


def site_ids_in_band(band: str) -> sa.Select:
    """A select of the ids of the sites whose latest final review is in `band` (a key of
    fidelity.BANDS); selects nothing for an unknown band."""
    latest = latest_final_reviews()
    try:
        low, high = scoring.band_range(band)
    except ValueError:
        return sa.select(latest.c.site_id).where(sa.false())
    return sa.select(latest.c.site_id).where(latest.c.total.between(low, high))


# One site's reviews


@dataclass(frozen=True)
class TrajectoryPoint:
    """A final review in a site's trajectory; `change` is the total minus the previous final
    review's total (None for the first)."""

    id: int
    reviewed_on: date
    kind: str
    total: int | None
    band: str | None
    change: int | None


def site_trajectory(site_id: int) -> list[TrajectoryPoint]:
    """The site's final reviews, oldest first, with total, band and change: one query."""
    rows = db.session.execute(
        sa.select(
            FidelityReview.id, FidelityReview.reviewed_on, FidelityReview.kind, FidelityReview.total
        )
        .where(FidelityReview.site_id == site_id, FidelityReview.status == ReviewStatus.FINAL)
        .order_by(FidelityReview.reviewed_on, FidelityReview.id)
    )
    points: list[TrajectoryPoint] = []
    previous: int | None = None
    for index, row in enumerate(rows):
        change = scoring.total_change(row.total, previous) if index else None
        points.append(
            TrajectoryPoint(
                row.id, row.reviewed_on, row.kind, row.total, _band_or_none(row.total), change
            )
        )
        previous = row.total
    return points


def site_reviews(site_id: int, *, drafts: bool) -> Sequence[sa.Row[Any]]:
    """The site's reviews, newest first: id, reviewed_on, kind, status, total, lead_reviewer.
    Drafts only when `drafts` (admin and trainers see them; others do not)."""
    select = (
        sa.select(
            FidelityReview.id,
            FidelityReview.reviewed_on,
            FidelityReview.kind,
            FidelityReview.status,
            FidelityReview.total,
            FidelityReview.lead_reviewer,
        )
        .where(FidelityReview.site_id == site_id)
        .order_by(FidelityReview.reviewed_on.desc(), FidelityReview.id.desc())
    )
    if not drafts:
        select = select.where(FidelityReview.status == ReviewStatus.FINAL)
    return db.session.execute(select).all()


@dataclass(frozen=True)
class ReviewDetail:
    """A review with its item rows, the site's previous final review and the action plan."""

    review: FidelityReview
    rows: dict[int, FidelityScore]  # by item number
    previous: FidelityReview | None
    previous_scores: dict[int, int]
    actions: Sequence[Action]

    @property
    def scores(self) -> dict[int, int | None]:
        return {number: row.score for number, row in self.rows.items()}

    @property
    def total(self) -> int | None:
        """The total of a final review (stored); a draft's only once all 25 are scored."""
        if self.review.status == ReviewStatus.FINAL:
            return self.review.total
        return scoring.review_total(self.scores)

    @property
    def band(self) -> str | None:
        return _band_or_none(self.total)

    @property
    def change(self) -> int | None:
        previous = self.previous.total if self.previous else None
        return scoring.total_change(self.total, previous)


def previous_final_review(review: FidelityReview) -> FidelityReview | None:
    """The site's final review just before `review` (by date, then id), or None."""
    return db.session.scalar(
        sa.select(FidelityReview)
        .where(
            FidelityReview.site_id == review.site_id,
            FidelityReview.status == ReviewStatus.FINAL,
            FidelityReview.id != review.id,
            sa.or_(
                FidelityReview.reviewed_on < review.reviewed_on,
                sa.and_(
                    FidelityReview.reviewed_on == review.reviewed_on,
                    FidelityReview.id < review.id,
                ),
            ),
        )
        .order_by(FidelityReview.reviewed_on.desc(), FidelityReview.id.desc())
        .limit(1)
    )


def review_scores(review_id: int) -> dict[int, int]:
    """{item: score} of a review's scored items."""
    rows = db.session.execute(
        sa.select(FidelityScore.item, FidelityScore.score).where(
            FidelityScore.review_id == review_id, FidelityScore.score.is_not(None)
        )
    )
    return {row.item: row.score for row in rows}


def review_detail(review_id: int) -> ReviewDetail | None:
    """The review, its items, the previous final review's scores and its actions (5 queries)."""
    review = db.session.scalar(
        sa.select(FidelityReview)
        .where(FidelityReview.id == review_id)
        .options(selectinload(FidelityReview.scores))
    )
    if review is None:
        return None
    previous = previous_final_review(review)
    actions = db.session.scalars(
        sa.select(Action).where(Action.review_id == review.id).order_by(Action.item, Action.id)
    ).all()
    return ReviewDetail(
        review=review,
        rows={row.item: row for row in review.scores},
        previous=previous,
        previous_scores=review_scores(previous.id) if previous else {},
        actions=actions,
    )


def latest_review_detail(site_id: int) -> ReviewDetail | None:
    """The site's latest final review as a ReviewDetail (its item profile beside the previous
    final review's), or None when it has none: for the site page."""
    latest = latest_final_reviews([site_id])
    review_id = db.session.scalar(sa.select(latest.c.id))
    return None if review_id is None else review_detail(review_id)


# The network: each site's latest final review, by item


@dataclass(frozen=True)
class ProfileFilters:
    """Which sites the network profile and heatmap cover. `site_ids` is a select of ids (a
    programme's sites, say: training does not import programme, so the caller builds it)."""

    site_ids: sa.Select | None = None
    region: str | None = None


def _filtered_site_ids(filters: ProfileFilters) -> sa.Select | None:
    if filters.site_ids is None and filters.region is None:
        return None
    select = sa.select(Site.id)
    if filters.region is not None:
        select = select.where(Site.region == filters.region)
    if filters.site_ids is not None:
        select = select.where(Site.id.in_(filters.site_ids))
    return select


@dataclass(frozen=True)
class ItemProfile:
    number: int
    section: str
    name: str
    mean: float | None  # rounded to 2 places; None when no site has a final review
    below_4: int  # sites whose latest final review scores the item below 4


@dataclass(frozen=True)
class FidelityProfile:
    sites: int  # sites with a final review that the filters keep
    items: list[ItemProfile]  # in the scale's order

    def weakest_first(self) -> list[ItemProfile]:
        """The items by mean, lowest first (unscored last), then by number."""
        return sorted(
            self.items,
            key=lambda i: (i.mean is None, i.mean if i.mean is not None else 0, i.number),
        )


def fidelity_profile(filters: ProfileFilters = ProfileFilters()) -> FidelityProfile:
    """Per item, the mean score over each site's latest final review and how many of those
    sites score it below 4: two queries, however many sites."""
    latest = latest_final_reviews(_filtered_site_ids(filters))
    sites = db.session.scalar(sa.select(sa.func.count()).select_from(latest)) or 0
    rows = db.session.execute(
        sa.select(
            FidelityScore.item,
            sa.func.avg(FidelityScore.score).label("mean"),
            sa.func.sum(sa.case((FidelityScore.score < BELOW, 1), else_=0)).label("below"),
        )
        .join(latest, latest.c.id == FidelityScore.review_id)
        .group_by(FidelityScore.item)
    )
    found = {row.item: row for row in rows}
    items = []
    for item in fidelity.ITEMS:
        row = found.get(item.number)
        mean = None if row is None or row.mean is None else round(float(row.mean), 2)
        below = int(row.below or 0) if row is not None else 0
        items.append(ItemProfile(item.number, item.section, item.name, mean, below))
    return FidelityProfile(sites=sites, items=items)


@dataclass(frozen=True)
class HeatmapSite:
    site_id: int
    name: str
    reviewed_on: date
    total: int | None


@dataclass(frozen=True)
class FidelityHeatmap:
    """Sites x items of each site's latest final review: sites weakest total first, items weakest
    mean first; `scores[site_id][item]` is the score (absent when not scored)."""

    sites: list[HeatmapSite]
    items: list[ItemProfile]
    scores: dict[int, dict[int, int]] = field(default_factory=dict)


def fidelity_heatmap(
    filters: ProfileFilters = ProfileFilters(), profile: FidelityProfile | None = None
) -> FidelityHeatmap:
    """The heatmap's rows, columns and cells: two queries (plus two for the profile when it is
    not given), however many sites."""
    profile = profile or fidelity_profile(filters)
    latest = latest_final_reviews(_filtered_site_ids(filters))
    site_rows = db.session.execute(
        sa.select(latest.c.site_id, Site.name, latest.c.reviewed_on, latest.c.total)
        .join(Site, Site.id == latest.c.site_id)
        .order_by(latest.c.total.is_(None), latest.c.total, Site.name, Site.id)
    )
    sites = [HeatmapSite(r.site_id, r.name, r.reviewed_on, r.total) for r in site_rows]
    scores: dict[int, dict[int, int]] = {}
    cells = db.session.execute(
        sa.select(latest.c.site_id, FidelityScore.item, FidelityScore.score)
        .join(latest, latest.c.id == FidelityScore.review_id)
        .where(FidelityScore.score.is_not(None))
    )
    for cell in cells:
        scores.setdefault(cell.site_id, {})[cell.item] = cell.score
    return FidelityHeatmap(sites=sites, items=profile.weakest_first(), scores=scores)


@dataclass(frozen=True)
class ReviewDue:
    site_id: int
    name: str
    reviewed_on: date | None  # the latest final review; None: never reviewed
    band: str | None
    centre: bool  # a Centre of Excellence today
    next_review_due: date

    def overdue(self, today: date) -> bool:
        return self.next_review_due < today

    @property
    def why(self) -> str:
        """The rule that set the date, for people."""
        if self.reviewed_on is None:
            return "never reviewed since launch"
        rated = fidelity.BANDS.get(self.band or "", "not scored")
        last = f"last review {self.reviewed_on.day} {self.reviewed_on:%B %Y}, {rated}"
        return f"{last}, a Centre of Excellence" if self.centre else last


def review_cadence() -> cadence.Cadence:
    config = current_app.config
    return cadence.Cadence(
        below_good_months=config["REVIEW_MONTHS_BELOW_GOOD"],
        good_months=config["REVIEW_MONTHS_GOOD"],
        centre_months=config["REVIEW_MONTHS_CENTRE"],
        first_review_months=config["FIRST_REVIEW_MONTHS"],
    )


def reviews_due(site_ids: SiteIds, today: date, *, by: date) -> list[ReviewDue]:
    """The open sites among `site_ids` (None: every site) whose next fidelity review falls due
    on or before `by`, overdue first, earliest due first: one query, a row per open site."""
    latest = latest_final_reviews(site_ids)
    centre_now = (
        sa.select(Designation.id)
        .where(
            Designation.site_id == Site.id,
            Designation.awarded_on <= today,
            sa.or_(Designation.ended_on.is_(None), Designation.ended_on > today),
        )
        .exists()
    )
    select = (
        sa.select(
            Site.id,
            Site.name,
            Site.launched_on,
            latest.c.reviewed_on,
            latest.c.total,
            centre_now.label("centre"),
        )
        .outerjoin(latest, latest.c.site_id == Site.id)
        .where(
            sa.or_(Site.launched_on.is_(None), Site.launched_on <= today),
            sa.or_(Site.closed_on.is_(None), Site.closed_on > today),
        )
    )
    rows = db.session.execute(_restrict(select, Site.id, site_ids)).all()
    rules = review_cadence()
    due: list[ReviewDue] = []
    for row in rows:
        band = _band_or_none(row.total)
        on = cadence.next_review_due(
            reviewed_on=row.reviewed_on,
            band=band,
            centre=bool(row.centre),
            launched_on=row.launched_on,
            cadence=rules,
        )
        if on is not None and on <= by:
            due.append(ReviewDue(row.id, row.name, row.reviewed_on, band, bool(row.centre), on))
    return sorted(due, key=lambda review: (review.next_review_due, review.name, review.site_id))
