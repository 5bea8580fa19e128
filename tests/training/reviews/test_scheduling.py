"""Scheduling a fidelity review (programme staff): the reviewer pool, the refusals (a conflict
of interest at the reviewer's field, the same person twice, a date gone), the steps of a
scheduled review, cancelling, the audit, and the site page's "Next review"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.extensions import db as _db
from sites.models import Mentoring
from tests.dates import boxes, posted
from training.models import ScheduledReview

TODAY = date.today()


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
def network(make):
    """A Centre (its organisation's staff member reviews), a site it mentors now, another site,
    and a trainer hosted by no organisation."""
    centre = make.site(name="Sussex Centre")
    make.designation(centre, awarded_on=date(2012, 1, 1))
    mentee = make.site(name="Brighton IPS")
    other = make.site(name="Leeds IPS")
    _db.session.add(
        Mentoring(mentor_site_id=centre.id, mentee_site_id=mentee.id, starts_on=days(-100))
    )
    _db.session.commit()
    centre_staff = make.user(
        "site_lead", name="Casey Centre", organisation_id=centre.organisation_id
    )
    trainer = make.user("trainer", name="Terry Trainer")
    other_trainer = make.user("trainer", name="Tina Trainer")
    outsider = make.user("site_lead", name="Olly Outsider", organisation_id=other.organisation_id)
    return {
        "centre": centre,
        "mentee": mentee,
        "other": other,
        "centre_staff": centre_staff,
        "trainer": trainer,
        "other_trainer": other_trainer,
        "outsider": outsider,
    }


def schedule(client, site, **fields):
    data = {"planned_on": days(30), "kind": "external_review"} | fields
    return client.post(f"/sites/{site.id}/reviews/schedule", data=posted(data))


def test_the_form_offers_the_reviewer_pool(client, login_as, network):
    login_as("admin")
    page = client.get(f"/sites/{network['mentee'].id}/reviews/schedule").get_data(as_text=True)
    assert "Schedule a fidelity review" in page
    assert "Terry Trainer" in page and "Casey Centre" in page  # a trainer, a Centre's staff
    assert "Olly Outsider" not in page  # works where there is no Centre


def test_a_review_is_scheduled_with_two_reviewers_and_audited(client, login_as, network):
    login_as("admin")
    answer = schedule(
        client,
        network["mentee"],
        lead_reviewer_id=network["trainer"].id,
        second_reviewer_id=network["other_trainer"].id,
    )
    assert answer.status_code == 302
    scheduled = _db.session.scalars(sa.select(ScheduledReview)).one()
    assert (scheduled.site_id, scheduled.planned_on) == (network["mentee"].id, days(30))
    assert scheduled.lead_reviewer_id == network["trainer"].id
    assert _db.session.scalar(
        sa.select(sa.func.count()).where(
            AuditEvent.table_name == "scheduled_review", AuditEvent.action == "create"
        )
    )
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    long = f"{days(30).day} {days(30):%B %Y}"
    assert f"Next review: scheduled for {long}, led by Terry Trainer with Tina Trainer" in page


def test_a_reviewer_whose_organisation_mentors_the_site_is_refused_at_the_field(
    client, login_as, network
):
    login_as("admin")
    answer = schedule(
        client,
        network["mentee"],
        lead_reviewer_id=network["trainer"].id,
        second_reviewer_id=network["centre_staff"].id,
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Casey Centre works at" in page and "mentors this site on the review date" in page
    assert 'id="second_reviewer_id-error"' in page or "second_reviewer_id-error" in page
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(ScheduledReview)) == 0


def test_a_reviewer_of_the_sites_own_organisation_is_refused(client, login_as, network):
    login_as("admin")
    answer = schedule(
        client,
        network["centre"],
        lead_reviewer_id=network["centre_staff"].id,
        second_reviewer_id=network["trainer"].id,
    )
    assert answer.status_code == 422
    assert "a reviewer may not review a site of their own organisation" in answer.get_data(
        as_text=True
    )


def test_the_same_mentor_may_review_once_the_mentoring_has_ended(client, login_as, network):
    mentoring = _db.session.scalars(sa.select(Mentoring)).one()
    mentoring.ends_on = days(10)
    _db.session.commit()
    login_as("admin")
    answer = schedule(
        client,
        network["mentee"],
        lead_reviewer_id=network["centre_staff"].id,
        second_reviewer_id=network["trainer"].id,
    )
    assert answer.status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"lead_reviewer_id": "", "second_reviewer_id": ""}, "Choose the lead reviewer"),
        ({"planned_on": ""}, "Enter the date of the review"),
        ({"planned_on": days(-1)}, "The date of the review must be today or later"),
        ({"kind": "casual_chat"}, "Choose the kind of review"),
        ({"lead_reviewer_id": "999999"}, "Choose a reviewer from the pool"),
        ({"second_reviewer_id": "same"}, "someone other than the lead reviewer"),
    ],
)
def test_bad_choices_are_refused_with_a_message_and_nothing_saved(
    client, login_as, network, fields, message
):
    login_as("admin")
    data = {
        "lead_reviewer_id": network["trainer"].id,
        "second_reviewer_id": network["other_trainer"].id,
    } | fields
    if data["second_reviewer_id"] == "same":
        data["second_reviewer_id"] = network["trainer"].id
    answer = schedule(client, network["other"], **data)
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(ScheduledReview)) == 0


def test_an_inactive_trainer_is_not_in_the_pool(client, login_as, network):
    network["trainer"].active = False
    _db.session.commit()
    login_as("admin")
    answer = schedule(
        client,
        network["other"],
        lead_reviewer_id=network["trainer"].id,
        second_reviewer_id=network["other_trainer"].id,
    )
    assert "Choose a reviewer from the pool" in answer.get_data(as_text=True)


def add_scheduled(site, lead, second, planned_on, **fields):
    scheduled = ScheduledReview(
        site_id=site.id,
        planned_on=planned_on,
        kind="external_review",
        lead_reviewer_id=lead.id,
        second_reviewer_id=second.id,
        **fields,
    )
    _db.session.add(scheduled)
    _db.session.commit()
    return scheduled


def step(client, scheduled, name, **fields):
    """Post one of the scheduled review's forms; a date is typed in its three boxes."""
    data = {"step": name, f"{name}-version": scheduled.version}
    for key, value in fields.items():
        if isinstance(value, date):
            data |= boxes(key, str(value.day), str(value.month), str(value.year))
        else:
            data[key] = value
    return client.post(f"/scheduled-reviews/{scheduled.id}", data=data)


def test_the_steps_are_marked_and_the_review_linked(client, login_as, make, network):
    login_as("admin")
    site = network["other"]
    scheduled = add_scheduled(site, network["trainer"], network["other_trainer"], days(-50))
    page = client.get(f"/scheduled-reviews/{scheduled.id}").get_data(as_text=True)
    assert "overdue" in page
    assert step(client, scheduled, "report", **{"report-on": days(-10)}).status_code == 302
    _db.session.refresh(scheduled)
    assert scheduled.report_sent_on == days(-10)
    answer = step(client, scheduled, "action_plan", **{"action_plan-on": days(-60)})
    assert answer.status_code == 422
    assert "must not be before the review" in answer.get_data(as_text=True)
    assert step(client, scheduled, "action_plan", **{"action_plan-on": days(-5)}).status_code == 302
    _db.session.refresh(scheduled)
    review = make.fidelity_review(site, 101, days(-49))
    elsewhere = make.fidelity_review(network["mentee"], 90, days(-49))
    answer = step(client, scheduled, "review", **{"review-review_id": elsewhere.id})
    assert "Choose a fidelity review of this site" in answer.get_data(as_text=True)
    assert step(client, scheduled, "review", **{"review-review_id": review.id}).status_code == 302
    _db.session.refresh(scheduled)
    assert (scheduled.action_plan_agreed_on, scheduled.review_id) == (days(-5), review.id)
    events = _db.session.scalar(
        sa.select(sa.func.count()).where(
            AuditEvent.table_name == "scheduled_review", AuditEvent.action == "update"
        )
    )
    assert events == 3


def test_a_future_date_and_a_stale_version_are_refused(client, login_as, network):
    login_as("admin")
    scheduled = add_scheduled(
        network["other"], network["trainer"], network["other_trainer"], days(-30)
    )
    answer = step(client, scheduled, "report", **{"report-on": days(1)})
    assert "must not be in the future" in answer.get_data(as_text=True)
    answer = step(client, scheduled, "report", **{"report-on": days(-1), "report-version": 99})
    assert answer.status_code == 409
    _db.session.refresh(scheduled)
    assert scheduled.report_sent_on is None


def test_a_cancelled_review_leaves_the_site_page_and_takes_no_steps(client, login_as, network):
    login_as("admin")
    site = network["other"]
    scheduled = add_scheduled(site, network["trainer"], network["other_trainer"], days(20))
    assert "Next review: scheduled" in client.get(f"/sites/{site.id}").get_data(as_text=True)
    assert step(client, scheduled, "cancel").status_code == 302
    _db.session.refresh(scheduled)
    assert scheduled.cancelled_on == TODAY
    assert "Next review: scheduled" not in client.get(f"/sites/{site.id}").get_data(as_text=True)
    answer = step(client, scheduled, "report", **{"report-on": TODAY})
    assert "This review was cancelled" in answer.get_data(as_text=True)


def test_funders_see_the_date_but_not_the_reviewers(client, login_as, make, network):
    site = network["other"]
    programme = make.programme()
    make.participation(programme, site)
    add_scheduled(site, network["trainer"], network["other_trainer"], days(20))
    login_as("funder", funder=programme.funder)
    page = client.get(f"/sites/{site.id}").get_data(as_text=True)
    assert "Next review: scheduled for" in page
    assert "Terry Trainer" not in page and "Tina Trainer" not in page
    assert "Schedule a fidelity review" not in page
