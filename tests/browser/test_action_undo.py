"""In a real browser: a site lead finds their site's actions from the site page, marks one done
(the row stays where it was, with a Done tag, and a banner says what was marked), then clicks
"Undo" in the banner and sees the action open again in its place. No console errors, nothing from
another host, no serious accessibility problems on the way."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.browser.pages import assert_clean_and_accessible, log_in
from training.models import Action

pytestmark = pytest.mark.browser

TODAY = date.today()


def test_a_site_lead_marks_an_action_done_and_undoes_it(page_and_watch, live_server, make, db):
    from tests.training.visits.test_visits import add_action, add_visit

    site = make.site(name="Bradford IPS service")
    visit = add_visit(site, visited_on=TODAY - timedelta(days=7))
    for n, text in ((3, "Book the benefits clinic"), (6, "Call the job centre"), (9, "Plan")):
        add_action(site, TODAY + timedelta(days=n), visit=visit, description=text)
    lead = make.user("site_lead", sites=[site])
    page, watch = page_and_watch
    log_in(page, lead.email)
    page.wait_for_url(f"{live_server}/")

    page.goto(f"/sites/{site.id}")
    page.get_by_role("link", name="Every action of Bradford IPS service").click()
    page.wait_for_selector("h1:has-text('Actions')")
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    assert_clean_and_accessible(page, watch)

    second = rows.nth(1)
    assert "Call the job centre" in second.inner_text()
    name = re.compile(r"^Mark done\s*: Call the job centre \(Bradford IPS service\)$")
    second.get_by_role("button", name=name).click()

    banner = page.locator(".nhsuk-notification-banner")
    banner.wait_for()
    assert "Action marked done: Call the job centre" in banner.inner_text()
    rows = page.locator("tbody tr")
    assert rows.count() == 3  # nothing moved up under the pointer
    second = rows.nth(1)
    assert "Call the job centre" in second.inner_text()
    assert second.locator(".nhsuk-tag").inner_text().strip() == "Done"
    assert second.get_by_role("button", name=re.compile("^Mark done")).count() == 0
    db.session.expire_all()
    action = db.session.query(Action).filter_by(description="Call the job centre").one()
    assert (action.status, action.closed_on) == ("done", TODAY)
    assert_clean_and_accessible(page, watch)

    banner.get_by_role("button", name=re.compile("^Undo")).click()
    page.wait_for_selector("text=Undone: Call the job centre is open again.")
    assert page.locator(".nhsuk-notification-banner").count() == 0
    second = page.locator("tbody tr").nth(1)
    assert "Call the job centre" in second.inner_text()
    assert second.locator(".nhsuk-tag").inner_text().strip() == "Due soon"
    assert second.get_by_role("button", name=name).count() == 1
    db.session.expire_all()
    action = db.session.get(Action, action.id)
    assert (action.status, action.closed_on, action.version) == ("open", None, 3)
    assert_clean_and_accessible(page, watch)
