"""The network's shape in the demo: who leads each programme and who partners it, who mentored
whom, where the regional trainers work and which regions they cover, and the fidelity reviews
programme staff have scheduled. Places and organisations only, as the public record tells it:

- the charity leads the Sussex pilot, Making IPS Work and the Centres network; Enable leads
  Improve (with the charity as partner) and Improve 2;
- the Centre of Excellence in Sussex hosted the first regional trainer (2012) and mentored the
  pilot's four teams; Enable mentored the Improve teams and mentors Improve 2's, where Walsall,
  an Improve team, now mentors Stoke in turn; Bradford, a Centre since 2016, hosts today's
  regional trainer and mentored CNTW when it began;
- Dudley's review of March 2026 has its report but no action plan yet (overdue), and Coventry,
  whose caseloads have drifted, has a review booked with two reviewers.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from accounts.models import User
from portal.demo.network import PROGRAMMES, Network
from programme.models import ProgrammePartner
from sites.models import Mentoring, Site, UserSite
from training.models import FidelityReview, ScheduledReview, TrainerRegion

D = date
SUSSEX_PILOT = "Sussex regional trainer pilot"
IMPROVE, IMPROVE_2 = "Improve", "Improve 2"
CENTRES_NETWORK = "IPS Centres of Excellence network"
IMPROVE_TEAMS = ("coventry", "warwickshire", "solihull", "birmingham-north", "walsall",
                 "wolverhampton")  # fmt: skip

# Mentor, mentee, from, to (None: still), the programme it happened within, staff's note.
# fmt: off
MENTORING: tuple[tuple[str, str, date, date | None, str | None, str | None], ...] = (
    *(("sussex-centre", key, D(2012, 1, 1), D(2012, 12, 31), SUSSEX_PILOT,
        "Joint supervision with the regional trainer and shadowing at the Centre.")
       for key in ("brighton", "worthing", "hastings", "crawley")),
    *(("enable", key, D(2017, 4, 1), D(2019, 3, 31), IMPROVE, None) for key in IMPROVE_TEAMS),
    ("bradford", "cntw", D(2019, 11, 1), D(2021, 10, 31), CENTRES_NETWORK,
     "Monthly calls between team leaders and two visits to Bradford."),
    *(("enable", key, D(2024, 4, 1), None, IMPROVE_2, None)
      for key in ("coventry", "walsall", "solihull")),
    ("enable", "dudley", D(2024, 10, 1), None, IMPROVE_2, None),
    ("walsall", "stoke", D(2024, 10, 1), None, IMPROVE_2,
     "Walsall's team leader mentors Stoke's new team, with Enable's support."),
)
# fmt: on
# Where each demo trainer works (an organisation key) and the regions they cover.
TRAINER_HOSTS = {
    "trainer": ("bdct", ("north-east-and-yorkshire", "midlands")),
    "former": ("spft", ("south-east", "south-west")),
}
# A member of a Centre's staff in the reviewer pool: no login (a random password).
CENTRE_REVIEWER = (
    "worcestershire.lead@demo.ips.example",
    "Site lead, Worcestershire IPS (demo)",
    "hwhct",
    "worcestershire",
)
BOOKED_IN_DAYS = 16  # Coventry's review, from the day of the load


def programme_leadership(network: Network) -> list[ProgrammePartner]:
    """Sets each programme's lead organisation (the records must have ids: flush first) and
    returns its partners."""
    organisations = network.organisations
    by_name = {programme.name: programme for programme in network.programmes}
    partners = []
    for spec in PROGRAMMES:
        programme = by_name[spec.name]
        if spec.lead:
            programme.lead_organisation_id = organisations[spec.lead].id
        partners += [
            ProgrammePartner(programme_id=programme.id, organisation_id=organisations[key].id)
            for key in spec.partners
        ]
    return partners


def mentorings(network: Network) -> list[Mentoring]:
    sites = network.sites
    programme_ids = {programme.name: programme.id for programme in network.programmes}
    return [
        Mentoring(
            mentor_site_id=sites[mentor].id,
            mentee_site_id=sites[mentee].id,
            starts_on=starts_on,
            ends_on=ends_on,
            programme_id=programme_ids[programme] if programme else None,
            note=note,
        )
        for mentor, mentee, starts_on, ends_on, programme, note in MENTORING
    ]


def trainers_at_work(network: Network, trainer: User, former: User) -> list[TrainerRegion]:
    """Sets where the two trainers work and returns the regions they cover."""
    regions = []
    for user, (organisation, covered) in zip(
        (trainer, former), TRAINER_HOSTS.values(), strict=True
    ):
        user.organisation_id = network.organisations[organisation].id
        regions += [TrainerRegion(user_id=user.id, region=region) for region in covered]
    return regions


def centre_reviewer(network: Network) -> User:
    email, name, organisation, _ = CENTRE_REVIEWER
    user = User(
        email=email,
        name=name,
        role="site_lead",
        organisation_id=network.organisations[organisation].id,
    )
    user.set_password(secrets.token_urlsafe(24))
    return user


def centre_reviewer_site(network: Network, reviewer: User) -> UserSite:
    """The reviewer leads their own Centre's service (the user must have an id)."""
    return UserSite(user_id=reviewer.id, site_id=network.sites[CENTRE_REVIEWER[3]].id)


def scheduled_reviews(
    sites: dict[str, Site],
    reviews: list[FidelityReview],
    trainer: User,
    reviewer: User,
    today: date,
) -> list[ScheduledReview]:
    """Dudley's March 2026 review, its report sent and its action plan not yet agreed; and
    Coventry's, booked for a little over two weeks ahead. Reviews dated after `today` are
    left out (a load on an earlier day)."""
    dudley_review = next(
        review
        for review in reviews
        if review.site is sites["dudley"] and review.reviewed_on == D(2026, 3, 11)
    )
    booked = [
        ScheduledReview(
            site_id=sites["coventry"].id,
            planned_on=today + timedelta(days=BOOKED_IN_DAYS),
            kind="external_review",
            lead_reviewer_id=reviewer.id,
            second_reviewer_id=trainer.id,
        )
    ]
    if dudley_review.reviewed_on <= today:
        booked.insert(
            0,
            ScheduledReview(
                site_id=sites["dudley"].id,
                planned_on=dudley_review.reviewed_on,
                kind=dudley_review.kind,
                lead_reviewer_id=trainer.id,
                second_reviewer_id=reviewer.id,
                report_sent_on=D(2026, 4, 2),
                review_id=dudley_review.id,
            ),
        )
    return booked
