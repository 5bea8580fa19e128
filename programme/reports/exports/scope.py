"""What an export may hold (ExportScope: the user's scope, a programme or site, a period,
open data or not) and the pieces its queries share."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from core.extensions import db
from core.tables import BATCH, ID, TEXT, Column
from programme.models import Participation
from sites.models import REGIONS
from sites.outcomes import Period
from sites.returns.workflow import COUNTED, COUNTED_FOR_FUNDERS

NAMES = ("returns", "progress", "fidelity", "completeness")
TITLES = {
    "returns": "Monthly returns",
    "progress": "Programme progress",
    "fidelity": "Fidelity reviews",
    "completeness": "Reporting completeness",
}


@dataclass(frozen=True)
class ExportScope:
    """What an export may hold: `site_ids` and `programme_ids` are the user's scopes (None: all);
    `programme_id` and `site_id` narrow it further; `period` keeps its months (None: every
    month); `open_data` is the published form; `counted` the statuses of the returns whose
    figures count (workflow.counted_statuses: approved only for funders and open data)."""

    on: date
    site_ids: sa.Select | None = None
    programme_ids: sa.Select | None = None
    programme_id: int | None = None
    site_id: int | None = None
    item_scores: bool = True
    period: Period | None = None
    open_data: bool = False
    counted: tuple[str, ...] = COUNTED

    @property
    def approved_only(self) -> bool:
        return self.counted == COUNTED_FOR_FUNDERS


def stream(query: sa.Select) -> Iterator[sa.Row[Any]]:
    yield from db.session.execute(query, execution_options={"yield_per": BATCH})


def of_sites(column: Any, scope: ExportScope, *, scoped: bool = True) -> list[Any]:
    conditions = []
    if scoped and scope.site_ids is not None:
        conditions.append(column.in_(scope.site_ids))
    if scope.site_id is not None:
        conditions.append(column == scope.site_id)
    return conditions


def in_programme(site_column: Any, programme_id: int) -> Any:
    """Sites that take or took part in the programme."""
    return site_column.in_(
        sa.select(Participation.site_id).where(Participation.programme_id == programme_id)
    )


def period_note(scope: ExportScope, what: str) -> tuple[str, ...]:
    if scope.period is None:
        return ()
    return (f"Only {what} of the period: {scope.period.label}.",)


SITE_COLUMNS = (
    Column("site_id", ID, 8, label="Site ID"),
    Column("site", TEXT, 32, label="Site"),
    Column("organisation", TEXT, 44, label="Organisation"),
    Column("region", TEXT, 24, label="Region", labels=REGIONS),
)
PROGRAMME_COLUMNS = (
    Column("programme_id", ID, 12, label="Programme ID"),
    Column("programme", TEXT, 32, label="Programme"),
)
