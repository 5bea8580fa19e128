"""In a real browser: a trainer logs a visit with two agreed actions, adding the second row with
"Add another action" (and putting right a date missing its month, from the error summary's
link), then marks the first one done from "My sites". No console errors, nothing from another
host, no serious accessibility problems on the way."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.browser.pages import assert_clean_and_accessible, fill_date, log_in
from training.models import Action, Visit

pytestmark = pytest.mark.browser

TODAY = date.today()


def test_a_trainer_logs_a_visit_with_two_actions_then_marks_one_done(
    page_and_watch, live_server, make, db
):
    site = make.site(name="Walsall IPS team")
    make.site(name="Someone else's site")
    trainer = make.user("trainer", sites=[site])
    page, watch = page_and_watch
    log_in(page, trainer.email)
    page.wait_for_url(f"{live_server}/")

    page.get_by_role("link", name="My sites").first.click()
    page.wait_for_selector("h1:has-text('My sites')")
    assert "No open actions" in page.locator("tbody").inner_text()
    page.get_by_role("link", name="Log a visit").click()
    page.wait_for_selector("h1:has-text('Log a visit')")
    page.wait_for_load_state("networkidle")
    # With JavaScript one empty action row is shown, and the button adds more.
    assert page.locator("fieldset:has(h3:has-text('Action'))").count() == 1
    assert_clean_and_accessible(page, watch)

    page.get_by_label("Site", exact=True).select_option(value=str(site.id))
    visited_on, second_due = TODAY - timedelta(days=1), TODAY + timedelta(days=20)
    visit_date = page.get_by_role("group", name="Date of the visit")
    fill_date(visit_date, visited_on)
    visit_date.get_by_label("Month", exact=True).fill("")  # a slip, put right below
    page.get_by_label("Employer engagement").check()
    page.get_by_label("Summary").fill("Visited two employers with the team; planned follow-ups.")
    page.locator("#actions-0-description").fill("Follow up the hotel group")
    page.locator("#actions-0-owner").fill("Employment team")
    fill_date(page.locator("#actions-0-due_on"), TODAY + timedelta(days=5))

    page.get_by_role("button", name="Add another action").click()
    second = page.locator("#actions-1-description")
    second.wait_for()
    assert second.evaluate("element => element === document.activeElement")
    assert page.locator("h3:has-text('Action 2')").count() == 1
    second.fill("Share the vacancy list with the clinical teams")
    page.locator("#actions-1-owner").fill("Team leader")
    fill_date(page.locator("#actions-1-due_on"), second_due)
    assert_clean_and_accessible(page, watch)
    page.get_by_role("button", name="Log visit").click()

    # The missing month is named in the summary and at the date, only its box is marked, what
    # was typed is kept, and the summary's link puts the focus in the month box.
    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    assert summary.get_by_role("link").all_inner_texts() == [
        "The date of the visit must include a month"
    ]
    assert "The date of the visit must include a month" in visit_date.inner_text()
    marked = page.locator(".nhsuk-input--error").evaluate_all("boxes => boxes.map(b => b.id)")
    assert marked == ["visited_on-month"]
    assert page.locator("#visited_on-day").input_value() == str(visited_on.day)
    assert page.locator("#actions-1-due_on-day").input_value() == str(second_due.day)
    assert_clean_and_accessible(page, watch)
    summary.get_by_role("link").click()
    assert page.evaluate("() => document.activeElement.id") == "visited_on-month"
    page.keyboard.type(str(visited_on.month))
    page.get_by_role("button", name="Log visit").click()

    page.wait_for_selector("h1:has-text('Visit of')")
    assert "with 2 agreed actions" in page.locator("[role=status]").inner_text()
    visit = db.session.scalar(sa.select(Visit))
    actions = db.session.scalars(sa.select(Action).order_by(Action.due_on)).all()
    assert (visit.site_id, visit.purpose) == (site.id, "employer_engagement")
    assert [a.description for a in actions] == [
        "Follow up the hotel group",
        "Share the vacancy list with the clinical teams",
    ]
    assert_clean_and_accessible(page, watch)

    page.get_by_role("link", name="My sites").first.click()
    page.wait_for_selector("h1:has-text('My sites')")
    row = page.locator("tbody tr", has_text="Walsall IPS team")
    assert "Follow up the hotel group" in row.inner_text()
    assert_clean_and_accessible(page, watch)
    name = re.compile(r"^Mark done\s*: Follow up the hotel group \(Walsall IPS team\)$")
    row.get_by_role("button", name=name).click()

    page.wait_for_selector("text=Action marked done: Follow up the hotel group")
    assert page.url == f"{live_server}/my-sites"
    row = page.locator("tbody tr", has_text="Walsall IPS team")
    assert "Share the vacancy list with the clinical teams" in row.inner_text()
    assert "1 open" in row.inner_text()
    db.session.expire_all()
    done = db.session.get(Action, actions[0].id)
    assert (done.status, done.closed_on) == ("done", TODAY)
    assert_clean_and_accessible(page, watch)


def test_an_admins_pages_for_trainers_work_are_clean_and_accessible(
    page_and_watch, live_server, make, db
):
    """The actions list, an action's status page, the trainers' activity with its two charts, and
    the assignments pages, as an admin."""
    from tests.training.visits.test_visits import add_action, add_review, add_visit

    site = make.site(name="Dudley IPS team")
    trainer = make.user("trainer", sites=[site], name="Regional trainer (test)")
    visit = add_visit(site, trainer, visited_on=TODAY - timedelta(days=20))
    add_action(site, TODAY - timedelta(days=2), visit=visit, description="Overdue action")
    review = add_review(site, TODAY - timedelta(days=30), 88)
    action = add_action(site, TODAY + timedelta(days=4), review=review, item=17)
    admin = make.user("admin")
    page, watch = page_and_watch
    log_in(page, admin.email)
    page.wait_for_url(f"{live_server}/")
    assert_clean_and_accessible(page, watch)  # the dashboard, with its "Overdue actions" card

    page.get_by_role("link", name="Overdue actions").click()
    page.wait_for_selector("h1:has-text('Actions')")
    assert "1 action." in page.locator("[role=status]").inner_text()
    assert_clean_and_accessible(page, watch)

    page.goto(f"/actions/{action.id}/status")
    page.wait_for_selector("h1:has-text('Change an action')")
    assert_clean_and_accessible(page, watch)

    page.goto("/visits/activity")
    page.wait_for_selector("h1:has-text('Trainers')")
    page.wait_for_selector("#visits-by-month-chart .main-svg")
    page.wait_for_selector("#visits-by-purpose-chart .main-svg")
    assert_clean_and_accessible(page, watch)

    page.goto("/admin/assignments")
    page.wait_for_selector("h1:has-text('assignments')")
    assert_clean_and_accessible(page, watch)
    page.get_by_role("button", name="Assign a trainer to a site").click()
    page.wait_for_selector("h1:has-text('Assign a trainer')")
    page.get_by_role("button", name="Assign trainer").click()
    page.wait_for_selector(".nhsuk-error-summary")
    assert_clean_and_accessible(page, watch)
