"""The visits API (API.md): GET/POST /sites/{id}/visits, PATCH /actions/{id} and
POST /sites/{id}/assignments, with their scopes, validation, versions and audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db as _db
from tests.training.visits.test_visits import add_action, add_review, add_visit, audit_rows, count
from training.models import Action, Assignment, Visit

TODAY = date.today()


def days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


def visit_body(**overrides):
    return {
        "visited_on": days(-1),
        "purpose": "employer_engagement",
        "summary": "Met three local employers with the team.",
        "actions": [
            {
                "description": "Follow up the hotel group",
                "owner": "Employment team",
                "due_on": days(10),
            },
            {"description": "Share the vacancy list", "owner": "Team leader", "due_on": days(3)},
        ],
    } | overrides


# GET /sites/{id}/visits -------------------------------------------------------------------


def test_a_sites_visits_newest_first_each_with_its_actions(api, make):
    site = make.site()
    older = add_visit(site, visited_on=TODAY - timedelta(days=60), purpose="training")
    newer = add_visit(site, visited_on=TODAY - timedelta(days=5), purpose="supervision")
    add_visit(make.site())  # another site's
    late = add_action(site, TODAY + timedelta(days=9), visit=newer, description="Later")
    soon = add_action(site, TODAY + timedelta(days=2), visit=newer, description="Sooner")
    add_action(
        site, TODAY, review=add_review(site, TODAY, 100), item=3
    )  # a review's: not a visit's
    response = api("admin").get(f"/api/v1/sites/{site.id}/visits")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 50, 2)
    assert [v["id"] for v in body["items"]] == [newer.id, older.id]
    first = body["items"][0]
    assert {k: first[k] for k in ("site_id", "visited_on", "purpose", "version")} == {
        "site_id": site.id,
        "visited_on": (TODAY - timedelta(days=5)).isoformat(),
        "purpose": "supervision",
        "version": 1,
    }
    assert first["actions"] == [
        {
            "id": soon.id,
            "description": "Sooner",
            "owner": "Team leader",
            "due_on": (TODAY + timedelta(days=2)).isoformat(),
            "status": "open",
            "closed_on": None,
            "note": None,
            "version": 1,
        },
        {
            "id": late.id,
            "description": "Later",
            "owner": "Team leader",
            "due_on": (TODAY + timedelta(days=9)).isoformat(),
            "status": "open",
            "closed_on": None,
            "note": None,
            "version": 1,
        },
    ]
    assert body["items"][1]["actions"] == []
    paged = api("admin").get(f"/api/v1/sites/{site.id}/visits?per_page=1&page=2").get_json()
    assert ([v["id"] for v in paged["items"]], paged["total"]) == ([older.id], 2)


def test_reading_visits_is_scoped_for_every_role(api, make):
    funder = make.funder()
    programme = make.programme(funder=funder)
    site, other = make.site(), make.site()
    make.participation(programme, site)
    add_visit(site)
    path = f"/api/v1/sites/{site.id}/visits"
    assert api("trainer", sites=[site]).get(path).status_code == 200
    assert api("trainer", sites=[other]).get(path).status_code == 403
    assert api("site_lead", sites=[site]).get(path).status_code == 200
    assert api("site_lead", sites=[other]).get(path).status_code == 403
    assert api("funder", funder=funder).get(path).status_code == 403  # aggregates only
    assert api("funder").get(path).status_code == 403
    assert api("admin").get("/api/v1/sites/987654/visits").status_code == 404


# POST /sites/{id}/visits ------------------------------------------------------------------


def test_an_assigned_trainer_logs_a_visit_with_its_actions(api, make):
    site = make.site()
    caller = api("trainer", sites=[site])
    response = caller.post(f"/api/v1/sites/{site.id}/visits", json=visit_body())
    assert response.status_code == 201
    body = response.get_json()
    visit = _db.session.get(Visit, body["id"])
    assert (visit.trainer_id, visit.site_id, visit.purpose) == (
        caller.user.id,
        site.id,
        "employer_engagement",
    )
    assert body["version"] == 1 and body["trainer_id"] == caller.user.id
    assert [(a["description"], a["owner"], a["due_on"], a["status"]) for a in body["actions"]] == [
        ("Share the vacancy list", "Team leader", days(3), "open"),
        ("Follow up the hotel group", "Employment team", days(10), "open"),
    ]
    assert all(isinstance(a["id"], int) and a["version"] == 1 for a in body["actions"])
    assert [(e.action, e.user_id) for e in audit_rows("visit")] == [("create", caller.user.id)]
    assert len(audit_rows("action")) == 2


def test_a_trainer_cannot_log_a_visit_at_a_site_not_assigned_to_them(api, make):
    mine, other = make.site(), make.site()
    response = api("trainer", sites=[mine]).post(
        f"/api/v1/sites/{other.id}/visits", json=visit_body()
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert count(Visit) == 0 and count(Action) == 0


def test_a_trainer_whose_assignment_has_ended_is_refused(api, make):
    site = make.site()
    trainer = make.user("trainer")
    _db.session.add(
        Assignment(
            user_id=trainer.id,
            site_id=site.id,
            starts_on=TODAY - timedelta(days=100),
            ends_on=TODAY - timedelta(days=1),
        )
    )
    _db.session.commit()
    response = api(trainer).post(f"/api/v1/sites/{site.id}/visits", json=visit_body())
    assert response.status_code == 403
    assert count(Visit) == 0


def test_site_leads_and_funders_cannot_log_visits(api, make):
    site = make.site()
    for caller in (api("site_lead", sites=[site]), api("funder")):
        response = caller.post(f"/api/v1/sites/{site.id}/visits", json=visit_body())
        assert response.status_code == 403
    assert count(Visit) == 0


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            visit_body(visited_on=days(1)),
            {"visited_on": ["The date of the visit must be today or in the past"]},
        ),
        (
            visit_body(purpose="party"),
            {
                "purpose": [
                    "Choose one of: training, supervision, steering_group, "
                    "employer_engagement, fidelity_review, other"
                ]
            },
        ),
        (
            visit_body(
                actions=[
                    {"description": "Fine", "owner": "Team", "due_on": days(5)},
                    {"description": "No date", "owner": "Team"},
                    {"description": " ", "owner": "", "due_on": days(-30)},
                ]
            ),
            {
                "actions.1.due_on": ["Action 2: enter a due date"],
                "actions.2.description": ["Action 3: describe what was agreed"],
                "actions.2.owner": [
                    "Action 3: enter who owns the action, as a role or team (for example, the "
                    "team leader)"
                ],
                "actions.2.due_on": ["Action 3: the due date must be on or after the visit"],
            },
        ),
        (
            visit_body(actions=[{"description": "x", "owner": "y", "due_on": "next week"}]),
            {"actions.0.due_on": ["Enter a date as YYYY-MM-DD"]},
        ),
        (visit_body(summary=""), {"summary": ["Enter a summary of the visit"]}),
        (
            {"purpose": "other", "summary": "x"},
            {"visited_on": ["Enter the date of the visit"]},
        ),
        (
            visit_body(actions=[{"description": "x", "owner": "y", "due_on": days(1)}] * 21),
            {"actions": ["Record at most 20 actions for one visit"]},
        ),
    ],
)
def test_bad_visits_are_422_with_a_message_per_field_and_nothing_is_written(
    api, make, body, fields
):
    site = make.site()
    response = api("admin").post(f"/api/v1/sites/{site.id}/visits", json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert error["fields"] == fields
    assert count(Visit) == 0 and count(Action) == 0


# PATCH /actions/{id} ----------------------------------------------------------------------


def test_marking_an_action_done_then_a_stale_version_is_409(api, make):
    site = make.site()
    action = add_action(site, TODAY + timedelta(days=3))
    caller = api("trainer", sites=[site])
    response = caller.patch(f"/api/v1/actions/{action.id}", json={"status": "done", "version": 1})
    assert response.status_code == 200
    body = response.get_json()
    assert {k: body[k] for k in ("id", "site_id", "status", "closed_on", "version")} == {
        "id": action.id,
        "site_id": site.id,
        "status": "done",
        "closed_on": TODAY.isoformat(),
        "version": 2,
    }
    event = audit_rows("action")[-1]
    assert (event.action, event.user_id, event.after) == (
        "update",
        caller.user.id,
        {"status": "done", "closed_on": TODAY.isoformat()},
    )
    stale = caller.patch(f"/api/v1/actions/{action.id}", json={"status": "dropped", "version": 1})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "conflict"
    _db.session.refresh(action)
    assert (action.status, action.version) == ("done", 2)


def test_dropping_with_a_date_and_bad_changes(api, make):
    site = make.site()
    action = add_action(site, TODAY - timedelta(days=3))
    caller = api("admin")
    path = f"/api/v1/actions/{action.id}"
    future = caller.patch(path, json={"status": "dropped", "version": 1, "closed_on": days(2)})
    assert future.status_code == 422
    assert future.get_json()["error"]["fields"] == {
        "closed_on": ["The date closed must be today or in the past"]
    }
    unknown = caller.patch(path, json={"status": "finished", "version": 1})
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["fields"] == {
        "status": ["Choose one of: open, done, dropped"]
    }
    missing = caller.patch(path, json={"status": "done"})
    assert missing.get_json()["error"]["fields"] == {
        "version": ["Send the version of the action you read"]
    }
    ok = caller.patch(path, json={"status": "dropped", "version": 1, "closed_on": days(-1)})
    assert ok.status_code == 200
    assert (ok.get_json()["status"], ok.get_json()["closed_on"]) == ("dropped", days(-1))


def test_only_the_sites_trainers_leads_and_admins_change_its_actions(api, make):
    site, other = make.site(), make.site()
    action = add_action(site, TODAY)
    path = f"/api/v1/actions/{action.id}"
    for caller in (
        api("trainer", sites=[other]),
        api("site_lead", sites=[other]),
        api("site_lead"),
        api("funder"),
    ):
        response = caller.patch(path, json={"status": "done", "version": 1})
        assert response.status_code == 403
    assert (
        api("admin")
        .patch("/api/v1/actions/987654", json={"status": "done", "version": 1})
        .status_code
        == 404
    )
    _db.session.refresh(action)
    assert (action.status, action.version) == ("open", 1)


def test_a_review_action_is_changed_like_a_visits(api, make):
    site = make.site()
    review = add_review(site, TODAY - timedelta(days=10), 90)
    action = add_action(site, TODAY + timedelta(days=30), review=review, item=12)
    response = api("trainer", sites=[site]).patch(
        f"/api/v1/actions/{action.id}", json={"status": "done", "version": 1}
    )
    assert response.status_code == 200
    assert (response.get_json()["review_id"], response.get_json()["item"]) == (review.id, 12)


def test_a_note_is_sent_with_the_status_answered_and_cleared_on_opening(api, make):
    site = make.site()
    visit = add_visit(site)
    action = add_action(site, TODAY + timedelta(days=3), visit=visit)
    caller = api("trainer", sites=[site])
    path = f"/api/v1/actions/{action.id}"
    done = caller.patch(path, json={"status": "done", "version": 1, "note": "Clinic booked"})
    assert done.status_code == 200
    assert (done.get_json()["note"], done.get_json()["version"]) == ("Clinic booked", 2)
    event = audit_rows("action")[-1]
    assert event.after == {
        "status": "done",
        "closed_on": TODAY.isoformat(),
        "note": "Clinic booked",
    }
    listed = caller.get(f"/api/v1/sites/{site.id}/visits").get_json()
    assert listed["items"][0]["actions"][0]["note"] == "Clinic booked"
    kept = caller.patch(path, json={"status": "dropped", "version": 2})  # no note sent: kept
    assert (kept.get_json()["status"], kept.get_json()["note"]) == ("dropped", "Clinic booked")
    cleared = caller.patch(path, json={"status": "done", "version": 3, "note": None})
    assert cleared.get_json()["note"] is None
    caller.patch(path, json={"status": "done", "version": 4, "note": "Again"})
    opened = caller.patch(path, json={"status": "open", "version": 5})
    assert (opened.get_json()["status"], opened.get_json()["note"]) == ("open", None)


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("x" * 2001, "The note must be 2,000 characters or fewer"),
        ("a\x00b", "Must not contain NUL characters"),
        (42, "Not a valid string."),
    ],
)
def test_a_bad_note_is_422_and_nothing_is_written(api, make, note, message):
    site = make.site()
    action = add_action(site, TODAY + timedelta(days=3))
    response = api("admin").patch(
        f"/api/v1/actions/{action.id}", json={"status": "done", "version": 1, "note": note}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"note": [message]}
    _db.session.refresh(action)
    assert (action.status, action.note, action.version) == ("open", None, 1)


def test_a_site_lead_marks_their_sites_actions_done_or_open_but_does_not_drop_them(api, make):
    site = make.site()
    action = add_action(site, TODAY + timedelta(days=3))
    lead = api("site_lead", sites=[site])
    path = f"/api/v1/actions/{action.id}"
    dropped = lead.patch(path, json={"status": "dropped", "version": 1})
    assert dropped.status_code == 403
    assert dropped.get_json()["error"] == {
        "code": "forbidden",
        "message": "Only programme staff and the site's trainers may drop an action.",
    }
    done = lead.patch(path, json={"status": "done", "version": 1, "note": "Done by the team"})
    assert done.status_code == 200
    assert (done.get_json()["status"], done.get_json()["note"]) == ("done", "Done by the team")
    assert audit_rows("action")[-1].user_id == lead.user.id
    stale = lead.patch(path, json={"status": "open", "version": 1})
    assert stale.status_code == 409
    opened = lead.patch(path, json={"status": "open", "version": 2})
    assert (opened.status_code, opened.get_json()["status"]) == (200, "open")
    _db.session.refresh(action)
    assert (action.status, action.note, action.version) == ("open", None, 3)


# POST /sites/{id}/assignments -------------------------------------------------------------


def test_an_admin_assigns_a_trainer_to_a_site(api, make):
    site = make.site()
    trainer = make.user("trainer")
    caller = api("admin")
    response = caller.post(
        f"/api/v1/sites/{site.id}/assignments",
        json={"user_id": trainer.id, "starts_on": "2026-04-01", "ends_on": "2027-03-31"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assignment = _db.session.scalar(sa.select(Assignment))
    assert body == {
        "id": assignment.id,
        "user_id": trainer.id,
        "site_id": site.id,
        "starts_on": "2026-04-01",
        "ends_on": "2027-03-31",
        "version": 1,
    }
    assert [(e.action, e.user_id) for e in audit_rows("assignment")] == [("create", caller.user.id)]


@pytest.mark.parametrize(
    ("who", "body", "fields"),
    [
        (
            "site_lead",
            {"starts_on": "2026-04-01"},
            {"user_id": ["Only a regional trainer can be assigned to a site"]},
        ),
        (
            "trainer",
            {"starts_on": "2026-04-01", "ends_on": "2026-03-31"},
            {"ends_on": ["The end date must be on or after the start date"]},
        ),
        (
            "trainer",
            {"starts_on": "2026-06-01"},
            {
                "starts_on": [
                    "This trainer is already assigned to this site from 1 January 2026 with no "
                    "end date: assignments of a trainer to the same site must not overlap"
                ]
            },
        ),
        ("nobody", {"starts_on": "2026-04-01"}, {"user_id": ["No user with id 987654"]}),
        ("trainer", {}, {"starts_on": ["Enter the first day of the assignment"]}),
    ],
)
def test_bad_assignments_are_422(api, make, who, body, fields):
    site = make.site()
    trainer = make.user("trainer")
    _db.session.add(Assignment(user_id=trainer.id, site_id=site.id, starts_on=date(2026, 1, 1)))
    _db.session.commit()
    user_id = {"trainer": trainer.id, "nobody": 987654}.get(who) or make.user(who, sites=[site]).id
    response = api("admin").post(
        f"/api/v1/sites/{site.id}/assignments", json={"user_id": user_id} | body
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == fields
    assert count(Assignment) == 1


def test_only_admins_assign(api, make):
    site = make.site()
    trainer = make.user("trainer")
    for role in ("trainer", "site_lead", "funder"):
        response = api(role, sites=[site] if role != "funder" else ()).post(
            f"/api/v1/sites/{site.id}/assignments",
            json={"user_id": trainer.id, "starts_on": "2026-04-01"},
        )
        assert response.status_code == 403
    assert count(Assignment) == 1  # the trainer caller's own, from the factory
    assert (
        api("admin")
        .post(
            "/api/v1/sites/987654/assignments",
            json={"user_id": trainer.id, "starts_on": "2026-04-01"},
        )
        .status_code
        == 404
    )
