"""A small network of Centres of Excellence around today's date, for the pages and the API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.months import add_months
from sites.models import Mentoring
from training.models import TrainerRegion


def add_mentoring(db, mentor, mentee, starts_on, ends_on=None, note=None) -> Mentoring:
    record = Mentoring(
        mentor_site_id=mentor.id,
        mentee_site_id=mentee.id,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
    )
    db.session.add(record)
    db.session.commit()
    return record


def add_regions(db, user, *regions) -> None:
    db.session.add_all(TrainerRegion(user_id=user.id, region=region) for region in regions)
    db.session.commit()


@pytest.fixture
def centres(make, db):
    """Sussex: a Centre since 2012, reviewed a year ago (due in two years), hosting a trainer
    who covers two regions, mentoring Hastings now (and Brighton no longer, Crawley not yet).
    Bradford: a Centre since 2016, last reviewed in 2017: its re-review passed unrenewed.
    Lapsed: its award ended; Exemplary, so eligible. Worcester (118) and Edge Good (100) are
    eligible; Edge Fair (99), a closed Good site and the Centres are not."""
    today = date.today()
    sussex_trust = make.organisation(name="Sussex Partnership NHS FT", region="south-east")
    sussex = make.site(organisation=sussex_trust, name="Sussex IPS", region="south-east")
    make.designation(sussex, awarded_on=date(2012, 6, 1))
    make.fidelity_review(sussex, 120, add_months(today, -12))
    bradford = make.site(name="Bradford IPS", region="north-east-and-yorkshire")
    make.designation(bradford, awarded_on=date(2016, 5, 1))
    make.fidelity_review(bradford, 116, date(2017, 3, 1))
    lapsed = make.site(name="Lapsed IPS")
    make.designation(lapsed, awarded_on=date(2010, 1, 1), ended_on=date(2014, 1, 1))
    make.fidelity_review(lapsed, 115, date(2020, 1, 1))
    worcester = make.site(name="Worcester IPS", region="midlands")
    make.fidelity_review(worcester, 118, date(2023, 5, 1))
    good = make.site(name="Edge Good IPS")
    make.fidelity_review(good, 100, date(2023, 5, 1))
    fair = make.site(name="Edge Fair IPS")
    make.fidelity_review(fair, 120, date(2020, 5, 1))
    make.fidelity_review(fair, 99, date(2023, 5, 1))  # the latest counts
    closed = make.site(name="Closed IPS", closed_on=today - timedelta(days=1))
    make.fidelity_review(closed, 110, date(2023, 5, 1))
    hastings = make.site(name="Hastings IPS", region="south-east")
    brighton = make.site(name="Brighton IPS", region="south-east")
    crawley = make.site(name="Crawley IPS", region="south-east")
    add_mentoring(db, sussex, hastings, date(2013, 1, 1), note="Staff only: weekly calls")
    add_mentoring(db, sussex, brighton, date(2012, 9, 1), today - timedelta(days=1))
    add_mentoring(db, sussex, crawley, today + timedelta(days=30))
    tess = make.user("trainer", name="Tess Trainer", organisation_id=sussex_trust.id)
    add_regions(db, tess, "south-east", "london")
    make.user("trainer", name="Ivy Inactive", organisation_id=sussex_trust.id, active=False)
    make.user("admin", name="Adam Admin", organisation_id=sussex_trust.id)
    return {
        "today": today,
        "sussex": sussex,
        "sussex_trust": sussex_trust,
        "bradford": bradford,
        "lapsed": lapsed,
        "worcester": worcester,
        "good": good,
        "fair": fair,
        "closed": closed,
        "hastings": hastings,
        "brighton": brighton,
        "crawley": crawley,
        "tess": tess,
    }
