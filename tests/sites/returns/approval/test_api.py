"""The approval endpoints of the JSON API (API.md, "Returns workflow"): approve, send back and
reopen answer the return with its history; 409 for a stale version, a return not in the right
status, an open query, or a PUT on an approved return; 422 for a missing reason; 403 for others
than programme staff."""

from __future__ import annotations

from datetime import date

from sites.returns.rules import add_months
from tests.sites.returns.approval.helpers import MONTH, fresh, open_query, setting

BODY = {
    "referrals": 10,
    "caseload": 40,
    "new_to_service": 8,
    "first_contact_within_4_weeks": 6,
    "job_starts": 3,
    "in_work": 15,
    "sustained_13_weeks": 2,
    "employment_specialists_fte": 2.5,
    "discharges": 4,
}


def test_approve_answers_the_return_with_its_history(api, db, make):
    s = setting(make)
    caller = api(s.admin)
    answer = caller.post(f"{s.api}/approve", json={"version": s.monthly_return.version})
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["status"] == "approved" and body["approved_at"]
    assert [(step["move"], step["status"], step["by"]) for step in body["steps"]] == [
        ("approve", "approved", s.admin.name)
    ]
    assert body["unusual_figures"] == []

    again = caller.post(f"{s.api}/approve", json={"version": body["version"]})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "conflict"
    assert again.json["error"]["message"] == "This return is approved already."


def test_a_put_on_an_approved_return_is_a_conflict_until_it_is_reopened(api, db, make):
    s = setting(make, status="approved")
    lead = api(s.lead)
    version = s.monthly_return.version
    refused = lead.put(s.api, json=BODY | {"job_starts": 4, "version": version, "submit": True})
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "conflict"
    assert "approved and locked" in refused.json["error"]["message"]
    assert fresh(db, s.monthly_return).job_starts == 3

    admin = api(s.admin)
    reopened = admin.post(f"{s.api}/reopen", json={"version": version, "reason": "Wrong figure"})
    assert reopened.status_code == 200, reopened.json
    assert reopened.json["status"] == "submitted"
    assert reopened.json["steps"][-1]["reason"] == "Wrong figure"
    amended = lead.put(s.api, json=BODY | {"job_starts": 4, "version": reopened.json["version"]})
    assert amended.status_code == 200, amended.json
    assert (amended.json["status"], amended.json["job_starts"]) == ("submitted", 4)
    assert [step["move"] for step in amended.json["steps"]] == ["reopen", "amend"]


def test_send_back_needs_a_reason(api, db, make):
    s = setting(make)
    admin = api(s.admin)
    version = s.monthly_return.version
    for body in ({"version": version}, {"version": version, "reason": "   "}):
        answer = admin.post(f"{s.api}/send-back", json=body)
        assert answer.status_code == 422
        assert answer.json["error"]["code"] == "validation_failed"
        assert "reason" in answer.json["error"]["fields"]
    too_long = admin.post(f"{s.api}/send-back", json={"version": version, "reason": "x" * 2001})
    assert too_long.status_code == 422
    assert fresh(db, s.monthly_return).status == "submitted"

    sent = admin.post(f"{s.api}/send-back", json={"version": version, "reason": "Check sectors"})
    assert sent.status_code == 200
    assert sent.json["status"] == "returned"
    assert sent.json["steps"][-1] == sent.json["steps"][0]
    assert sent.json["steps"][0]["reason"] == "Check sectors"


def test_stale_versions_open_queries_and_wrong_statuses_are_conflicts(api, db, make):
    s = setting(make)
    admin = api(s.admin)
    version = s.monthly_return.version
    stale = admin.post(f"{s.api}/approve", json={"version": version + 1})
    assert stale.status_code == 409
    open_query(db, s.monthly_return.id)
    queried = admin.post(f"{s.api}/approve", json={"version": version})
    assert queried.status_code == 409
    assert "open query" in queried.json["error"]["message"]
    not_approved = admin.post(f"{s.api}/reopen", json={"version": version, "reason": "Why"})
    assert not_approved.status_code == 409
    assert fresh(db, s.monthly_return).status == "submitted"


def test_only_programme_staff_approve_and_no_return_is_not_found(api, db, make):
    s = setting(make)
    answer = api(s.lead).post(f"{s.api}/approve", json={"version": s.monthly_return.version})
    assert answer.status_code == 403
    missing = api(s.admin).post(
        f"/api/v1/sites/{s.site.id}/returns/2019-01/approve", json={"version": 1}
    )
    assert missing.status_code == 404
    bad_month = api(s.admin).post(
        f"/api/v1/sites/{s.site.id}/returns/2019-13/approve", json={"version": 1}
    )
    assert bad_month.status_code == 422
    no_version = api(s.admin).post(f"{s.api}/approve", json={})
    assert no_version.status_code == 422


def test_an_unusual_figure_is_a_warning_to_confirm_through_the_api(api, db, make):
    s = setting(make, status="draft")
    for back in range(1, 8):
        make.monthly_return(s.site, add_months(MONTH, -back), job_starts=3)
    lead = api(s.lead)
    body = BODY | {"job_starts": 30, "submit": True}
    body["version"] = s.monthly_return.version
    warned = lead.put(s.api, json=body)
    assert warned.status_code == 422
    assert warned.json["error"]["warnings"] == [
        "Job starts 30 is far above this site's usual range (0 to 6 over its last 7 months). "
        "Check it, or confirm it."
    ]
    saved = lead.put(s.api, json=body | {"confirm_warnings": True})
    assert saved.status_code == 200, saved.json
    assert [u["figure"] for u in saved.json["unusual_figures"]] == ["job_starts"]
    assert saved.json["first_submitted_at"] and saved.json["steps"][0]["move"] == "submit"


def test_sending_back_emails_the_site_lead_a_link_and_no_figures(api, db, make, mailbox):
    s = setting(make, job_starts=27)
    answer = api(s.admin).post(
        f"{s.api}/send-back", json={"version": s.monthly_return.version, "reason": "Look again"}
    )
    assert answer.status_code == 200
    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["To"] == s.lead.email
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f"/sites/{s.site.id}/returns/2024-05" in text
    assert "27" not in text and "Look again" not in text


def test_month_bounds(api, db, make):
    s = setting(make)
    answer = api(s.admin).post(
        f"/api/v1/sites/{s.site.id}/returns/1989-12/approve", json={"version": 1}
    )
    assert answer.status_code == 422
    assert date(1990, 1, 1) < MONTH
