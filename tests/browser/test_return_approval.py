"""In a real browser: a site lead submits a month's return; programme staff send it back with a
reason; the site lead sees the reason on their home and on the return, corrects it and submits it
again; staff approve it; and the funder's page then counts it.

With SCREENSHOTS_DIR set, the return page and the approval list are saved there at 1280 and 375
pixels wide."""

from __future__ import annotations

import os
from datetime import date

import pytest

from sites.returns.rules import add_months
from tests.browser.pages import TIMEOUT_MS, Watch, assert_clean_and_accessible, log_in

pytestmark = pytest.mark.browser

MONTH = add_months(date.today().replace(day=1), -1)
FIGURES = {
    "Referrals": "12",
    "Caseload": "40",
    "New to the service": "9",
    "First contact within 4 weeks": "7",
    "Job starts": "7",
    "In work": "15",
    "Jobs sustained 13 weeks": "1",
    "Discharges": "2",
    "Employment specialists (full-time equivalent)": "2.5",
}


def signed_in(browser, live_server, email: str):
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch = Watch(live_server)
    watch.attach(page)
    log_in(page, email)
    page.wait_for_url(f"{live_server}/")
    return context, page, watch


def shoot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_return_is_sent_back_corrected_and_approved(browser, live_server, make, db):
    site = make.site(name="Riverside IPS")
    programme = make.programme(
        name="Making IPS Work", starts_on=date(2020, 1, 1), ends_on=date(2100, 1, 1)
    )
    make.participation(programme, site)
    lead = make.user("site_lead", sites=[site])
    admin = make.user("admin")
    funder = make.user("funder", funder=programme.funder)
    return_path = f"/sites/{site.id}/returns/{MONTH:%Y-%m}"

    lead_context, lead_page, lead_watch = signed_in(browser, live_server, lead.email)
    lead_page.goto(return_path)
    for label, value in FIGURES.items():
        lead_page.get_by_label(label, exact=True).fill(value)
    lead_page.get_by_label("Retail", exact=True).fill("7")
    lead_page.get_by_role("button", name="Submit return").click()
    lead_page.wait_for_selector("text=is submitted. Thank you.")

    staff_context, staff_page, staff_watch = signed_in(browser, live_server, admin.email)
    staff_page.get_by_role("link", name="1 return awaits approval").click()
    staff_page.wait_for_selector("h1:has-text('Returns awaiting approval')")
    assert_clean_and_accessible(staff_page, staff_watch)
    shoot(staff_page, "approval-list")
    staff_page.get_by_role("link", name="Riverside IPS").first.click()
    staff_page.wait_for_selector("h1:has-text('Monthly return for')")
    assert_clean_and_accessible(staff_page, staff_watch)
    shoot(staff_page, "return-page-staff")
    staff_page.get_by_label("Why are you sending this return back?").fill(
        "Job starts look high: check them against the sectors."
    )
    staff_page.get_by_role("button", name="Send this return back").click()
    staff_page.wait_for_selector("text=is sent back")

    lead_page.goto("/")
    home = lead_page.inner_text("main")
    assert "Returns sent back" in home
    assert "Job starts look high: check them against the sectors." in home
    assert_clean_and_accessible(lead_page, lead_watch)
    lead_page.get_by_role("link", name=f"{MONTH:%B %Y} return for Riverside IPS").first.click()
    lead_page.wait_for_selector("text=Sent back by programme staff")
    assert "Job starts look high" in lead_page.inner_text("main")
    assert_clean_and_accessible(lead_page, lead_watch)
    shoot(lead_page, "return-page-sent-back")
    lead_page.get_by_label("Job starts", exact=True).fill("6")
    lead_page.get_by_label("Retail", exact=True).fill("6")
    lead_page.get_by_role("button", name="Submit return again").click()
    lead_page.wait_for_selector("text=is submitted again")

    funder_context, funder_page, funder_watch = signed_in(browser, live_server, funder.email)
    achieved = funder_page.locator("dt:has-text('Achieved') + dd").first
    assert achieved.inner_text().strip() == "0"  # submitted, not yet approved

    staff_page.goto(return_path)
    staff_page.get_by_role("button", name="Approve this return").click()
    staff_page.wait_for_selector("text=is approved.")
    steps = staff_page.locator("#steps + table").inner_text()
    for move in ("Submitted", "Sent back", "Resubmitted", "Approved"):
        assert move in steps
    assert_clean_and_accessible(staff_page, staff_watch)
    shoot(staff_page, "return-page-approved")

    funder_page.reload()
    assert funder_page.locator("dt:has-text('Achieved') + dd").first.inner_text().strip() == "6"
    assert_clean_and_accessible(funder_page, funder_watch)
    for context in (lead_context, staff_context, funder_context):
        context.close()
