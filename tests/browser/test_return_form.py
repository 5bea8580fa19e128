"""In a real browser: a site lead sends a month's return with one mistake, sees the error summary,
follows it to the field, corrects it and submits."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from sites.models import MonthlyReturn
from sites.returns.rules import add_months
from tests.browser.pages import assert_clean_and_accessible, log_in

pytestmark = pytest.mark.browser

MONTH = add_months(date.today().replace(day=1), -1)


def test_a_site_lead_corrects_an_error_and_submits(page_and_watch, live_server, make, db):
    site = make.site(name="Riverside IPS")
    make.participation(make.programme(starts_on=date(2020, 1, 1), ends_on=date(2100, 1, 1)), site)
    lead = make.user("site_lead", sites=[site])
    page, watch = page_and_watch
    log_in(page, lead.email)
    page.wait_for_url(f"{live_server}/")

    page.get_by_role("link", name="Returns").first.click()
    # "Send" once the month's due date has passed, "Start" before it.
    month_link = re.compile(f"^(Send|Start) the {MONTH:%B %Y} return for Riverside IPS$")
    page.get_by_role("link", name=month_link).click()
    page.wait_for_selector("h1:has-text('Monthly return for')")
    assert_clean_and_accessible(page, watch)

    figures = {
        "Referrals": "12",
        "Caseload": "40",
        "New to the service": "9",
        "First contact within 4 weeks": "7",
        "Job starts": "3",
        "In work": "45",  # more than the caseload: the one mistake
        "Jobs sustained 13 weeks": "1",
        "Discharges": "2",
        "Employment specialists (full-time equivalent)": "2.5",
    }
    for label, value in figures.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Retail", exact=True).fill("2")
    page.get_by_label("Hospitality", exact=True).fill("1")
    page.get_by_role("button", name="Submit return").click()

    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    assert "In work must be no more than the caseload (40)" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_clean_and_accessible(page, watch)
    assert db.session.scalar(sa.select(sa.func.count(MonthlyReturn.id))) == 0

    summary.get_by_role("link", name="In work must be no more than the caseload (40)").click()
    in_work = page.get_by_label("In work", exact=True)
    assert in_work.evaluate("element => element === document.activeElement")
    in_work.fill("15")
    page.get_by_role("button", name="Submit return").click()

    page.wait_for_selector("text=is submitted. Thank you.")
    assert page.locator(".nhsuk-error-summary").count() == 0
    assert "History of this return" in page.inner_text("body")
    db.session.expire_all()
    saved = db.session.scalars(sa.select(MonthlyReturn)).one()
    assert (saved.status, saved.in_work, saved.job_starts) == ("submitted", 15, 3)
    assert_clean_and_accessible(page, watch)
