"""In a real browser: an assigned trainer fills a fidelity review but leaves one item unscored,
reaches the check page, follows its error to the item, scores it, checks the whole review again
and finalises it. Then an admin reopens the final review: a blank reason is refused at its field,
a reason is accepted, and the review page shows the draft with the reason. No console errors,
nothing from another host, no serious accessibility problems on the new pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.browser import axe
from tests.browser.pages import assert_clean_and_accessible, fill_date, log_in
from training.models import FidelityReview

pytestmark = pytest.mark.browser

REVIEWED_ON = date.today() - timedelta(days=14)
UNSCORED = 9  # Zero exclusion criteria: left for the check page to find
REASON = "Item 15 was scored from last year's caseload figures; rescore it from this year's."
EVERY_IMPACT = ("minor", "moderate", "serious", "critical")  # as tests/browser/test_crawl.py


def assert_no_axe_violation_at_all(page, watch) -> None:
    """The crawler's bar for the new pages: no console error, no outside request, and no axe
    violation of any impact."""
    assert_clean_and_accessible(page, watch)
    found = axe.violations(page, impacts=EVERY_IMPACT)
    assert not found, f"on {page.url}:\n{axe.describe(found)}"


def test_a_review_is_checked_finalised_and_reopened_by_an_admin(
    page_and_watch, live_server, make, db
):
    site = make.site(name="Blackpool IPS")
    trainer = make.user("trainer", sites=[site], name="Robin Reviewer")
    admin = make.user("admin", name="Programme Admin")
    page, watch = page_and_watch

    # The trainer fills the review, all but one item, and asks to check it.
    log_in(page, trainer.email)
    page.wait_for_url(f"{live_server}/")
    page.goto(f"/sites/{site.id}/fidelity-reviews/new")
    page.wait_for_selector("h1:has-text('New fidelity review')")
    fill_date(page.get_by_role("group", name="Date of the review"), REVIEWED_ON)
    page.check("#kind-2")  # peer review
    for item in range(1, 26):
        if item != UNSCORED:
            page.check(f"#score_{item}-5" if item % 2 else f"#score_{item}-4")
    page.get_by_role("button", name="Check and finalise").click()

    page.wait_for_selector("h1:has-text('Check the review before you finalise it')")
    assert page.title().startswith("Error: ")
    summary = page.locator(".nhsuk-error-summary")
    assert summary.inner_text().count("Score item") == 1
    assert "Score item 9 (Zero exclusion criteria)" in summary.inner_text()
    assert page.get_by_role("button", name="Finalise review").count() == 0
    assert "Not yet: 24 of 25 items scored" in page.inner_text("body")
    assert_no_axe_violation_at_all(page, watch)

    # Its link leads to the item on the form; scored, the review goes back to the check page.
    summary.get_by_role("link", name="Score item 9 (Zero exclusion criteria)").click()
    page.wait_for_selector("h1:has-text('Draft fidelity review')")
    assert page.url.endswith(f"#score_{UNSCORED}")
    page.check(f"#score_{UNSCORED}-4")
    page.get_by_role("button", name="Check and finalise").click()

    page.wait_for_selector("h1:has-text('Check the review before you finalise it')")
    assert page.locator(".nhsuk-error-summary").count() == 0
    body = page.inner_text("body")
    # 13 odd items at 5, 12 even items at 4, item 9 (odd) at 4: 12 x 5 + 13 x 4 = 112, Good.
    assert "112 of 125" in body and "Blackpool IPS" in body and "Peer review" in body
    row = page.locator(".nhsuk-summary-list__row").filter(has_text="9. Zero exclusion")
    assert row.locator(".nhsuk-summary-list__value").inner_text().startswith("4 of 5")
    assert page.get_by_role("link", name="Change item 9").count() == 1
    assert_no_axe_violation_at_all(page, watch)
    page.get_by_role("button", name="Finalise review").click()

    page.wait_for_selector("h1:has-text('Fidelity review,')")
    assert "The review is final: 112 of 125, Good." in page.inner_text("body")
    assert page.get_by_role("link", name="Reopen this review").count() == 0  # trainers cannot
    review = db.session.scalars(sa.select(FidelityReview)).one()
    assert (review.status, review.total) == ("final", 112)

    # An admin reopens it: first without a reason, then with one.
    page.get_by_role("button", name="Log out").click()
    log_in(page, admin.email)
    page.wait_for_url(f"{live_server}/")
    page.goto(f"/fidelity-reviews/{review.id}")
    page.get_by_role("link", name="Reopen this review").click()
    page.wait_for_selector("h1:has-text('Reopen this review')")
    assert_no_axe_violation_at_all(page, watch)
    page.get_by_role("button", name="Reopen this review").click()

    page.wait_for_selector(".nhsuk-error-summary")
    assert page.title().startswith("Error: ")
    assert "Enter why you are reopening this review" in page.locator("#reason-error").inner_text()
    assert_no_axe_violation_at_all(page, watch)
    page.get_by_label("Why are you reopening this review?").fill(REASON)
    page.get_by_role("button", name="Reopen this review").click()

    page.wait_for_selector("h1:has-text('Fidelity review,')")
    body = page.inner_text("body")
    assert "The review is a draft again." in body
    assert f"Reopened by an admin: {REASON}" in body
    assert page.locator(".nhsuk-tag").first.inner_text() == "Draft"
    assert_no_axe_violation_at_all(page, watch)
    db.session.expire_all()
    review = db.session.get(FidelityReview, review.id)
    assert (review.status, review.total, review.reopen_reason) == ("draft", None, REASON)

    # The reopened draft's form and check page say why it was reopened.
    page.get_by_role("link", name="Check and finalise").click()
    page.wait_for_selector("h1:has-text('Check the review before you finalise it')")
    assert f"Reopened by an admin: {REASON}" in page.inner_text("body")
    assert_no_axe_violation_at_all(page, watch)
    page.get_by_role("link", name="Change the review").click()
    page.wait_for_selector("h1:has-text('Draft fidelity review')")
    assert f"Reopened by an admin: {REASON}" in page.inner_text("body")
