"""The approval workflow's writes: each step kept with who and why, the version read checked, an
approved return locked, an open query in the way of approval, a first submission kept, and the
unusual figures warned about, confirmed and stored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.errors import StaleVersion, ValidationFailed
from core.mail import EmailDelivery
from sites.returns import workflow
from sites.returns.approval import services
from sites.returns.rules import add_months
from sites.returns.services import WarningsNotConfirmed, save_return
from tests.sites.returns.approval.helpers import MONTH, fresh, moves, open_query, setting

FIGURES = {
    "referrals": 10,
    "caseload": 40,
    "new_to_service": 8,
    "first_contact_within_4_weeks": 6,
    "job_starts": 3,
    "in_work": 15,
    "sustained_13_weeks": 2,
    "employment_specialists_fte": Decimal("2.5"),
    "discharges": 4,
}
TODAY = date(2025, 1, 1)


def test_a_return_goes_round_the_whole_workflow(app, db, make):
    with app.test_request_context():
        s = setting(make, status="draft")
        found = s.monthly_return
        save_return(
            s.site, MONTH, FIGURES, user=s.lead, submit=True, version=found.version, today=TODAY
        )
        db.session.commit()
        first = found.first_submitted_at
        assert found.status == "submitted" and first is not None

        services.send_back(found, s.admin, version=found.version, reason=" Check job starts ")
        db.session.commit()
        assert found.status == "returned"

        # Saved again without submitting, a returned return stays returned.
        save_return(
            s.site,
            MONTH,
            FIGURES | {"job_starts": 2},
            user=s.lead,
            version=found.version,
            today=TODAY,
        )
        db.session.commit()
        assert found.status == "returned"
        save_return(
            s.site,
            MONTH,
            FIGURES | {"job_starts": 2},
            user=s.lead,
            submit=True,
            version=found.version,
            today=TODAY,
        )
        db.session.commit()
        assert found.status == "submitted"
        assert found.first_submitted_at == first  # the first submission is kept

        services.approve(found, s.admin, version=found.version)
        db.session.commit()
        assert (found.status, found.approved_by_id) == ("approved", s.admin.id)

        services.ask_to_reopen(found, s.lead, version=found.version, reason="Wrong month")
        services.reopen(found, s.admin, version=found.version, reason="As the lead asked")
        db.session.commit()
        assert (found.status, found.approved_at) == ("submitted", None)
        save_return(s.site, MONTH, FIGURES, user=s.lead, version=found.version, today=TODAY)
        db.session.commit()

    assert moves(db, found.id) == [
        ("submit", "submitted", None),
        ("send_back", "returned", "Check job starts"),
        ("resubmit", "submitted", None),
        ("approve", "approved", None),
        ("ask_to_reopen", "approved", "Wrong month"),
        ("reopen", "submitted", "As the lead asked"),
        ("amend", "submitted", None),
    ]
    assert len(fresh(db, found).versions) == 3  # submitted, resubmitted, amended


def test_an_approved_return_refuses_any_save(db, make):
    s = setting(make, status="approved")
    for submit in (True, False):
        with pytest.raises(workflow.Refused) as refused:
            save_return(
                s.site,
                MONTH,
                FIGURES,
                user=s.lead,
                submit=submit,
                version=s.monthly_return.version,
                today=TODAY,
            )
        assert refused.value.conflict
        assert "approved and locked" in refused.value.message
    assert fresh(db, s.monthly_return).job_starts == 3


def test_an_open_query_stands_in_the_way_of_approval(db, make):
    s = setting(make)
    open_query(db, s.monthly_return.id)
    with pytest.raises(workflow.Refused) as refused:
        services.approve(s.monthly_return, s.admin, version=s.monthly_return.version)
    assert refused.value.conflict and "open query" in refused.value.message
    assert fresh(db, s.monthly_return).status == "submitted"


def test_a_stale_version_or_a_missing_reason_writes_nothing(app, db, make):
    s = setting(make)
    found = s.monthly_return
    with pytest.raises(StaleVersion):
        services.approve(found, s.admin, version=found.version + 1)
    with pytest.raises(ValidationFailed) as failed:
        services.send_back(found, s.admin, version=found.version, reason="  ")
    assert failed.value.fields == {"reason": ["Enter why you are sending this return back"]}
    with pytest.raises(ValidationFailed) as failed:
        services.reopen(found, s.admin, version=found.version, reason="x" * 2001)
    assert "2,000 characters" in failed.value.fields["reason"][0]
    db.session.rollback()
    assert fresh(db, found).status == "submitted" and moves(db, found.id) == []


def test_who_may_make_each_move(db, make):
    s = setting(make)
    trainer = make.user("trainer", sites=[s.site])
    other_lead = make.user("site_lead")
    for user in (trainer, s.lead):
        with pytest.raises(workflow.Refused) as refused:
            services.approve(s.monthly_return, user, version=s.monthly_return.version)
        assert not refused.value.conflict
    approved = setting(make, status="approved")
    with pytest.raises(workflow.Refused) as refused:
        services.ask_to_reopen(
            approved.monthly_return,
            other_lead,
            version=approved.monthly_return.version,
            reason="Please",
        )
    assert not refused.value.conflict
    with pytest.raises(workflow.Refused) as refused:
        services.send_back(
            approved.monthly_return,
            approved.admin,
            version=approved.monthly_return.version,
            reason="Why",
        )
    assert refused.value.conflict


def test_sending_back_queues_an_email_to_the_site_leads_without_figures(app, db, make):
    s = setting(make)
    make.user("site_lead", sites=[s.site], active=False)  # no e-mail to a closed account
    with app.test_request_context():
        services.send_back(
            s.monthly_return,
            s.admin,
            version=s.monthly_return.version,
            reason="Job starts 30 looks high",
        )
    deliveries = db.session.query(EmailDelivery).all()
    assert [(d.recipient, d.purpose) for d in deliveries] == [(s.lead.email, "return_sent_back")]
    assert deliveries[0].subject == "Your May 2024 return was sent back"


def test_approving_several_rechecks_each(db, make):
    clear = setting(make)
    flagged = setting(
        make,
        unusual_figures=[
            {"figure": "job_starts", "value": 30.0, "median": 3.0, "low": 0.0, "high": 8.0}
        ],
    )
    queried = setting(make)
    open_query(db, queried.monthly_return.id)
    draft = setting(make, status="draft")
    chosen = [
        (r.monthly_return.id, r.monthly_return.version) for r in (clear, flagged, queried, draft)
    ]
    result = services.approve_many(chosen + [(987654, 1)], clear.admin)
    assert [r.id for r in result.approved] == [clear.monthly_return.id]
    assert len(result.refused) == 4
    assert fresh(db, clear.monthly_return).status == "approved"
    assert moves(db, clear.monthly_return.id) == [("approve", "approved", None)]


# --- unusual figures ---------------------------------------------------------------------------


def history(make, site, months: int, job_starts: int = 3) -> None:
    for back in range(months, 0, -1):
        make.monthly_return(
            site,
            add_months(MONTH, -back),
            job_starts=job_starts,
            status="approved" if back % 2 else "submitted",
        )


def test_a_figure_far_outside_its_usual_range_is_a_warning_to_confirm(db, make):
    s = setting(make, status="draft")
    history(make, s.site, 12)
    make.monthly_return(s.site, add_months(MONTH, -13), job_starts=90)  # 13 months back: unseen
    odd = FIGURES | {"job_starts": 30}
    with pytest.raises(WarningsNotConfirmed) as warned:
        save_return(
            s.site,
            MONTH,
            odd,
            user=s.lead,
            submit=True,
            version=s.monthly_return.version,
            today=TODAY,
        )
    assert warned.value.warnings == [
        "Job starts 30 is far above this site's usual range (0 to 6 over its last 12 months). "
        "Check it, or confirm it."
    ]
    assert fresh(db, s.monthly_return).status == "draft"

    save_return(
        s.site,
        MONTH,
        odd,
        user=s.lead,
        submit=True,
        version=s.monthly_return.version,
        confirm_warnings=True,
        today=TODAY,
    )
    db.session.commit()
    stored = fresh(db, s.monthly_return).unusual_figures
    assert [(u["figure"], u["value"]) for u in stored] == [("job_starts", 30.0)]


def test_no_unusual_figure_while_a_site_has_fewer_than_six_months(db, make):
    s = setting(make, status="draft")
    history(make, s.site, 5)
    make.monthly_return(s.site, add_months(MONTH, 1), job_starts=3)  # later months do not count
    save_return(
        s.site,
        MONTH,
        FIGURES | {"job_starts": 30},
        user=s.lead,
        submit=True,
        version=s.monthly_return.version,
        today=TODAY,
    )
    db.session.commit()
    assert fresh(db, s.monthly_return).unusual_figures is None
