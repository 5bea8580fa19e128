"""Marking an action done without losing one's place (issue 14, point 7): the row stays where it
was with a Done tag, a banner says what was marked and offers "Undo" (for the action just closed,
by its version), a note may say how it was done, and a site lead updates the actions agreed with
their own site. The services first, then the pages."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.errors import StaleVersion, ValidationFailed
from core.extensions import db as _db
from tests.training.visits.test_visits import (
    TODAY,
    add_action,
    add_visit,
    audit_rows,
    days,
    text_of,
)
from training.models import Action
from training.visits.services import KEEP, MAX_NOTE, reopen_action, set_action_status

ROW = re.compile(r'<tr class="nhsuk-table__row">(.*?)</tr>', re.S)
TAG = re.compile(r'<strong class="nhsuk-tag nhsuk-tag--\w+"\s*>\s*([^<]+?)\s*</strong>')


def squash(html: str) -> str:
    """The page without the white space around its tags (the NHS.UK macros' line breaks)."""
    return re.sub(r"\s*([<>])\s*", r"\1", html)


def rows(page: str) -> list[tuple[str, str]]:
    """(description, status tag) of each row of the page's table of actions."""
    body = page[page.index("<tbody") : page.index("</tbody>")] if "<tbody" in page else ""
    found = []
    for row in ROW.findall(body):
        description = re.search(r"Action </span>([^<]+)", row).group(1)
        found.append((description, TAG.search(row).group(1)))
    return found


def banner(page: str) -> str | None:
    """The text of the success banner, or None."""
    match = re.search(r'class="nhsuk-notification-banner[^"]*"[^>]*>(.*?)</form>', page, re.S)
    if match is None:
        return None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def undo_form(page: str) -> tuple[str, dict[str, str]]:
    """The banner's Undo form: where it posts and its hidden fields."""
    match = re.search(
        r'<form method="post" action="(/actions/\d+/undo)"[^>]*>(.*?)</form>', page, re.S
    )
    assert match, "no Undo form on the page"
    return match.group(1), dict(re.findall(r'name="(\w+)" value="([^"]*)"', match.group(2)))


def mark_done(client, action, back="/actions"):
    return client.post(
        f"/actions/{action.id}/status",
        data={"status": "done", "version": action.version, "next": back},
    )


@pytest.fixture
def three(make):
    """A site with three open actions agreed at one visit, due one after the other."""
    site = make.site(name="Walsall IPS team")
    visit = add_visit(site)
    made = [
        add_action(site, days(n), visit=visit, description=text)
        for n, text in ((1, "Book the benefits clinic"), (2, "Call the job centre"), (3, "Plan"))
    ]
    return site, visit, made


# The services -----------------------------------------------------------------------------


def test_a_note_is_kept_cleared_or_checked(db, make):
    site = make.site()
    action = add_action(site, days(3))
    set_action_status(action, status="done", version=1, note="  Clinic runs weekly  ")
    assert (action.status, action.note, action.closed_on) == ("done", "Clinic runs weekly", TODAY)
    set_action_status(action, status="dropped", version=2, note=KEEP)  # not sent: kept
    assert (action.status, action.note) == ("dropped", "Clinic runs weekly")
    set_action_status(action, status="done", version=3, note="   ")  # blank: none
    assert action.note is None
    set_action_status(action, status="done", version=4, note="Done at last")
    set_action_status(action, status="open", version=5, note=KEEP)  # open: no note
    assert (action.status, action.closed_on, action.note) == ("open", None, None)
    for note, message in (
        ("x" * (MAX_NOTE + 1), "The note must be 2,000 characters or fewer"),
        ("nul\x00", "The note must not contain NUL characters"),
        (42, "The note must be text"),
    ):
        with pytest.raises(ValidationFailed) as error:
            set_action_status(action, status="done", version=6, note=note)
        assert error.value.fields == {"note": [message]}
    assert (action.status, action.version) == ("open", 6)
    set_action_status(action, status="done", version=6, note="y" * MAX_NOTE)  # the most
    assert len(action.note) == MAX_NOTE


def test_undo_reopens_only_the_version_it_saw(db, make):
    site = make.site()
    action = add_action(site, days(3))
    set_action_status(action, status="done", version=1, note="Done")
    _db.session.commit()
    with pytest.raises(StaleVersion):
        reopen_action(action, version=1)  # the version before it was closed
    with pytest.raises(StaleVersion):
        reopen_action(action, version=None)
    reopen_action(action, version=2)
    _db.session.commit()
    assert (action.status, action.closed_on, action.note, action.version) == ("open", None, None, 3)
    with pytest.raises(ValidationFailed) as error:
        reopen_action(action, version=3)  # open already: nothing to undo
    assert error.value.fields == {
        "status": ["The action is open already: there is nothing to undo"]
    }
    assert action.version == 3


# Mark done, keep the row, undo ------------------------------------------------------------


def test_marking_done_keeps_the_row_in_place_with_a_done_tag_and_a_banner(client, login_as, three):
    site, _, (first, second, third) = three
    login_as("trainer", sites=[site])
    before = rows(text_of(client.get("/actions")))
    assert before == [
        ("Book the benefits clinic", "Due soon"),
        ("Call the job centre", "Due soon"),
        ("Plan", "Due soon"),
    ]
    response = mark_done(client, second)
    assert (response.status_code, response.headers["Location"]) == (302, "/actions")

    page = text_of(client.get("/actions"))  # the list of open actions keeps the done one
    assert rows(page) == [
        ("Book the benefits clinic", "Due soon"),
        ("Call the job centre", "Done"),
        ("Plan", "Due soon"),
    ]
    assert banner(page).startswith("Success Action marked done: Call the job centre")
    action, fields = undo_form(page)
    assert action == f"/actions/{second.id}/undo"
    assert fields == {"csrf_token": fields["csrf_token"], "version": "2", "next": "/actions"}
    row = ROW.findall(page[page.index("<tbody") :])[1]
    assert "Mark done" not in row  # no button where the pointer is
    assert "Change status or note" in row

    # The next one, from the same list: both stay, the banner is about the latest.
    mark_done(client, third)
    page = text_of(client.get("/actions"))
    assert [state for _, state in rows(page)] == ["Due soon", "Done", "Done"]
    assert "Action marked done: Plan" in banner(page)
    assert undo_form(page)[0] == f"/actions/{third.id}/undo"

    # Shown once, as a flashed message: a reload is the plain list again.
    page = text_of(client.get("/actions"))
    assert rows(page) == [("Book the benefits clinic", "Due soon")]
    assert banner(page) is None


def test_undo_opens_the_action_again_in_its_place_and_is_audited(client, login_as, three):
    site, _, (first, second, third) = three
    trainer = login_as("trainer", sites=[site])
    client.post(
        f"/actions/{second.id}/status",
        data={"status": "done", "version": 1, "note": "Booked for May", "next": "/actions"},
    )
    page = text_of(client.get("/actions"))
    assert "With the note: Booked for May" in banner(page)
    action, fields = undo_form(page)

    response = client.post(action, data=fields)
    assert (response.status_code, response.headers["Location"]) == (302, "/actions")
    _db.session.refresh(second)
    assert (second.status, second.closed_on, second.note, second.version) == (
        "open",
        None,
        None,
        3,
    )
    undone = audit_rows("action")[-1]
    assert (undone.action, undone.user_id, undone.record_id) == ("update", trainer.id, second.id)
    assert undone.before == {
        "status": "done",
        "closed_on": TODAY.isoformat(),
        "note": "Booked for May",
    }
    assert undone.after == {"status": "open", "closed_on": None, "note": None}

    page = text_of(client.get("/actions"))
    assert "Undone: Call the job centre is open again." in page
    assert banner(page) is None
    assert rows(page) == [
        ("Book the benefits clinic", "Due soon"),
        ("Call the job centre", "Due soon"),
        ("Plan", "Due soon"),
    ]


def test_undo_after_someone_else_changed_the_action_changes_nothing(client, login_as, three):
    site, _, (_, second, _) = three
    login_as("trainer", sites=[site])
    mark_done(client, second)
    action, fields = undo_form(text_of(client.get("/actions")))
    _db.session.refresh(second)
    second.note = "Someone else's note"  # meanwhile: version 3
    _db.session.commit()

    response = client.post(action, data=fields)
    assert response.status_code == 302
    page = text_of(client.get("/actions"))
    assert (
        "This action has changed since it was marked: it is now done. Nothing was undone." in page
    )
    assert banner(page) is None  # no second chance at a version nobody has seen
    assert ("Call the job centre", "Done") in rows(page)
    _db.session.refresh(second)
    assert (second.status, second.version) == ("done", 3)

    # Undo twice (a double click): the second finds the action open, and says so.
    fresh = add_action(site, days(9), description="Fresh")
    mark_done(client, fresh)
    action, fields = undo_form(text_of(client.get("/actions")))
    assert client.post(action, data=fields).status_code == 302
    client.post(action, data=fields)
    assert "it is now open. Nothing was undone." in text_of(client.get("/actions"))
    _db.session.refresh(fresh)
    assert (fresh.status, fresh.version) == ("open", 3)


def test_the_banner_undoes_only_an_action_that_was_open(client, login_as, make):
    site = make.site()
    login_as("admin")
    done = add_action(site, days(-3), status="done", description="Closed last week")
    response = client.post(
        f"/actions/{done.id}/status",
        data={"status": "dropped", "version": 1, "note": "Not needed", "next": "/actions"},
    )
    assert response.status_code == 302
    page = text_of(client.get("/actions"))
    assert "Action marked dropped: Closed last week" in page  # a flashed message
    assert banner(page) is None  # "Undo" would open it, which is not what it was
    assert rows(page) == [("Closed last week", "Dropped")]  # kept, though the list is of open


def test_adding_a_note_from_the_banner_keeps_the_undo(client, login_as, three):
    site, _, (_, second, _) = three
    login_as("trainer", sites=[site])
    mark_done(client, second)
    page = text_of(client.get("/actions"))
    link = re.search(r'href="(/actions/\d+/status\?next=[^"]+)"[^>]*>Add a note', page).group(1)
    assert link == f"/actions/{second.id}/status?next=/actions"
    form = text_of(client.get(link))
    assert '<input id="version" name="version" type="hidden" value="2">' in form
    client.post(
        f"/actions/{second.id}/status",
        data={"status": "done", "version": 2, "note": "Done with the team", "next": "/actions"},
    )
    page = text_of(client.get("/actions"))
    assert "Action marked done: Call the job centre" in banner(page)
    assert undo_form(page)[1]["version"] == "3"
    assert "<strong>Note:</strong> Done with the team" in page


def test_marking_done_from_my_sites_keeps_it_above_the_next_one(client, login_as, make):
    site = make.site(name="Walsall IPS team")
    login_as("trainer", sites=[site])
    first = add_action(site, days(2), description="First")
    add_action(site, days(9), description="Second")
    assert mark_done(client, first, back="/my-sites").headers["Location"] == "/my-sites"
    page = squash(text_of(client.get("/my-sites")))
    assert "Action marked done: First" in banner(page)
    cell = page[page.index("Next action due</span>") :]
    assert cell.index("First (Team leader)") < cell.index("Done") < cell.index("Second (Team")
    assert "Mark done<span" in cell[cell.index("Second") :]  # the next one's button, below
    page = squash(text_of(client.get("/my-sites")))
    assert "First (Team leader)" not in page and banner(page) is None


def test_marking_done_from_the_visit_page_and_the_undo_form_is_csrf_protected(
    app, client, login_as, three, monkeypatch
):
    site, visit, (first, _, _) = three
    login_as("trainer", sites=[site])
    mark_done(client, first, back=f"/visits/{visit.id}")
    page = text_of(client.get(f"/visits/{visit.id}"))
    assert "Action marked done: Book the benefits clinic" in banner(page)
    action, fields = undo_form(page)
    assert fields["next"] == f"/visits/{visit.id}"
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    without = {key: value for key, value in fields.items() if key != "csrf_token"}
    assert client.post(action, data=without).status_code == 400
    _db.session.refresh(first)
    assert first.status == "done"


# Notes ------------------------------------------------------------------------------------


def test_a_note_is_written_with_the_status_shown_under_the_action_and_cleared_on_opening(
    client, login_as, three
):
    site, visit, (first, _, _) = three
    login_as("trainer", sites=[site])
    form = text_of(client.get(f"/actions/{first.id}/status"))
    assert '<textarea class="nhsuk-textarea" id="note" name="note"' in form
    assert "Do not include names or any other details of an individual person." in form
    response = client.post(
        f"/actions/{first.id}/status",
        data={
            "status": "done",
            "version": 1,
            "note": "Clinic runs every Tuesday",
            "closed_on[day]": str(days(-1).day),
            "closed_on[month]": str(days(-1).month),
            "closed_on[year]": str(days(-1).year),
        },
    )
    assert response.status_code == 302
    _db.session.refresh(first)
    assert (first.status, first.closed_on, first.note) == (
        "done",
        days(-1),
        "Clinic runs every Tuesday",
    )
    note = "<strong>Note:</strong> Clinic runs every Tuesday"
    assert note in text_of(client.get(f"/visits/{visit.id}"))
    assert note in text_of(client.get("/actions?status=all"))
    again = text_of(client.get(f"/actions/{first.id}/status"))  # shows what is saved
    assert ">Clinic runs every Tuesday</textarea>" in again
    assert f'name="closed_on[day]" type="text" value="{days(-1).day}"' in again

    client.post(f"/actions/{first.id}/status", data={"status": "open", "version": 2, "note": "x"})
    _db.session.refresh(first)
    assert (first.status, first.closed_on, first.note) == ("open", None, None)
    assert "Note:" not in text_of(client.get(f"/visits/{visit.id}"))


def test_a_bad_note_is_named_at_its_field_and_nothing_is_written(client, login_as, three):
    site, _, (first, _, _) = three
    login_as("trainer", sites=[site])
    for note, message in (
        ("x" * (MAX_NOTE + 1), "The note must be 2,000 characters or fewer"),
        ("a\x00b", "The note must not contain NUL characters"),
    ):
        response = client.post(
            f"/actions/{first.id}/status", data={"status": "done", "version": 1, "note": note}
        )
        assert response.status_code == 422
        page = squash(text_of(response))
        assert f'<a href="#note">{message}</a>' in page
        assert f'<span class="nhsuk-u-visually-hidden">Error:</span>{message}' in page
    _db.session.refresh(first)
    assert (first.status, first.note, first.version) == ("open", None, 1)


# Site leads -------------------------------------------------------------------------------


def test_a_site_lead_finds_their_sites_actions_and_marks_one_done_with_a_note(
    client, login_as, make, three
):
    site, visit, (first, second, _) = three
    elsewhere = make.site(name="Another IPS service")
    add_action(elsewhere, days(1), description="Another site's action")
    lead = login_as("site_lead", sites=[site])

    site_page = text_of(client.get(f"/sites/{site.id}"))
    assert (
        f'<a href="/actions?site_id={site.id}&amp;status=all">Every action of Walsall' in site_page
    )
    assert "/visits/new" not in site_page
    page = text_of(client.get(f"/actions?site_id={site.id}&status=all"))
    assert [text for text, _ in rows(page)] == [
        "Book the benefits clinic",
        "Call the job centre",
        "Plan",
    ]
    assert "Log a visit" not in page and "iCalendar" not in page
    assert "Mark done with a note" in page and "Drop, date" not in page
    assert "Another site's action" not in text_of(client.get(f"/actions?site_id={elsewhere.id}"))

    form = text_of(client.get(f"/actions/{first.id}/status"))
    assert re.findall(r'name="status" type="radio" value="(\w+)"', form) == ["done", "open"]
    response = client.post(
        f"/actions/{first.id}/status",
        data={"status": "done", "version": 1, "note": "Clinic booked", "next": "/actions"},
    )
    assert response.status_code == 302
    _db.session.refresh(first)
    assert (first.status, first.note) == ("done", "Clinic booked")
    event = audit_rows("action")[-1]
    assert (event.user_id, event.after["note"]) == (lead.id, "Clinic booked")
    page = text_of(client.get("/actions"))
    assert "Action marked done: Book the benefits clinic" in banner(page)
    action, fields = undo_form(page)
    assert client.post(action, data=fields).status_code == 302  # and undoes it
    _db.session.refresh(first)
    assert first.status == "open"

    mark_done(client, second)  # the quick button works for them too
    _db.session.refresh(second)
    assert second.status == "done"


def test_a_site_lead_neither_drops_nor_touches_another_sites_actions(client, login_as, make, three):
    site, visit, (first, _, _) = three
    elsewhere = make.site()
    theirs = add_action(elsewhere, days(1))
    login_as("site_lead", sites=[site])
    dropped = client.post(f"/actions/{first.id}/status", data={"status": "dropped", "version": 1})
    assert dropped.status_code == 403
    assert client.get(f"/actions/{theirs.id}/status").status_code == 403
    assert (
        client.post(
            f"/actions/{theirs.id}/status", data={"status": "done", "version": 1}
        ).status_code
        == 403
    )
    assert client.post(f"/actions/{theirs.id}/undo", data={"version": 1}).status_code == 403
    assert client.get("/actions/987654/status").status_code == 404
    assert client.get(f"/visits/{visit.id}/edit").status_code == 403
    for action in (first, theirs):
        _db.session.refresh(action)
        assert (action.status, action.version) == ("open", 1)
    # A dropped action may be marked done or opened again by the lead, not left dropped.
    first.status, first.closed_on = "dropped", days(-1)
    _db.session.commit()
    form = text_of(client.get(f"/actions/{first.id}/status"))
    assert "Your regional trainer can drop it" in form
    assert 'value="dropped"' not in form
    assert (
        client.post(
            f"/actions/{first.id}/status", data={"status": "open", "version": 2}
        ).status_code
        == 302
    )
    _db.session.refresh(first)
    assert first.status == "open"
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 4
