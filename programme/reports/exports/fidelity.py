"""The fidelity export: every final fidelity review of each site, with the item scores for those
who may see them (not funders, not open data)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from core.months import month_end
from core.tables import (
    DATE,
    NUMBER,
    TEXT,
    Column,
    Table,
)
from programme.reports.exports.scope import (
    SITE_COLUMNS,
    TITLES,
    ExportScope,
    in_programme,
    of_sites,
    period_note,
    stream,
)
from sites.models import (
    Organisation,
    Site,
)
from training.fidelity import scale as fidelity
from training.fidelity import scoring
from training.models import REVIEW_KINDS, FidelityReview, FidelityScore, ReviewStatus

ITEMS = range(1, len(fidelity.ITEMS) + 1)
REVIEW_COLUMNS = (
    *SITE_COLUMNS,
    Column("reviewed_on", DATE, 13, label="Reviewed on"),
    Column("kind", TEXT, 16, label="Kind of review", labels=REVIEW_KINDS),
    Column("total", NUMBER, 9, label="Total (25 to 125)"),
    Column("band", TEXT, 10, label="Band", labels=fidelity.BANDS),
)
SCORE_COLUMNS = tuple(
    Column(f"item_{item.number}", NUMBER, 16, label=f"{item.number}. {item.name}")
    for item in fidelity.ITEMS
)


def fidelity_table(scope: ExportScope) -> Table:
    f = FidelityReview
    columns = [Site.id, Site.name, Organisation.name, Site.region, f.reviewed_on, f.kind, f.total]
    query = (
        sa.select(*columns)
        .join(Site, Site.id == f.site_id)
        .join(Organisation, Organisation.id == Site.organisation_id)
        .where(f.status == ReviewStatus.FINAL, *of_sites(f.site_id, scope))
        .order_by(Site.name, Site.id, f.reviewed_on, f.id)
    )
    if scope.programme_id is not None:
        query = query.where(in_programme(f.site_id, scope.programme_id))
    if scope.period is not None:
        query = query.where(f.reviewed_on.between(scope.period.first, month_end(scope.period.last)))
    if scope.item_scores:
        scores = (
            sa.select(
                FidelityScore.review_id,
                *(
                    sa.func.max(sa.case((FidelityScore.item == n, FidelityScore.score))).label(
                        f"item_{n}"
                    )
                    for n in ITEMS
                ),
            )
            .group_by(FidelityScore.review_id)
            .subquery("scores")
        )
        query = query.outerjoin(scores, scores.c.review_id == f.id).add_columns(
            *(scores.c[f"item_{n}"] for n in ITEMS)
        )

    def rows() -> Iterator[tuple[Any, ...]]:
        for row in stream(query):
            values = tuple(row)
            yield values[:7] + (scoring.band_of_total(values[6]),) + values[7:]

    all_columns = REVIEW_COLUMNS + (SCORE_COLUMNS if scope.item_scores else ())
    notes = ("Every final review of each site, oldest first. Totals run from 25 to 125.",)
    notes += period_note(scope, "the reviews")
    return Table("fidelity", TITLES["fidelity"], all_columns, rows(), notes)
