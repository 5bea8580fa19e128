"""Trainers' pages: the visit form and a visit's page, the actions list with its filters and status
changes, the calendar export, the trainers' activity, the site page's section, the dashboard card,
the admin's assignments, and who may use each of them.

The helpers at the top (add_visit, add_action, add_review) are shared with the API and home-page
tests."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from core.audit import AuditEvent
from core.extensions import db as _db
from tests.dates import boxes, posted
from training.models import Action, Assignment, FidelityReview, Visit

TODAY = date.today()


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def add_visit(site, trainer=None, visited_on=None, purpose="training", summary="Team training"):
    visit = Visit(
        site_id=site.id,
        trainer_id=trainer.id if trainer else None,
        visited_on=visited_on or days(-7),
        purpose=purpose,
        summary=summary,
    )
    _db.session.add(visit)
    _db.session.commit()
    return visit


def add_action(site, due_on, *, visit=None, review=None, item=None, status="open", **fields):
    action = Action(
        site_id=site.id,
        visit_id=visit.id if visit else None,
        review_id=review.id if review else None,
        item=item,
        description=fields.pop("description", "Book benefits advice sessions"),
        owner=fields.pop("owner", "Team leader"),
        due_on=due_on,
        status=status,
        closed_on=fields.pop("closed_on", days(-1) if status != "open" else None),
    )
    _db.session.add(action)
    _db.session.commit()
    return action


def add_review(site, reviewed_on, total, status="final", kind="external_review"):
    review = FidelityReview(
        site_id=site.id,
        reviewed_on=reviewed_on,
        kind=kind,
        lead_reviewer="Lead reviewer",
        status=status,
        total=total if status == "final" else None,
    )
    _db.session.add(review)
    _db.session.commit()
    return review


def audit_rows(table: str) -> list[AuditEvent]:
    return list(
        _db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.table_name == table).order_by(AuditEvent.id)
        )
    )


def count(model) -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def visit_form(site_id, **overrides) -> dict[str, str]:
    data = {
        "site_id": str(site_id),
        "visited_on": days(-2).isoformat(),
        "purpose": "supervision",
        "summary": "Supervision with the team leader; reviewed the job development log.",
        "actions-0-description": "Set up a benefits advice clinic",
        "actions-0-owner": "Team leader",
        "actions-0-due_on": days(30).isoformat(),
        "actions-1-description": "",
        "actions-1-owner": "",
        "actions-1-due_on": "",
        "actions-2-description": "Contact ten new employers",
        "actions-2-owner": "Employment specialists",
        "actions-2-due_on": days(14).isoformat(),
    }
    return posted(data | overrides)


def text_of(response) -> str:
    return response.get_data(as_text=True)


# The visit form ---------------------------------------------------------------------------


def test_the_form_offers_a_trainer_only_their_sites_and_three_empty_action_rows(
    client, login_as, make
):
    mine = make.site(name="Bradford IPS service")
    ended = make.site(name="Devon IPS service")
    make.site(name="Someone else's site")
    trainer = login_as("trainer", sites=[mine])
    _db.session.add(
        Assignment(
            user_id=trainer.id,
            site_id=ended.id,
            starts_on=date(2015, 1, 1),
            ends_on=days(-1),
        )
    )
    _db.session.commit()
    response = client.get(f"/visits/new?site_id={mine.id}")
    assert response.status_code == 200
    page = text_of(response)
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', page)
    assert [label.split(" (")[0] for value, label in options if value] == ["Bradford IPS service"]
    assert re.search(rf'<option value="{mine.id}" selected', page)
    for index in range(3):
        for part in ("description", "owner", "due_on[day]", "due_on[month]", "due_on[year]"):
            assert f'name="actions-{index}-{part}"' in page
    assert 'name="actions-3-description"' not in page
    assert 'name="actions-__INDEX__-description"' in page  # the add-another template
    assert "Do not include names or any other details of an individual person" in page
    purposes = re.findall(r'name="purpose" type="radio" value="(\w+)"', page)
    assert purposes == [
        "training",
        "supervision",
        "steering_group",
        "employer_engagement",
        "fidelity_review",
        "other",
    ]


def test_a_trainer_logs_a_visit_with_two_actions_and_it_is_audited(client, login_as, make):
    site = make.site()
    trainer = login_as("trainer", sites=[site])
    response = client.post("/visits/new", data=visit_form(site.id))
    assert response.status_code == 302
    visit = _db.session.scalar(sa.select(Visit))
    assert response.headers["Location"] == f"/visits/{visit.id}"
    assert (visit.site_id, visit.trainer_id, visit.visited_on, visit.purpose) == (
        site.id,
        trainer.id,
        days(-2),
        "supervision",
    )
    actions = _db.session.scalars(sa.select(Action).order_by(Action.id)).all()
    assert [(a.description, a.owner, a.due_on, a.status, a.visit_id) for a in actions] == [
        ("Set up a benefits advice clinic", "Team leader", days(30), "open", visit.id),
        ("Contact ten new employers", "Employment specialists", days(14), "open", visit.id),
    ]
    assert [(e.action, e.user_id, e.record_id) for e in audit_rows("visit")] == [
        ("create", trainer.id, visit.id)
    ]
    assert [(e.action, e.user_id) for e in audit_rows("action")] == [
        ("create", trainer.id),
        ("create", trainer.id),
    ]
    page = text_of(client.get(response.headers["Location"]))
    assert "Your visit to" in page and "with 2 agreed actions" in page
    assert "Set up a benefits advice clinic" in page and "Supervision" in page


def test_a_trainer_cannot_log_a_visit_at_a_site_not_assigned_to_them(client, login_as, make):
    mine, other = make.site(), make.site()
    login_as("trainer", sites=[mine])
    response = client.post("/visits/new", data=visit_form(other.id))
    assert response.status_code == 422
    page = text_of(response)
    message = "Choose one of your sites: you can log visits only at the sites assigned to you"
    assert page.count(message) == 2  # in the error summary and beside the field
    assert 'href="#site_id"' in page
    assert count(Visit) == 0 and count(Action) == 0


def test_a_trainer_whose_assignment_ended_cannot_log_a_visit_there(client, login_as, make):
    site = make.site()
    trainer = login_as("trainer")
    _db.session.add(
        Assignment(user_id=trainer.id, site_id=site.id, starts_on=days(-400), ends_on=days(-1))
    )
    _db.session.commit()
    response = client.post("/visits/new", data=visit_form(site.id))
    assert response.status_code == 422
    assert count(Visit) == 0
    assert "You are not assigned to a site today" in text_of(response)


def test_every_mistake_is_named_on_its_field_and_nothing_is_saved(client, login_as, make):
    site = make.site()
    login_as("trainer", sites=[site])
    data = visit_form(
        site.id,
        visited_on=days(1).isoformat(),
        purpose="",
        summary="  ",
        **{
            "actions-0-due_on": "",  # first row: no due date
            "actions-2-owner": "",  # the second filled row: no owner, and a bad date
            **boxes("actions-2-due_on", "31", "2", "2026"),
        },
    )
    response = client.post("/visits/new", data=data)
    assert response.status_code == 422
    page = text_of(response)
    assert "<title>Error: Log a visit" in page
    expected = [
        ("visited_on-day", "The date of the visit must be today or in the past"),
        ("purpose", "Choose the purpose of the visit"),
        ("summary", "Enter a summary of the visit"),
        ("actions-0-due_on-day", "Action 1: enter a due date"),
        (
            "actions-1-owner",
            "Action 2: enter who owns the action, as a role or team (for example, the team leader)",
        ),
        (
            "actions-1-due_on-day",
            "Enter the due date of action 2 as a real date, for example 1 April 2015",
        ),
    ]
    summary = page[page.index("There is a problem") : page.index("<h1")]
    links = re.findall(r'<a href="#([^"]+)"[^>]*>([^<]+)</a>', summary)
    assert [(href, text.strip()) for href, text in links] == expected
    # The filled rows come back in order (the blank one between them is gone), with what was
    # typed, and then one empty row: three in all.
    assert 'value="Contact ten new employers"' not in page  # a textarea, not an input
    assert ">Contact ten new employers</textarea>" in page
    typed = re.findall(r'name="actions-1-due_on\[(\w+)\]" type="text" value="(\w*)"', page)
    assert typed == [("day", "31"), ("month", "2"), ("year", "2026")]
    # A message about a whole date marks its three boxes; one about a day, only the day.
    errored = re.findall(r'class="[^"]*nhsuk-input--error[^"]*" id="([^"]+)"', page)
    assert errored == [
        "visited_on-day",
        "visited_on-month",
        "visited_on-year",
        "actions-0-due_on-day",
        "actions-0-due_on-month",
        "actions-0-due_on-year",
        "actions-1-owner",
        "actions-1-due_on-day",
    ]
    assert 'name="actions-2-description"' in page and 'name="actions-3-description"' not in page
    assert count(Visit) == 0 and count(Action) == 0


def test_a_visit_date_without_its_year_is_named_and_kept_then_a_month_by_name_is_read(
    client, login_as, make
):
    site = make.site()
    login_as("trainer", sites=[site])
    visited = days(-2)
    typed = boxes("visited_on", str(visited.day), str(visited.month), "")
    response = client.post("/visits/new", data=visit_form(site.id) | typed)
    assert response.status_code == 422
    page = text_of(response)
    assert '<a href="#visited_on-year"' in page
    assert page.count("The date of the visit must include a year") == 2  # summary and field
    assert f'name="visited_on[day]" type="text" value="{visited.day}"' in page
    assert count(Visit) == 0

    typed = boxes("visited_on", f"0{visited.day}"[-2:], f"{visited:%B}", str(visited.year))
    response = client.post("/visits/new", data=visit_form(site.id) | typed)
    assert response.status_code == 302
    assert _db.session.scalar(sa.select(Visit.visited_on)) == visited


def test_an_action_due_before_the_visit_is_refused(client, login_as, make):
    site = make.site()
    login_as("trainer", sites=[site])
    response = client.post(
        "/visits/new", data=visit_form(site.id, **{"actions-0-due_on": days(-3).isoformat()})
    )
    assert response.status_code == 422
    assert "Action 1: the due date must be on or after the visit" in text_of(response)
    assert count(Visit) == 0


def test_an_admin_may_log_a_visit_at_any_site_and_a_visit_without_actions(client, login_as, make):
    site = make.site()
    admin = login_as("admin")
    data = {k: v for k, v in visit_form(site.id).items() if not k.startswith("actions-")}
    response = client.post("/visits/new", data=data)
    assert response.status_code == 302
    visit = _db.session.scalar(sa.select(Visit))
    assert visit.trainer_id == admin.id
    assert count(Action) == 0
    assert "No actions were agreed at this visit" in text_of(client.get(f"/visits/{visit.id}"))


def test_a_visit_page_is_read_within_the_readers_scope(client, login_as, make):
    funder = make.funder()
    programme = make.programme(funder=funder)
    site, other = make.site(), make.site()
    make.participation(programme, site)
    visit = add_visit(site, summary="Steering group met.\nAgreed a new referral route.")
    add_action(site, days(5), visit=visit, description="Write the referral route down")

    login_as("site_lead", sites=[site])
    page = text_of(client.get(f"/visits/{visit.id}"))
    assert "<p>Steering group met.</p><p>Agreed a new referral route.</p>" in page
    assert "Write the referral route down" in page
    assert "Mark done" in page  # a site lead marks its own site's actions done (issue 14)
    assert "Edit visit" not in page and "Drop, date" not in page  # but corrects no visit
    login_as("site_lead", sites=[other])
    assert client.get(f"/visits/{visit.id}").status_code == 403
    login_as("funder", funder=funder)  # funders see aggregates only: no visits, even their sites'
    assert client.get(f"/visits/{visit.id}").status_code == 403
    login_as("funder")
    assert client.get(f"/visits/{visit.id}").status_code == 403
    login_as("trainer", sites=[other])
    assert client.get(f"/visits/{visit.id}").status_code == 403
    login_as("trainer", sites=[site])
    page = text_of(client.get(f"/visits/{visit.id}"))
    assert "Mark done" in page
    assert f'<a href="/visits/{visit.id}/edit">Edit visit' in page
    assert client.get("/visits/987654").status_code == 404


# The actions list -------------------------------------------------------------------------


@pytest.fixture
def actions_network(make):
    """Two assigned sites and one other, with actions in every state."""
    bradford = make.site(name="Bradford IPS service")
    enable = make.site(name="Enable IPS service")
    devon = make.site(name="Devon IPS service")
    visit = add_visit(bradford, visited_on=days(-40))
    review = add_review(enable, days(-60), 96)
    made = {
        "overdue": add_action(bradford, days(-1), visit=visit, description="Overdue by a day"),
        "today": add_action(bradford, TODAY, visit=visit, description="Due today"),
        "soon": add_action(enable, days(14), review=review, item=12, description="Benefits"),
        "later": add_action(enable, days(15), visit=None, description="Due in 15 days"),
        "done": add_action(bradford, days(-20), visit=visit, status="done", description="Done"),
        "dropped": add_action(enable, days(-5), status="dropped", description="Dropped"),
        "elsewhere": add_action(devon, days(-30), description="At a site not assigned"),
    }
    return {"sites": (bradford, enable, devon), "actions": made, "review": review}


def listed(client, query="") -> list[str]:
    page = text_of(client.get(f"/actions{query}"))
    body = page[page.index("<tbody") : page.index("</tbody>")] if "<tbody" in page else ""
    return re.findall(r'<td class="nhsuk-table__cell"><span[^>]*>Action </span>([^<]+)</td>', body)


def test_a_trainer_lists_the_open_actions_of_their_sites_earliest_due_first(
    client, login_as, actions_network
):
    bradford, enable, _ = actions_network["sites"]
    login_as("trainer", sites=[bradford, enable])
    assert listed(client) == ["Overdue by a day", "Due today", "Benefits", "Due in 15 days"]
    assert listed(client, "?due=overdue") == ["Overdue by a day"]
    assert listed(client, "?due=due_soon") == ["Due today", "Benefits"]
    assert listed(client, "?status=done") == ["Done"]
    assert listed(client, "?status=dropped") == ["Dropped"]
    assert listed(client, "?status=all") == [
        "Overdue by a day",
        "Due today",
        "Benefits",
        "Due in 15 days",
        "Done",  # closed ones after the open, by due date too: 20 days ago
        "Dropped",  # 5 days ago
    ]
    assert listed(client, f"?site_id={enable.id}") == ["Benefits", "Due in 15 days"]
    assert listed(client, f"?site_id={enable.id}&status=all") == [
        "Benefits",
        "Due in 15 days",
        "Dropped",
    ]


def test_review_actions_are_labelled_with_the_review_and_item(client, login_as, actions_network):
    _, enable, _ = actions_network["sites"]
    review = actions_network["review"]
    login_as("trainer", sites=[enable])
    page = text_of(client.get("/actions"))
    reviewed = days(-60)
    assert (
        f'<a href="/fidelity-reviews/{review.id}">External review of {reviewed.day} '
        f"{reviewed:%B %Y}, item 12 (Work incentives planning (benefits advice))</a>" in page
    )


def test_actions_link_to_the_visit_that_agreed_them_on_the_list_and_the_site_page(
    client, login_as, actions_network
):
    bradford = actions_network["sites"][0]
    visit_id = actions_network["actions"]["overdue"].visit_id
    login_as("admin")
    link = f'<a href="/visits/{visit_id}">'
    assert link in text_of(client.get("/actions"))
    assert link in text_of(client.get(f"/sites/{bradford.id}"))
    later = actions_network["actions"]["later"]  # agreed at neither: its source is plain text
    row = text_of(client.get("/actions")).split(later.description)[1].split("</tr>")[0]
    assert "<a href" not in row.split("Agreed at </span>")[1].split("</td>")[0]


def test_an_admin_lists_every_site_and_bad_filters_are_named(client, login_as, actions_network):
    login_as("admin")
    assert len(listed(client)) == 5
    assert "At a site not assigned" in listed(client, "?due=overdue")
    response = client.get("/actions?site_id=987654&status=finished&due=yesterday")
    page = text_of(response)
    assert response.status_code == 200
    for message in (
        "Choose a site from the list",
        "Choose a status from the list",
        "Choose a due date from the list",
    ):
        assert message in page
    assert len(listed(client, "?site_id=987654&status=finished&due=yesterday")) == 5


def test_a_trainer_never_sees_another_sites_action_even_by_filter(
    client, login_as, actions_network
):
    bradford, _, devon = actions_network["sites"]
    login_as("trainer", sites=[bradford])
    assert listed(client, f"?site_id={devon.id}&status=all") == [
        "Overdue by a day",
        "Due today",
        "Done",
    ]


def test_the_actions_list_is_paged_in_sql(client, login_as, make):
    site = make.site()
    _db.session.add_all(
        Action(site_id=site.id, description=f"Action {n:02d}", owner="Team", due_on=days(n))
        for n in range(1, 56)
    )
    _db.session.commit()
    login_as("admin")
    first, second = listed(client), listed(client, "?page=2")
    assert len(first) == 50 and len(second) == 5
    assert second[0] == "Action 51"
    assert "55 actions, page 1 of 2." in text_of(client.get("/actions"))


# Changing an action's status --------------------------------------------------------------


def test_marking_an_action_done_closes_it_today_and_is_audited(client, login_as, make):
    site = make.site()
    trainer = login_as("trainer", sites=[site])
    action = add_action(site, days(3))
    response = client.post(
        f"/actions/{action.id}/status",
        data={"status": "done", "version": action.version, "next": "/my-sites"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/my-sites"
    _db.session.refresh(action)
    assert (action.status, action.closed_on, action.version) == ("done", TODAY, 2)
    update = audit_rows("action")[-1]
    assert (update.action, update.user_id) == ("update", trainer.id)
    assert update.before == {"status": "open", "closed_on": None}
    assert update.after == {"status": "done", "closed_on": TODAY.isoformat()}


def test_dropping_with_a_date_and_opening_again(client, login_as, make):
    site = make.site()
    login_as("admin")
    action = add_action(site, days(-10))
    response = client.post(
        f"/actions/{action.id}/status",
        data=posted({"status": "dropped", "closed_on": days(-4).isoformat(), "version": 1}),
    )
    assert response.status_code == 302 and response.headers["Location"] == "/actions"
    _db.session.refresh(action)
    assert (action.status, action.closed_on) == ("dropped", days(-4))
    client.post(f"/actions/{action.id}/status", data={"status": "open", "version": 2})
    _db.session.refresh(action)
    assert (action.status, action.closed_on, action.version) == ("open", None, 3)


def test_a_stale_version_gets_a_409_with_what_changed_and_nothing_is_written(
    client, login_as, make
):
    site = make.site()
    login_as("trainer", sites=[site])
    action = add_action(site, days(3))
    action.status, action.closed_on = "dropped", days(-1)  # someone else, meanwhile
    _db.session.commit()
    response = client.post(f"/actions/{action.id}/status", data={"status": "done", "version": 1})
    assert response.status_code == 409
    page = text_of(response)
    assert "Someone else changed this action since you opened it: it is now dropped." in page
    assert '<input id="version" name="version" type="hidden" value="2">' in page
    _db.session.refresh(action)
    assert (action.status, action.version) == ("dropped", 2)
    no_version = client.post(f"/actions/{action.id}/status", data={"status": "done"})
    assert no_version.status_code == 409


def test_bad_status_changes_are_named_and_not_saved(client, login_as, make):
    site = make.site()
    login_as("trainer", sites=[site])
    action = add_action(site, days(3))
    response = client.post(
        f"/actions/{action.id}/status",
        data=posted({"status": "done", "closed_on": days(1).isoformat(), "version": 1}),
    )
    assert response.status_code == 422
    assert "The date closed must be today or in the past" in text_of(response)
    response = client.post(
        f"/actions/{action.id}/status",
        data={"status": "", **boxes("closed_on", "31", "2", str(TODAY.year)), "version": 1},
    )
    assert response.status_code == 422
    assert "Enter the date closed as a real date, for example 1 April 2015" in text_of(response)
    assert '<a href="#closed_on-day"' in text_of(response)
    response = client.post(f"/actions/{action.id}/status", data={"status": "x", "version": 1})
    assert "Choose done, dropped or open" in text_of(response)
    _db.session.refresh(action)
    assert (action.status, action.version) == ("open", 1)


def test_only_the_sites_trainers_and_admins_change_its_actions(client, login_as, make):
    site, other = make.site(), make.site()
    action = add_action(site, days(3))
    login_as("trainer", sites=[other])
    assert client.get(f"/actions/{action.id}/status").status_code == 403
    response = client.post(f"/actions/{action.id}/status", data={"status": "done", "version": 1})
    assert response.status_code == 403
    login_as("trainer", sites=[site])
    page = text_of(client.get(f"/actions/{action.id}/status?next=https://example.org/"))
    assert '<input id="next" name="next" type="hidden" value="/actions">' in page
    _db.session.refresh(action)
    assert action.status == "open"


# The calendar export ----------------------------------------------------------------------


def test_the_calendar_holds_the_upcoming_open_actions_of_the_trainers_sites(client, login_as, make):
    site = make.site(name="Walsall IPS team")
    other = make.site()
    trainer = login_as("trainer", sites=[site])
    due = add_action(site, days(10), description="Agree an employer engagement plan")
    today = add_action(site, TODAY, description="Send the caseload audit", owner="Team leader")
    add_action(site, days(-1), description="Overdue: not upcoming")
    add_action(site, days(20), status="done", description="Done already")
    add_action(other, days(5), description="Another site's")
    response = client.get("/my-sites/actions.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert 'filename="ips-actions-due.ics"' in response.headers["Content-Disposition"]
    calendar = Calendar.from_ical(response.data)
    events = calendar.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        "Walsall IPS team: Send the caseload audit",
        "Walsall IPS team: Agree an employer engagement plan",
    ]
    assert [e["uid"] for e in events] == [
        f"action-{today.id}@ips-network-tracker",
        f"action-{due.id}@ips-network-tracker",
    ]
    assert [e.decoded("dtstart") for e in events] == [TODAY, days(10)]
    assert [e.decoded("dtend") for e in events] == [days(1), days(11)]
    assert "Owner: Team leader" in str(events[0]["description"])
    again = Calendar.from_ical(client.get("/my-sites/actions.ics").data)
    assert [e["uid"] for e in again.walk("VEVENT")] == [e["uid"] for e in events]

    login_as("admin")
    assert client.get("/my-sites/actions.ics").status_code == 404
    by_admin = client.get(f"/my-sites/actions.ics?trainer_id={trainer.id}")
    assert len(Calendar.from_ical(by_admin.data).walk("VEVENT")) == 2


# The site page, the dashboard and the navigation ------------------------------------------


def test_the_site_page_flags_overdue_actions_and_lists_visits(client, login_as, make):
    site = make.site(name="Coventry IPS team")
    trainer = make.user("trainer", sites=[site], name="Regional trainer A")
    visit = add_visit(site, trainer, visited_on=days(-30), purpose="steering_group")
    add_action(site, days(-2), visit=visit, description="Recruit a second specialist")
    add_action(site, days(9), visit=visit, description="Plan the employer event")
    review = add_review(site, days(-50), 101)
    add_action(site, days(20), review=review, item=17, description="More employer contact")
    login_as(trainer)
    page = text_of(client.get(f"/sites/{site.id}"))
    section = page[page.index('<h2 id="visits-and-actions">') : page.index('<h2 id="programmes">')]
    assert "1 action is past the due date and still open." in section
    assert f'href="/visits/new?site_id={site.id}"' in section
    assert re.findall(r"<td[^>]*><span[^>]*>Action </span>([^<]+)</td>", section) == [
        "Recruit a second specialist",
        "Plan the employer event",
        "More employer contact",
    ]
    tags = re.findall(r'nhsuk-tag--(\w+)"\s*>\s*([^<]+?)\s*<', section)
    assert tags == [("red", "Overdue"), ("yellow", "Due soon"), ("blue", "Open")]
    latest = days(-30)
    assert f"{latest.day} {latest:%B %Y}: steering group</a> by Regional trainer A" in section
    assert "2 actions agreed" in section

    login_as("site_lead", sites=[site])
    page = text_of(client.get(f"/sites/{site.id}"))
    assert "1 action is past the due date" in page
    assert "/visits/new" not in page


def test_the_navigation_shows_my_sites_and_actions_to_whom_they_serve(client, login_as, make):
    def items(page: str) -> list[str]:
        return re.findall(r'class="nhsuk-header__navigation-link"[^>]*>\s*([^<]+?)\s*<', page)

    login_as("trainer")
    trainer_items = items(text_of(client.get("/")))
    assert "My sites" in trainer_items and "Actions" in trainer_items
    login_as("admin")
    admin_items = items(text_of(client.get("/")))
    assert "Actions" in admin_items and "My sites" not in admin_items
    login_as("site_lead", sites=[make.site()])
    lead_items = items(text_of(client.get("/")))
    assert "Actions" in lead_items and "My sites" not in lead_items  # their own site's actions


# The trainers' activity -------------------------------------------------------------------


def test_the_activity_page_counts_visits_per_trainer_and_lists_quiet_sites(client, login_as, make):
    this_month = TODAY.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    visited = make.site(name="Visited lately")
    quiet = make.site(name="Quiet for months")
    never = make.site(name="Never visited")
    make.site(name="Closed service", closed_on=days(-10))
    make.site(name="Not launched", launched_on=days(30))
    north = make.user("trainer", sites=[visited, quiet], name="Trainer North")
    south = make.user("trainer", name="Trainer South")
    add_visit(visited, north, visited_on=this_month, purpose="training")
    add_visit(visited, north, visited_on=last_month, purpose="training")
    add_visit(visited, south, visited_on=last_month, purpose="supervision")
    add_visit(quiet, north, visited_on=days(-91), purpose="other")
    add_visit(quiet, north, visited_on=days(-400), purpose="other")  # before the 12 months
    login_as("admin")
    response = client.get("/visits/activity")
    assert response.status_code == 200
    page = text_of(response)
    assert 'id="visits-by-month-chart-data"' in page and 'id="visits-by-purpose-chart-data"' in page
    assert "plotly-charts.min." in page
    assert "4 in all" in page

    def table(caption: str) -> dict[str, list[str]]:
        part = page[page.index(caption) :]
        part = part[: part.index("</table>")]
        rows = re.findall(
            r'<th scope="row" class="nhsuk-table__header">(?:<a [^>]*>)?([^<]+)(?:</a>)?</th>'
            r"((?:\s*<td[^>]*>\d+</td>)+)",
            part,
        )
        return {name: re.findall(r">(\d+)<", cells) for name, cells in rows}

    months = [this_month]
    while len(months) < 12:
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    north_visits = {this_month: 1, last_month: 1, days(-91).replace(day=1): 1}
    south_visits = {last_month: 1}
    by_month = table("Visits per trainer per month")
    assert by_month == {
        "Trainer North": [str(north_visits.get(m, 0)) for m in months] + ["3"],
        "Trainer South": [str(south_visits.get(m, 0)) for m in months] + ["1"],
    }
    assert table("Visits per trainer by purpose") == {
        "Trainer North": ["2", "0", "0", "0", "0", "1"],
        "Trainer South": ["0", "1", "0", "0", "0", "0"],
    }
    section = page[page.index('id="no-recent-visit"') :]
    names = re.findall(r'<a href="/sites/\d+">([^<]+)</a>', section)
    assert names == ["Never visited", "Quiet for months"]
    assert "Trainer North" in section  # quiet's trainer today
    assert f'href="/sites/{never.id}"' in section


# Admin: assignments -----------------------------------------------------------------------


def test_an_admin_assigns_a_trainer_and_ends_the_assignment(client, login_as, make):
    site = make.site(name="Dudley IPS team")
    trainer = make.user("trainer", name="Trainer Midlands")
    admin = login_as("admin")
    response = client.post(
        "/admin/assignments/new",
        data=posted(
            {"user_id": trainer.id, "site_id": site.id, "starts_on": days(-30).isoformat()}
        ),
    )
    assert response.status_code == 302
    assignment = _db.session.scalar(sa.select(Assignment))
    assert (assignment.user_id, assignment.site_id, assignment.starts_on, assignment.ends_on) == (
        trainer.id,
        site.id,
        days(-30),
        None,
    )
    page = text_of(client.get("/admin/assignments"))
    assert "Trainer Midlands" in page and "Dudley IPS team" in page and "Current" in page

    response = client.post(
        f"/admin/assignments/{assignment.id}/end",
        data=posted({"ends_on": days(-1).isoformat(), "version": 1}),
    )
    assert response.status_code == 302
    _db.session.refresh(assignment)
    assert assignment.ends_on == days(-1)
    events = audit_rows("assignment")
    assert [(e.action, e.user_id) for e in events] == [("create", admin.id), ("update", admin.id)]
    assert events[-1].after == {"ends_on": days(-1).isoformat()}
    assert "Ended" in text_of(client.get("/admin/assignments?q=dudley"))

    stale = client.post(
        f"/admin/assignments/{assignment.id}/end",
        data=posted({"ends_on": TODAY.isoformat(), "version": 1}),
    )
    assert stale.status_code == 409
    _db.session.refresh(assignment)
    assert assignment.ends_on == days(-1)


@pytest.mark.parametrize(
    ("role", "starts_on", "ends_on", "field", "message"),
    [
        ("site_lead", -10, None, "user_id", "Only a regional trainer can be assigned to a site"),
        ("trainer", -10, -11, "ends_on", "The end date must be on or after the start date"),
        ("trainer", -5, None, "starts_on", "This trainer is already assigned to this site"),
        ("trainer", -400, -20, "starts_on", "This trainer is already assigned to this site"),
    ],
)
def test_assignments_are_checked(client, login_as, make, role, starts_on, ends_on, field, message):
    site = make.site()
    trainer = make.user("trainer")
    _db.session.add(
        Assignment(user_id=trainer.id, site_id=site.id, starts_on=days(-30), ends_on=None)
    )
    _db.session.commit()
    user = trainer if role == "trainer" else make.user(role, sites=[site])
    login_as("admin")
    data = {"user_id": user.id, "site_id": site.id, "starts_on": days(starts_on).isoformat()}
    if ends_on is not None:
        data["ends_on"] = days(ends_on).isoformat()
    response = client.post("/admin/assignments/new", data=posted(data))
    assert response.status_code == 422
    assert message in text_of(response)
    assert count(Assignment) == 1


def test_an_assignment_that_ended_before_may_be_followed_by_a_new_one(client, login_as, make):
    site = make.site()
    trainer = make.user("trainer")
    _db.session.add(
        Assignment(user_id=trainer.id, site_id=site.id, starts_on=days(-300), ends_on=days(-31))
    )
    _db.session.commit()
    login_as("admin")
    response = client.post(
        "/admin/assignments/new",
        data=posted(
            {"user_id": trainer.id, "site_id": site.id, "starts_on": days(-30).isoformat()}
        ),
    )
    assert response.status_code == 302
    assert count(Assignment) == 2


# Who may use each page --------------------------------------------------------------------


@pytest.fixture
def one_of_each(make):
    funder = make.funder()
    programme = make.programme(funder=funder)
    site = make.site()
    make.participation(programme, site)
    visit = add_visit(site)
    action = add_action(site, days(5), visit=visit)
    users = {
        "admin": make.user("admin"),
        "trainer": make.user("trainer", sites=[site]),
        "site_lead": make.user("site_lead", sites=[site]),
        "funder": make.user("funder", funder=funder),
    }
    assignment = _db.session.scalar(sa.select(Assignment))
    return {"users": users, "visit": visit, "action": action, "assignment": assignment}


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/visits/new", {"admin", "trainer"}),
        ("/visits/{visit}", {"admin", "trainer", "site_lead"}),
        ("/visits/{visit}/edit", {"admin", "trainer"}),
        ("/visits/activity", {"admin"}),
        ("/actions", {"admin", "trainer", "site_lead"}),
        ("/actions/{action}/status", {"admin", "trainer", "site_lead"}),
        ("/my-sites", {"admin", "trainer"}),
        ("/my-sites/actions.ics", {"trainer"}),  # an admin names the trainer: 404 without
        ("/admin/assignments", {"admin"}),
        ("/admin/assignments/new", {"admin"}),
        ("/admin/assignments/{assignment}/end", {"admin"}),
    ],
)
def test_each_role_gets_the_pages_it_may_use(client, login_as, one_of_each, path, allowed):
    url = path.format(
        visit=one_of_each["visit"].id,
        action=one_of_each["action"].id,
        assignment=one_of_each["assignment"].id,
    )
    for role, user in one_of_each["users"].items():
        login_as(user)
        status = client.get(url).status_code
        if role in allowed:
            assert status == 200, (role, url, status)
        elif role == "admin":
            assert status == 404, (role, url, status)
        else:
            assert status == 403, (role, url, status)
    with client.session_transaction() as session:
        session.clear()
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


@pytest.mark.parametrize(
    ("path", "data", "refused"),
    [
        ("/visits/new", {}, ("site_lead", "funder")),
        ("/visits/{visit}/edit", visit_form(0, version="1"), ("site_lead", "funder")),
        ("/actions/{action}/status", {"status": "done", "version": "1"}, ("funder",)),
        ("/actions/{action}/status", {"status": "dropped", "version": "1"}, ("site_lead",)),
        ("/actions/{action}/undo", {"version": "1"}, ("funder",)),
        ("/admin/assignments/new", {}, ("site_lead", "funder")),
        (
            "/admin/assignments/{assignment}/end",
            posted({"ends_on": "2030-01-01", "version": "1"}),
            ("site_lead", "funder"),
        ),
    ],
)
def test_site_leads_and_funders_cannot_post(client, login_as, one_of_each, path, data, refused):
    url = path.format(
        visit=one_of_each["visit"].id,
        action=one_of_each["action"].id,
        assignment=one_of_each["assignment"].id,
    )
    visit, action = one_of_each["visit"], one_of_each["action"]
    before = (count(Visit), count(Assignment), action.version, visit.version)
    for role in refused:
        login_as(one_of_each["users"][role])
        assert client.post(url, data=data).status_code == 403
    _db.session.refresh(action)
    _db.session.refresh(visit)
    assert (count(Visit), count(Assignment), action.version, visit.version) == before
