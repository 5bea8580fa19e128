"""Reads for the sites list and a site's page: each site with its organisation, awards, programmes
and latest fidelity, filtered and paged in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from accounts.models import User
from accounts.scopes import programme_scope, site_scope
from core.extensions import db
from core.paging import Page, paged
from programme.models import Participation, Programme
from sites.mentoring.queries import MentoringLink, mentees_of, mentors_of
from sites.models import Designation, Organisation, Site
from sites.queries import centre_of_excellence_on, holds_award
from training.fidelity.queries import latest_bands, latest_fidelity, site_ids_in_band


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
        in_programme = sa.select(Participation.site_id).where(
            Participation.programme_id == filters.programme_id
        )
        programmes = programme_scope(user)
        if programmes is not None:  # no telling which sites another funder's programme holds
            in_programme = in_programme.where(Participation.programme_id.in_(programmes))
        select = select.where(Site.id.in_(in_programme))
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


def site_detail(
    site_id: int, on: date | None = None, programme_ids: sa.Select | None = None
) -> SiteDetail | None:
    """What the site page and GET /sites/{id} show; None for an unknown id. Three queries.
    `programme_ids` (the reader's programme scope; None: all) keeps the programmes listed to
    those the reader may see: a funder sees no other funder's programmes."""
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
    programmes = site_programmes(site_id, programme_ids)
    return SiteDetail(
        site=site,
        organisation=organisation,
        designations=designations,
        programmes=programmes,
        centre_of_excellence=any(holds_award(d, on) for d in designations),
        latest_fidelity=latest_fidelity(site_id),
    )


def site_programmes(site_id: int, programme_ids: sa.Select | None = None) -> Sequence[sa.Row[Any]]:
    """The site's participations, earliest first: id and name of the programme, participation_id,
    joined_on, left_on, site_target; only of `programme_ids` when given."""
    select = (
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
    )
    if programme_ids is not None:
        select = select.where(Programme.id.in_(programme_ids))
    return db.session.execute(select).all()


@dataclass(frozen=True)
class SiteMentoring:
    """The site page's mentoring: who mentors it, whom it mentors, and, for the sites it mentors
    that the reader may read, each one's latest fidelity band (`bands`); `figures_of` holds the
    ids of the mentored sites whose band and job starts the reader may see."""

    mentored_by: Sequence[MentoringLink]
    mentees: Sequence[MentoringLink]
    bands: dict[int, dict[str, Any]]
    figures_of: frozenset[int]


def site_mentoring(user: User, site_id: int, counted: Sequence[str]) -> SiteMentoring:
    """A fixed number of queries (four at most), however many sites the site mentors."""
    mentees = mentees_of(site_id, counted)
    mentee_ids = {link.site_id for link in mentees}
    scope = site_scope(user)
    if scope is None or not mentee_ids:
        visible = mentee_ids
    else:
        visible = set(
            db.session.scalars(
                sa.select(Site.id).where(Site.id.in_(mentee_ids), Site.id.in_(scope))
            )
        )
    return SiteMentoring(
        mentored_by=mentors_of(site_id),
        mentees=mentees,
        bands=latest_bands(sorted(visible)) if visible else {},
        figures_of=frozenset(visible),
    )
