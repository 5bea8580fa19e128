"""Correcting a logged visit (issue 14, point 14): its assigned trainers and programme staff edit
the date, purpose and summary and the actions agreed (and add one that was not logged), on a page
reached from the visit's page; the version read guards against lost updates and every change is
audited. The service first, then the page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.errors import StaleVersion, ValidationFailed
from core.extensions import db as _db
from tests.dates import posted
from tests.training.visits.test_visits import (
    add_action,
    add_visit,
    audit_rows,
    count,
    days,
    text_of,
)
from training.models import Action, Assignment
from training.visits.services import MAX_ACTIONS, update_visit


@pytest.fixture
def logged(make):
    """A visit with two actions agreed at it, one of them done since."""
    site = make.site(name="Dudley IPS team")
    trainer = make.user("trainer", sites=[site])
    visit = add_visit(site, trainer, visited_on=days(-10), summary="Team training on benefits.")
    first = add_action(site, days(20), visit=visit, description="Book a benefits clinic")
    done = add_action(site, days(5), visit=visit, description="Share the leaflet", status="done")
    return {"site": site, "trainer": trainer, "visit": visit, "first": first, "done": done}


def data(logged, **changes):
    """The visit as update_visit takes it: unchanged but for `changes`."""
    visit, first, done = logged["visit"], logged["first"], logged["done"]
    return {
        "visited_on": visit.visited_on,
        "purpose": visit.purpose,
        "summary": visit.summary,
        "actions": [
            {
                "id": action.id,
                "version": action.version,
                "description": action.description,
                "owner": action.owner,
                "due_on": action.due_on,
            }
            for action in (first, done)
        ],
    } | changes


def form(logged, **changes) -> dict[str, str]:
    """The edit form as a browser posts it, unchanged but for `changes`."""
    visit, first, done = logged["visit"], logged["first"], logged["done"]
    fields = {
        "version": str(visit.version),
        "visited_on": visit.visited_on.isoformat(),
        "purpose": visit.purpose,
        "summary": visit.summary,
    }
    for index, action in enumerate((first, done)):
        fields |= {
            f"actions-{index}-id": str(action.id),
            f"actions-{index}-version": str(action.version),
            f"actions-{index}-description": action.description,
            f"actions-{index}-owner": action.owner,
            f"actions-{index}-due_on": action.due_on.isoformat(),
        }
    fields |= {"actions-2-description": "", "actions-2-owner": "", "actions-2-due_on": ""}
    return posted(fields | changes)


# The service ------------------------------------------------------------------------------


def test_update_visit_changes_what_differs_and_adds_actions(db, logged):
    visit, first, done = logged["visit"], logged["first"], logged["done"]
    changes = data(logged, visited_on=days(-9), purpose="supervision", summary="  Supervision.  ")
    changes["actions"][0]["description"] = "Book two benefits clinics"
    changes["actions"].append(
        {"description": "Invite the job centre", "owner": "Team leader", "due_on": days(30)}
    )
    update_visit(visit, changes, version=1)
    _db.session.commit()
    assert (visit.visited_on, visit.purpose, visit.summary, visit.version) == (
        days(-9),
        "supervision",
        "Supervision.",
        2,
    )
    assert (first.description, first.version) == ("Book two benefits clinics", 2)
    assert done.version == 1  # unchanged: not written
    added = _db.session.scalar(
        sa.select(Action).where(Action.description == "Invite the job centre")
    )
    assert (added.site_id, added.visit_id, added.status) == (visit.site_id, visit.id, "open")


def test_update_visit_checks_versions_before_it_changes_anything(db, logged):
    visit, first = logged["visit"], logged["first"]
    with pytest.raises(StaleVersion):
        update_visit(visit, data(logged, summary="New"), version=None)
    with pytest.raises(StaleVersion):
        update_visit(visit, data(logged, summary="New"), version=2)
    # An action changed since (marked done by someone): stale only if this edit changes it.
    first.status = "done"
    _db.session.commit()
    stale = data(logged, summary="New")
    stale["actions"][0]["version"] = 1
    stale["actions"][0]["owner"] = "Employment team"
    with pytest.raises(StaleVersion):
        update_visit(visit, stale, version=1)
    _db.session.rollback()
    assert (visit.summary, first.owner) == ("Team training on benefits.", "Team leader")
    untouched = data(logged, summary="New")
    untouched["actions"][0]["version"] = 1  # read before it was marked done, but not changed
    update_visit(visit, untouched, version=1)
    assert visit.summary == "New"


def test_update_visit_refuses_bad_data_and_other_visits_actions(db, logged, make):
    visit = logged["visit"]
    other = add_action(logged["site"], days(3), visit=add_visit(logged["site"]))
    bad = data(logged, summary=" ", visited_on=days(1))
    bad["actions"][1]["due_on"] = days(-30)  # before the visit
    bad["actions"].append(
        {"id": other.id, "version": 1, "description": "x", "owner": "y", "due_on": days(3)}
    )
    bad["actions"].append(dict(bad["actions"][0]))  # the same action twice
    with pytest.raises(ValidationFailed) as error:
        update_visit(visit, bad, version=1)
    assert error.value.fields == {
        "visited_on": ["The date of the visit must be today or in the past"],
        "summary": ["Enter a summary of the visit"],
        "actions.1.due_on": ["Action 2: the due date must be on or after the visit"],
        "actions.2": ["Action 3: not an action of this visit"],
        "actions.3": ["Action 4: not an action of this visit"],
    }
    bad = data(logged)
    bad["actions"][1]["due_on"] = days(-30)
    with pytest.raises(ValidationFailed) as error:
        update_visit(visit, bad, version=1)
    assert error.value.fields == {
        "actions.1.due_on": ["Action 2: the due date must be on or after the visit"]
    }
    many = data(logged)
    many["actions"] += [
        {"description": f"More {n}", "owner": "Team", "due_on": days(5)}
        for n in range(MAX_ACTIONS - 1)
    ]
    with pytest.raises(ValidationFailed) as error:
        update_visit(visit, many, version=1)
    assert error.value.fields == {
        "actions": [f"Record at most {MAX_ACTIONS} actions for one visit"]
    }
    _db.session.rollback()
    assert (visit.version, count(Action)) == (1, 3)


# The page ---------------------------------------------------------------------------------


def test_the_edit_page_shows_the_visit_as_saved(client, login_as, logged):
    visit, first, done = logged["visit"], logged["first"], logged["done"]
    login_as(logged["trainer"])
    page = text_of(client.get(f"/visits/{visit.id}"))
    assert f'<a href="/visits/{visit.id}/edit">Edit visit' in page
    page = text_of(client.get(f"/visits/{visit.id}/edit"))
    assert "<h1>Edit visit</h1>" in page
    assert '<input id="version" name="version" type="hidden" value="1">' in page
    assert f'name="visited_on[day]" type="text" value="{days(-10).day}"' in page
    assert re.search(r'value="training"\s+checked', page)
    assert ">Team training on benefits.</textarea>" in page
    assert f'<input type="hidden" name="actions-0-id" value="{first.id}">' in page
    assert f'<input type="hidden" name="actions-1-id" value="{done.id}">' in page
    assert '<input type="hidden" name="actions-1-version" value="1">' in page
    assert ">Share the leaflet</textarea>" in page
    assert 'name="actions-2-description"' in page  # an empty row to add one
    assert "Done" in page  # each logged action shows its status


def test_a_trainer_corrects_a_visit_and_it_is_audited(client, login_as, logged):
    visit, first = logged["visit"], logged["first"]
    trainer = login_as(logged["trainer"])
    response = client.post(
        f"/visits/{visit.id}/edit",
        data=form(
            logged,
            visited_on=days(-8).isoformat(),
            purpose="supervision",
            summary="Supervision with the team leader.",
            **{
                "actions-0-owner": "Employment team",
                "actions-2-description": "Ask for a second specialist",
                "actions-2-owner": "Service manager",
                "actions-2-due_on": days(40).isoformat(),
            },
        ),
    )
    assert (response.status_code, response.headers["Location"]) == (302, f"/visits/{visit.id}")
    _db.session.refresh(visit)
    _db.session.refresh(first)
    assert (visit.visited_on, visit.purpose, visit.summary, visit.version) == (
        days(-8),
        "supervision",
        "Supervision with the team leader.",
        2,
    )
    assert (first.owner, first.version) == ("Employment team", 2)
    event = audit_rows("visit")[-1]
    assert (event.action, event.user_id, event.record_id) == ("update", trainer.id, visit.id)
    assert event.before == {
        "visited_on": days(-10).isoformat(),
        "purpose": "training",
        "summary": "Team training on benefits.",
    }
    assert event.after == {
        "visited_on": days(-8).isoformat(),
        "purpose": "supervision",
        "summary": "Supervision with the team leader.",
    }
    events = {e.action: (e.record_id, e.after) for e in audit_rows("action")[-2:]}
    assert events["update"] == (first.id, {"owner": "Employment team"})
    assert events["create"][1]["description"] == "Ask for a second specialist"
    page = text_of(client.get(f"/visits/{visit.id}"))
    assert "Your changes to the visit are saved." in page
    assert "Ask for a second specialist" in page and "Supervision with the team leader." in page


def test_mistakes_are_named_per_field_and_nothing_is_written(client, login_as, logged):
    visit = logged["visit"]
    login_as("admin")
    response = client.post(
        f"/visits/{visit.id}/edit",
        data=form(
            logged,
            summary="",
            visited_on=days(2).isoformat(),
            **{"actions-0-description": "", "actions-1-due_on": days(-30).isoformat()},
        ),
    )
    assert response.status_code == 422
    page = text_of(response)
    summary = re.findall(r'<a href="(#[^"]+)"\s*>\s*([^<]+?)\s*</a>', page)
    assert summary == [
        ("#visited_on-day", "The date of the visit must be today or in the past"),
        ("#summary", "Enter a summary of the visit"),
        ("#actions-0-description", "Action 1: describe what was agreed"),
        ("#actions-1-due_on-day", "Action 2: the due date must be on or after the visit"),
    ]
    assert f'<input type="hidden" name="actions-0-id" value="{logged["first"].id}">' in page
    response = client.post(
        f"/visits/{visit.id}/edit", data=form(logged, **{"visited_on[month]": ""})
    )
    assert response.status_code == 422
    assert "The date of the visit must include a month" in text_of(response)
    _db.session.refresh(visit)
    assert (visit.summary, visit.version) == ("Team training on benefits.", 1)
    assert [e.action for e in audit_rows("visit")] == ["create"]  # logged, never updated


def test_a_stale_version_gets_a_clear_message_and_nothing_is_written(client, login_as, logged):
    visit, first = logged["visit"], logged["first"]
    login_as(logged["trainer"])
    visit.summary = "Changed by someone else"
    _db.session.commit()  # version 2
    response = client.post(
        f"/visits/{visit.id}/edit", data=form(logged, version="1", summary="Mine")
    )
    assert response.status_code == 409
    page = text_of(response)
    assert "Someone else changed this visit or its actions since you opened it." in page
    assert ">Changed by someone else</textarea>" in page
    assert '<input id="version" name="version" type="hidden" value="2">' in page
    # An action marked done meanwhile, which this edit changes: the same.
    first.status = "done"
    _db.session.commit()
    response = client.post(
        f"/visits/{visit.id}/edit",
        data=form(logged, version="2", **{"actions-0-version": "1", "actions-0-owner": "Other"}),
    )
    assert response.status_code == 409
    _db.session.refresh(visit)
    _db.session.refresh(first)
    assert (visit.summary, first.owner) == ("Changed by someone else", "Team leader")


def test_only_the_sites_trainers_and_admins_edit_a_visit(client, login_as, logged, make):
    visit = logged["visit"]
    login_as("trainer", sites=[make.site()])
    assert client.get(f"/visits/{visit.id}/edit").status_code == 403
    assert (
        client.post(f"/visits/{visit.id}/edit", data=form(logged, summary="No")).status_code == 403
    )
    ended = make.user("trainer")
    _db.session.add(
        Assignment(
            user_id=ended.id, site_id=logged["site"].id, starts_on=days(-400), ends_on=days(-1)
        )
    )
    _db.session.commit()
    login_as(ended)
    assert client.get(f"/visits/{visit.id}/edit").status_code == 403
    for user in (make.user("site_lead", sites=[logged["site"]]), make.user("funder")):
        login_as(user)
        assert client.get(f"/visits/{visit.id}/edit").status_code == 403
        assert "Edit visit" not in text_of(client.get(f"/visits/{visit.id}"))
    login_as("admin")
    assert client.get(f"/visits/{visit.id}/edit").status_code == 200
    assert client.get("/visits/987654/edit").status_code == 404
    _db.session.refresh(visit)
    assert (visit.summary, visit.version) == ("Team training on benefits.", 1)
