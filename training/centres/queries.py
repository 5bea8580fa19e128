"""Reads of the Centres of Excellence: each Centre now with its award history, re-review date,
the trainers its organisation hosts and the sites it mentors now; the sites eligible to be
invited; a trainer's host. A fixed number of queries, however many Centres and sites.

The rules (who holds an award, when it is due, eligibility) are training/centres/rules.py; the
Centre's months come from the review cadence settings (training.fidelity.queries.review_cadence).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from accounts.models import User
from core.extensions import db
from core.paging import Page, paged
from sites.models import REGIONS, Designation, Mentoring, Organisation, Site
from sites.queries import centre_of_excellence_on
from training.centres import rules
from training.fidelity import scoring
from training.fidelity.cadence import GOOD_OR_BETTER, Cadence
from training.fidelity.queries import latest_final_reviews, review_cadence
from training.models import TrainerRegion


@dataclass(frozen=True)
class Mentee:
    site_id: int
    name: str
    starts_on: date
    ends_on: date | None


@dataclass(frozen=True)
class HostedTrainer:
    user_id: int
    name: str
    regions: list[str]  # region slugs (sites.models.REGIONS), A to Z

    @property
    def region_labels(self) -> list[str]:
        return [REGIONS.get(region, region) for region in self.regions]


@dataclass(frozen=True)
class Centre:
    site_id: int
    name: str
    organisation_id: int
    organisation: str
    region: str
    awarded_on: date  # the award held now
    latest_review_on: date | None  # the latest final review, any date
    band: str | None
    next_review_due: date
    unrenewed: bool  # the re-review date passed with no final review since
    awards: list[rules.Award] = field(default_factory=list)  # the history, oldest first
    trainers: list[HostedTrainer] = field(default_factory=list)
    mentees: list[Mentee] = field(default_factory=list)


def centre_ids_on(today: date) -> sa.Select[Any]:
    """A select of the ids of the sites holding an award on `today`."""
    return (
        sa.select(Designation.site_id)
        .where(
            Designation.awarded_on <= today,
            sa.or_(Designation.ended_on.is_(None), Designation.ended_on > today),
        )
        .distinct()
    )


def _centre_rows(today: date) -> list[sa.Row[Any]]:
    """Each Centre now with its current award and latest final review, by name: one query."""
    held = (
        sa.select(Designation.site_id, sa.func.max(Designation.awarded_on).label("awarded_on"))
        .where(
            Designation.awarded_on <= today,
            sa.or_(Designation.ended_on.is_(None), Designation.ended_on > today),
        )
        .group_by(Designation.site_id)
        .subquery("held_awards")
    )
    latest = latest_final_reviews(sa.select(held.c.site_id))
    return list(
        db.session.execute(
            sa.select(
                Site.id,
                Site.name,
                Site.organisation_id,
                Organisation.name.label("organisation"),
                Site.region,
                held.c.awarded_on,
                latest.c.reviewed_on,
                latest.c.total,
            )
            .join(held, held.c.site_id == Site.id)
            .join(Organisation, Organisation.id == Site.organisation_id)
            .outerjoin(latest, latest.c.site_id == Site.id)
            .order_by(Site.name, Site.id)
        )
    )


def award_histories(site_ids: sa.Select[Any] | Iterable[int]) -> dict[int, list[rules.Award]]:
    """{site_id: its awards, oldest first}: one query."""
    ids = site_ids if isinstance(site_ids, sa.Select) else list(site_ids)
    histories: dict[int, list[rules.Award]] = {}
    for row in db.session.execute(
        sa.select(Designation.site_id, Designation.awarded_on, Designation.ended_on)
        .where(Designation.site_id.in_(ids))
        .order_by(Designation.site_id, Designation.awarded_on, Designation.id)
    ):
        histories.setdefault(row.site_id, []).append(rules.Award(row.awarded_on, row.ended_on))
    return histories


def hosted_trainers(
    organisation_ids: sa.Select[Any] | Iterable[int],
) -> dict[int, list[HostedTrainer]]:
    """{organisation_id: the active trainers it hosts, by name, each with their regions}: one
    query."""
    ids = organisation_ids if isinstance(organisation_ids, sa.Select) else list(organisation_ids)
    rows = db.session.execute(
        sa.select(User.id, User.name, User.organisation_id, TrainerRegion.region)
        .outerjoin(TrainerRegion, TrainerRegion.user_id == User.id)
        .where(User.role == "trainer", User.active, User.organisation_id.in_(ids))
        .order_by(User.name, User.id, TrainerRegion.region)
    )
    found: dict[int, dict[int, HostedTrainer]] = {}
    for row in rows:
        trainers = found.setdefault(row.organisation_id, {})
        trainer = trainers.setdefault(row.id, HostedTrainer(row.id, row.name, []))
        if row.region:
            trainer.regions.append(row.region)
    return {organisation: list(trainers.values()) for organisation, trainers in found.items()}


def current_mentees(
    mentor_ids: sa.Select[Any] | Iterable[int], today: date
) -> dict[int, list[Mentee]]:
    """{mentor site id: the sites it mentors on `today` (begun, not ended before today), by
    name}: one query."""
    ids = mentor_ids if isinstance(mentor_ids, sa.Select) else list(mentor_ids)
    mentee = aliased(Site)
    mentees: dict[int, list[Mentee]] = {}
    for row in db.session.execute(
        sa.select(
            Mentoring.mentor_site_id,
            mentee.id,
            mentee.name,
            Mentoring.starts_on,
            Mentoring.ends_on,
        )
        .join(mentee, mentee.id == Mentoring.mentee_site_id)
        .where(
            Mentoring.mentor_site_id.in_(ids),
            Mentoring.starts_on <= today,
            sa.or_(Mentoring.ends_on.is_(None), Mentoring.ends_on >= today),
        )
        .order_by(Mentoring.mentor_site_id, mentee.name, mentee.id, Mentoring.starts_on)
    ):
        mentees.setdefault(row.mentor_site_id, []).append(
            Mentee(row.id, row.name, row.starts_on, row.ends_on)
        )
    return mentees


def centres_now(today: date, cadence: Cadence | None = None) -> list[Centre]:
    """Each Centre of Excellence on `today`, by name, with its award history, next re-review
    and whether it passed unrenewed, the trainers its organisation hosts and the sites it
    mentors now: four queries, however many Centres."""
    cadence = cadence or review_cadence()
    rows = _centre_rows(today)
    if not rows:
        return []
    ids = centre_ids_on(today)
    awards = award_histories(ids)
    trainers = hosted_trainers(sa.select(Site.organisation_id).where(Site.id.in_(ids)))
    mentees = current_mentees(ids, today)
    return [
        _centre(
            row,
            cadence,
            today,
            awards=awards.get(row.id, []),
            trainers=trainers.get(row.organisation_id, []),
            mentees=mentees.get(row.id, []),
        )
        for row in rows
    ]


def _centre(row: Any, cadence: Any, today: date, **details: Any) -> Centre:
    """A Centre from its row of _centre_rows, with its re-review due date and whether it has
    passed unrenewed; `details` are its awards, trainers and mentees when the page shows them."""
    due = rules.re_review_due(
        awarded_on=row.awarded_on, latest_review_on=row.reviewed_on, cadence=cadence
    )
    return Centre(
        site_id=row.id,
        name=row.name,
        organisation_id=row.organisation_id,
        organisation=row.organisation,
        region=row.region,
        awarded_on=row.awarded_on,
        latest_review_on=row.reviewed_on,
        band=scoring.band_of_total(row.total),
        next_review_due=due,
        unrenewed=rules.passed_unrenewed(due=due, latest_review_on=row.reviewed_on, today=today),
        **details,
    )


def centres_passed_unrenewed(today: date) -> list[Centre]:
    """The Centres whose re-review date has passed with no final review since, the longest
    overdue first: one query (no histories, trainers or mentees)."""
    cadence = review_cadence()
    centres = (_centre(row, cadence, today) for row in _centre_rows(today))
    overdue = [centre for centre in centres if centre.unrenewed]
    return sorted(overdue, key=lambda centre: (centre.next_review_due, centre.name))


def eligible_sites_select(today: date) -> sa.Select[Any]:
    """The sites open today whose latest final review is Good or Exemplary and that are not
    Centres today, best total first: site_id, name, organisation, region, reviewed_on, total.
    (rules.eligible_to_be_centre in SQL: the bands' totals are contiguous.)"""
    low = min(scoring.band_range(band)[0] for band in GOOD_OR_BETTER)
    high = max(scoring.band_range(band)[1] for band in GOOD_OR_BETTER)
    latest = latest_final_reviews()
    return (
        sa.select(
            Site.id.label("site_id"),
            Site.name,
            Organisation.name.label("organisation"),
            Site.region,
            latest.c.reviewed_on,
            latest.c.total,
        )
        .join(latest, latest.c.site_id == Site.id)
        .join(Organisation, Organisation.id == Site.organisation_id)
        .where(
            latest.c.total.between(low, high),
            ~centre_of_excellence_on(today),
            sa.or_(Site.closed_on.is_(None), Site.closed_on > today),
        )
        .order_by(latest.c.total.desc(), Site.name, Site.id)
    )


def eligible_sites(today: date, page: int = 1, per_page: int = 50) -> Page[Any]:
    """One page of eligible_sites_select: two queries."""
    return paged(eligible_sites_select(today), page, per_page)


@dataclass(frozen=True)
class TrainerHost:
    user_id: int
    name: str
    host: str | None  # the organisation hosting the trainer
    regions: list[str]

    @property
    def region_labels(self) -> list[str]:
        return [REGIONS.get(region, region) for region in self.regions]


def trainers_and_hosts() -> list[TrainerHost]:
    """Every active trainer, by name, with their host and the regions they cover: two
    queries."""
    rows = db.session.execute(
        sa.select(User.id, User.name, User.organisation_id, Organisation.name.label("host"))
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(User.role == "trainer", User.active)
        .order_by(User.name, User.id)
    ).all()
    regions: dict[int, list[str]] = {}
    for user_id, region in db.session.execute(
        sa.select(TrainerRegion.user_id, TrainerRegion.region)
        .join(User, User.id == TrainerRegion.user_id)
        .where(User.role == "trainer", User.active)
        .order_by(TrainerRegion.region)
    ):
        regions.setdefault(user_id, []).append(region)
    return [TrainerHost(row.id, row.name, row.host, regions.get(row.id, [])) for row in rows]
