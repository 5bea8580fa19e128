"""The demo's entry points: `load()`, and the logins and trainers that callers check it by."""

from __future__ import annotations

from datetime import date

from accounts.models import User
from core.extensions import db
from portal.demo.approvals import approval_history, set_approval_states
from portal.demo.fidelity import fidelity_reviews
from portal.demo.mentoring import (
    centre_reviewer,
    centre_reviewer_site,
    mentorings,
    programme_leadership,
    scheduled_reviews,
    trainers_at_work,
)
from portal.demo.network import build_network
from portal.demo.returns import monthly_returns
from portal.demo.visits import (
    FORMER_TRAINER,
    TRAINER_SITES,
    assignments,
    former_trainer,
    visits_and_actions,
)
from sites.models import ReturnQuery, ReturnStatus, UserSite

__all__ = ["FORMER_TRAINER", "LOGINS", "TRAINER_SITES", "load"]

DOMAIN = "demo.ips.example"

LOGINS: list[tuple[str, str, str]] = [
    ("admin", f"admin@{DOMAIN}", "demo-admin-ips-2026"),
    ("trainer", f"trainer@{DOMAIN}", "demo-trainer-ips-2026"),
    ("site_lead", f"site.lead@{DOMAIN}", "demo-site-lead-ips-2026"),
    ("funder", f"funder@{DOMAIN}", "demo-funder-ips-2026"),
]

# Demo users are named by their role, never as people.
USER_NAMES = {
    "admin": "Programme staff (demo)",
    "trainer": "Regional trainer, North and Midlands (demo)",
    "site_lead": "Site lead, Bradford IPS service (demo)",
    "funder": "Funder contact, Department of Health (demo)",
}


def load(today: date | None = None) -> dict[str, int]:
    """Add the demo network to the session and flush (the caller commits). Returns counts.

    Every random draw is seeded, so a load on the same day always gives the same network.
    """
    today = today or date.today()

    network = build_network()
    sites = network.sites
    db.session.add_all(network.records())
    db.session.flush()
    partners = programme_leadership(network)
    mentored = mentorings(network)
    db.session.add_all([*partners, *mentored])
    db.session.flush()

    former = former_trainer()  # first: the LOGINS users come after it
    db.session.add(former)
    db.session.flush()
    users = {}
    for role, email, password in LOGINS:
        user = User(email=email, name=USER_NAMES[role], role=role)
        user.set_password(password)
        users[role] = user
    users["funder"].funder = network.funders["Department of Health"]
    users["admin"].organisation_id = network.organisations["charity"].id
    users["site_lead"].organisation_id = network.organisations["bdct"].id
    reviewer = centre_reviewer(network)
    db.session.add_all([*users.values(), reviewer])
    db.session.flush()
    db.session.add(UserSite(user_id=users["site_lead"].id, site_id=sites["bradford"].id))
    db.session.add(centre_reviewer_site(network, reviewer))
    regions = trainers_at_work(network, users["trainer"], former)
    db.session.add_all(regions)

    # Before the returns' first flush, so that their approval is part of the insert.
    returns = monthly_returns(sites, today)
    recent = set_approval_states(returns, sites["bradford"], users["admin"], today)
    db.session.add_all(returns)
    db.session.flush()
    history = approval_history(returns, recent, users)
    db.session.add_all(history)
    db.session.flush()

    reviews = fidelity_reviews(sites, today)
    db.session.add_all(reviews)
    db.session.flush()
    booked = scheduled_reviews(sites, reviews, users["trainer"], reviewer, today)
    db.session.add_all(booked)
    db.session.flush()

    trainers_sites = assignments(sites, users["trainer"], former, today)
    db.session.add_all(trainers_sites)
    db.session.flush()

    visits, actions = visits_and_actions(sites, users["trainer"], former, today)
    db.session.add_all([*visits, *actions])
    db.session.flush()

    return {
        "organisations": len(network.organisations),
        "sites": len(sites),
        "designations": len(network.designations),
        "funders": len(network.funders),
        "programmes": len(network.programmes),
        "participations": len(network.participations),
        "programme partners": len(partners),
        "mentorings": len(mentored),
        "monthly returns": len(returns),
        "approved returns": sum(r.status == ReturnStatus.APPROVED for r in returns),
        "return queries": sum(isinstance(r, ReturnQuery) for r in history),
        "fidelity reviews": len(reviews),
        "users": len(users) + 2,  # and the former trainer and the Centre's reviewer
        "trainer regions": len(regions),
        "scheduled reviews": len(booked),
        "assignments": len(trainers_sites),
        "visits": len(visits),
        "actions": len(actions),
    }
