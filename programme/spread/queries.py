"""Reads for how IPS spread: the network year by year, and who seeded whom. Each reads every row
it needs in a fixed number of queries and counts or builds the tree in Python (years.py,
lineage.py), whatever the number of sites."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from accounts.models import User
from accounts.scopes import site_scope
from core.extensions import db
from programme.models import Participation, Programme
from programme.spread import lineage
from programme.spread.years import FinalReview, SiteHistory, SpreadYear, spread_by_year
from sites.models import Designation, Mentoring, Organisation, Site
from training.centres.rules import Award
from training.models import FidelityReview, ReviewStatus

# The network over the years ----------------------------------------------------------------


def network_spread(today: date) -> list[SpreadYear]:
    """The whole network's figures for each year from the first launch to today's year, oldest
    first: two queries (sites with their awards; final reviews)."""
    awards: dict[int, list[Award]] = defaultdict(list)
    dates: dict[int, tuple[date, date | None]] = {}
    rows = db.session.execute(
        sa.select(
            Site.id, Site.launched_on, Site.closed_on, Designation.awarded_on, Designation.ended_on
        )
        .outerjoin(Designation, Designation.site_id == Site.id)
        .where(Site.launched_on.is_not(None))
    )
    for site_id, launched_on, closed_on, awarded_on, ended_on in rows:
        dates[site_id] = (launched_on, closed_on)
        if awarded_on is not None:
            awards[site_id].append(Award(awarded_on, ended_on))
    reviews: dict[int, list[FinalReview]] = defaultdict(list)
    for site_id, reviewed_on, review_id, total in db.session.execute(
        sa.select(
            FidelityReview.site_id,
            FidelityReview.reviewed_on,
            FidelityReview.id,
            FidelityReview.total,
        ).where(FidelityReview.status == ReviewStatus.FINAL, FidelityReview.total.is_not(None))
    ):
        reviews[site_id].append(FinalReview(reviewed_on, review_id, total))
    sites = [
        SiteHistory(launched_on, closed_on, tuple(awards[site_id]), tuple(reviews[site_id]))
        for site_id, (launched_on, closed_on) in dates.items()
    ]
    return spread_by_year(sites, today)


def first_launch_year(today: date) -> int:
    """The year the first site launched (this year when none has): one query."""
    first = db.session.scalar(sa.select(sa.func.min(Site.launched_on)))
    return first.year if first is not None and first <= today else today.year


# Who seeded whom ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteLabel:
    site_id: int
    name: str
    organisation: str
    region: str
    readable: bool  # the reader may open its page


@dataclass
class CentreRoot:
    site_id: int
    awards: list[Award]  # oldest first
    mentees: list[lineage.Node]

    def centre_on(self, day: date) -> bool:
        return any(award.holds_on(day) for award in self.awards)


@dataclass
class ProgrammeSite:
    """A site taking part in a programme its lead organisation runs, and whom it mentored."""

    site_id: int
    role: str  # programme.models.PARTICIPATION_ROLES
    joined_on: date
    left_on: date | None
    mentees: list[lineage.Node]


@dataclass
class LedProgramme:
    programme_id: int
    name: str
    starts_on: date
    sites: list[ProgrammeSite] = field(default_factory=list)


@dataclass
class LeadRoot:
    organisation_id: int
    name: str
    programmes: list[LedProgramme] = field(default_factory=list)


@dataclass
class Lineage:
    leads: list[LeadRoot]
    centres: list[CentreRoot]
    sites: dict[int, SiteLabel]
    programmes: dict[int, str]  # the programmes the reader may read, by id: named in spans

    @property
    def empty(self) -> bool:
        return not self.leads and not self.centres


@dataclass(frozen=True)
class LineageFilters:
    programme_id: int | None = None
    region: str | None = None

    @property
    def any(self) -> bool:
        return self.programme_id is not None or self.region is not None


def network_lineage(
    user: User, filters: LineageFilters, programme_names: dict[int, str]
) -> Lineage:
    """Each lead organisation (its programmes, their sites and whom those mentored in turn) and
    each Centre of Excellence, past or present (whom it mentored, and theirs in turn). Lead
    organisations show only the programmes `user` may read (`programme_names`, its filter's
    choices). Six queries at most, whatever the number of sites."""
    sites = _site_labels(user)
    awards: dict[int, list[Award]] = defaultdict(list)
    for site_id, awarded_on, ended_on in db.session.execute(
        sa.select(Designation.site_id, Designation.awarded_on, Designation.ended_on).order_by(
            Designation.awarded_on, Designation.id
        )
    ):
        awards[site_id].append(Award(awarded_on, ended_on))
    links = sa.select(
        Mentoring.mentor_site_id,
        Mentoring.mentee_site_id,
        Mentoring.starts_on,
        Mentoring.ends_on,
        Mentoring.programme_id,
    )
    if filters.programme_id is not None:
        links = links.where(Mentoring.programme_id == filters.programme_id)
    mentees = lineage.mentees_by_mentor(lineage.Link(*row) for row in db.session.execute(links))

    def in_region(site_id: int) -> bool:
        label = sites.get(site_id)
        return filters.region is None or (label is not None and label.region == filters.region)

    def kept(nodes: list[lineage.Node]) -> list[lineage.Node]:
        return lineage.pruned(nodes, in_region) if filters.region is not None else nodes

    centres = []
    for site_id, site_awards in awards.items():
        root = CentreRoot(site_id, site_awards, kept(lineage.mentee_tree(site_id, mentees)))
        if not filters.any or root.mentees or (filters.programme_id is None and in_region(site_id)):
            centres.append(root)
    centres.sort(key=lambda root: (root.awards[0].awarded_on, sites[root.site_id].name))
    leads = _lead_roots(set(programme_names), filters, mentees, in_region, kept)
    return Lineage(leads, centres, sites, dict(programme_names))


def _site_labels(user: User) -> dict[int, SiteLabel]:
    """Every site's name, organisation and region, and whether `user` may open its page: one
    query, and one more for the user's scope when it is not everything."""
    scope = site_scope(user)
    readable: Collection[int] | None = None
    if scope is not None:
        readable = set(db.session.scalars(scope))
    rows = db.session.execute(
        sa.select(Site.id, Site.name, Organisation.name, Site.region).join(
            Organisation, Organisation.id == Site.organisation_id
        )
    )
    return {
        site_id: SiteLabel(
            site_id, name, organisation, region, readable is None or site_id in readable
        )
        for site_id, name, organisation, region in rows
    }


def _lead_roots(
    readable_programmes: set[int],
    filters: LineageFilters,
    mentees: lineage.Mentees,
    in_region: Callable[[int], bool],
    kept: Callable[[list[lineage.Node]], list[lineage.Node]],
) -> list[LeadRoot]:
    """The lead organisations of the readable programmes: two queries."""
    programmes = (
        sa.select(
            Programme.id,
            Programme.name,
            Programme.starts_on,
            Organisation.id.label("organisation_id"),
            Organisation.name.label("organisation"),
        )
        .join(Organisation, Organisation.id == Programme.lead_organisation_id)
        .where(Programme.id.in_(readable_programmes))
        .order_by(Organisation.name, Programme.starts_on, Programme.name)
    )
    if filters.programme_id is not None:
        programmes = programmes.where(Programme.id == filters.programme_id)
    roots: dict[int, LeadRoot] = {}
    led: dict[int, LedProgramme] = {}
    for row in db.session.execute(programmes):
        root = roots.setdefault(
            row.organisation_id, LeadRoot(row.organisation_id, row.organisation)
        )
        led[row.id] = LedProgramme(row.id, row.name, row.starts_on)
        root.programmes.append(led[row.id])
    if led:
        taking_part = db.session.execute(
            sa.select(
                Participation.programme_id,
                Participation.site_id,
                Participation.role,
                Participation.joined_on,
                Participation.left_on,
            )
            .where(Participation.programme_id.in_(list(led)))
            .order_by(Participation.joined_on, Participation.site_id)
        )
        for programme_id, site_id, role, joined_on, left_on in taking_part:
            children = kept(lineage.mentee_tree(site_id, mentees))
            if filters.region is None or in_region(site_id) or children:
                led[programme_id].sites.append(
                    ProgrammeSite(site_id, role, joined_on, left_on, children)
                )
    for root in roots.values():
        if filters.region is not None:
            root.programmes = [programme for programme in root.programmes if programme.sites]
    return [root for root in roots.values() if root.programmes]
