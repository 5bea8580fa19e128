"""The demo's trainers, their assignments, their visits to sites and the actions agreed at them.

The demo trainer visits each of TRAINER_SITES every five to eight weeks from TRAINER_FROM; a
second, former trainer (no login) covered the Sussex pilot in 2012, two Making IPS Work sites
and, until a few months ago, two south-east sites: all of those assignments have ended. Actions
are due three to eight weeks after the visit; those due more than two months ago were done or
dropped, some due since are still open (overdue), and the rest are open and upcoming.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta

from accounts.models import User
from portal.demo.network import SEED
from sites.models import Site
from training.models import Action, Assignment, Visit

D = date
TRAINER_SITES = ("bradford", "enable", "coventry", "walsall", "solihull", "dudley")
TRAINER_FROM = D(2023, 4, 1)
FORMER_TRAINER = ("trainer.south@demo.ips.example", "Regional trainer, South (demo)")
# Site key, first day, last day (days before the load when an int).
FORMER_ASSIGNMENTS: tuple[tuple[str, date, date | int], ...] = (
    ("brighton", D(2012, 1, 1), D(2012, 12, 31)),
    ("worthing", D(2012, 1, 1), D(2012, 12, 31)),
    ("hastings", D(2012, 1, 1), D(2012, 12, 31)),
    ("crawley", D(2012, 1, 1), D(2012, 12, 31)),
    ("berkshire", D(2015, 4, 1), D(2018, 3, 31)),
    ("devon", D(2016, 4, 1), D(2018, 3, 31)),
    ("brighton", D(2023, 4, 1), 120),
    ("berkshire", D(2023, 4, 1), 120),
)
PURPOSE_WEIGHTS = {
    "training": 30,
    "supervision": 25,
    "steering_group": 10,
    "employer_engagement": 20,
    "fidelity_review": 5,
    "other": 10,
}
VISIT_SUMMARIES = {
    "training": "Training session for the employment specialists on {topic}.",
    "supervision": "Group supervision with the team leader: reviewed the caseload and {topic}.",
    "steering_group": "Attended the steering group with the service's managers; discussed {topic}.",
    "employer_engagement": "Joined the team on employer visits and planned work on {topic}.",
    "fidelity_review": "Prepared the team for its next fidelity review, looking at {topic}.",
    "other": "Met the service lead to plan the next quarter, including {topic}.",
}
TOPICS = (
    "rapid job search",
    "benefits advice for people starting work",
    "job development with local employers",
    "in-work support",
    "integration with the community mental health teams",
    "zero exclusion and referral routes",
    "the diversity of jobs and employers",
)
AGREED = (
    ("Book a benefits adviser for a monthly clinic", "Team leader"),
    ("Each specialist to make six employer contacts a week", "Employment specialists"),
    ("Add the employment specialist to the weekly clinical meeting", "Community team manager"),
    ("Review the referral criteria with the clinical teams", "Service manager"),
    ("Set up a shared log of employer contacts", "Team leader"),
    ("Plan in-work support reviews at 4 and 13 weeks", "Employment specialists"),
    ("Present the service's outcomes to the trust board", "Service manager"),
    ("Agree a protocol for disclosure conversations", "Team leader"),
)


def former_trainer() -> User:
    email, name = FORMER_TRAINER
    user = User(email=email, name=name, role="trainer", active=False)
    user.set_password(secrets.token_urlsafe(24))  # nobody logs in: the trainer has left
    return user


def _visit_dates(first: date, last: date, rng: random.Random) -> list[date]:
    """Weekdays every five to eight weeks from a week or two after `first` to `last`."""
    dates = []
    day = first + timedelta(days=rng.randint(7, 14))
    while day <= last:
        weekday = day - timedelta(days=max(day.weekday() - 4, 0))  # a Saturday or Sunday: Friday
        dates.append(weekday)
        day += timedelta(days=rng.randint(35, 56))
    return dates


def _actions_of(
    visit: Visit, rng: random.Random, today: date, *, may_stay_open: bool
) -> list[Action]:
    actions = []
    for description, owner in rng.sample(AGREED, rng.choices((0, 1, 2), (3, 5, 2))[0]):
        due_on = visit.visited_on + timedelta(weeks=rng.randint(3, 8))
        status, closed_on = "open", None
        if due_on < today:
            recent = due_on >= today - timedelta(days=60)
            draw = rng.random()
            if may_stay_open and recent and draw < 0.5:
                status = "open"  # overdue
            elif draw < 0.88:
                status = "done"
                closed_on = min(due_on - timedelta(days=rng.randint(0, 14)), today)
                closed_on = max(closed_on, visit.visited_on)
            else:
                status = "dropped"
                closed_on = min(due_on + timedelta(days=rng.randint(0, 21)), today)
        actions.append(
            Action(
                site=visit.site,
                visit=visit,
                description=description,
                owner=owner,
                due_on=due_on,
                status=status,
                closed_on=closed_on,
            )
        )
    return actions


def _visits(
    sites: dict[str, Site],
    trainer: User,
    assignments: list[tuple[str, date, date | None]],
    today: date,
    *,
    current: bool,
) -> tuple[list[Visit], list[Action]]:
    visits: list[Visit] = []
    actions: list[Action] = []
    purposes, weights = list(PURPOSE_WEIGHTS), list(PURPOSE_WEIGHTS.values())
    for key, first, last in assignments:
        rng = random.Random(f"{SEED}:visits:{trainer.email}:{key}:{first}")
        until = min(last or today, today - timedelta(days=1))
        for visited_on in _visit_dates(first, until, rng):
            purpose = rng.choices(purposes, weights)[0]
            visit = Visit(
                site=sites[key],
                trainer=trainer,
                visited_on=visited_on,
                purpose=purpose,
                summary=VISIT_SUMMARIES[purpose].format(topic=rng.choice(TOPICS)),
            )
            visits.append(visit)
            actions += _actions_of(visit, rng, today, may_stay_open=current)
    return visits, actions


def former_assignments(today: date) -> list[tuple[str, date, date]]:
    """FORMER_ASSIGNMENTS, their last days all dates."""
    return [
        (key, first, today - timedelta(days=last) if isinstance(last, int) else last)
        for key, first, last in FORMER_ASSIGNMENTS
    ]


def assignments(
    sites: dict[str, Site], trainer: User, former: User, today: date
) -> list[Assignment]:
    current = [
        Assignment(user=trainer, site=sites[key], starts_on=TRAINER_FROM) for key in TRAINER_SITES
    ]
    ended = [
        Assignment(user=former, site=sites[key], starts_on=first, ends_on=last)
        for key, first, last in former_assignments(today)
    ]
    return current + ended


def visits_and_actions(
    sites: dict[str, Site], trainer: User, former: User, today: date
) -> tuple[list[Visit], list[Action]]:
    """Both trainers' visits, and the actions agreed at them."""
    current = [(key, TRAINER_FROM, None) for key in TRAINER_SITES]
    visits, actions = _visits(sites, trainer, current, today, current=True)
    former_visits, former_actions = _visits(
        sites, former, former_assignments(today), today, current=False
    )
    return [*visits, *former_visits], [*actions, *former_actions]
