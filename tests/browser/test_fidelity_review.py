"""In a real browser: an assigned trainer scores a whole fidelity review with the keyboard alone
(Tab between items, arrow keys and Space on the radios), watches the running total and band,
finalises the review from its check page and sees its band on the review page. Then the network
profile draws its heatmap. No console errors, nothing from another host, no serious accessibility
problems."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.browser.pages import assert_clean_and_accessible, log_in
from training.models import FidelityReview

pytestmark = pytest.mark.browser

REVIEWED_ON = date.today() - timedelta(days=7)
# 21 items at 5, three at 4 and one at 1: 105 + 12 + 1 = 118 of 125, Exemplary.
SCORES = {n: 5 for n in range(1, 26)} | {13: 1, 20: 4, 21: 4, 22: 4}


def focused(page) -> dict:
    return page.evaluate(
        "() => ({id: document.activeElement.id, name: document.activeElement.name,"
        " text: document.activeElement.textContent.trim(), tag: document.activeElement.tagName})"
    )


def type_date(page, field_id: str, day: date | None) -> None:
    """The focus is in the date's day box: type the day, Tab, the month, Tab, the year (or leave
    the three boxes blank), and Tab out of the date."""
    for part in ("day", "month", "year"):
        assert focused(page)["id"] == f"{field_id}-{part}"
        if day is not None:
            page.keyboard.type(str(getattr(day, part)))
        page.keyboard.press("Tab")


def choose_with_keys(page, item: int, score: int) -> None:
    """The first radio of the item has the focus and none is chosen: Space chooses 1; each
    arrow-down moves to (and chooses) the next score."""
    assert focused(page)["id"] == f"score_{item}", f"item {item}: focus is on {focused(page)}"
    if score == 1:
        page.keyboard.press("Space")
    for _ in range(score - 1):
        page.keyboard.press("ArrowDown")
    chosen = page.locator(f"input[name=score_{item}]:checked")
    assert chosen.get_attribute("value") == str(score)


def test_a_trainer_scores_a_review_with_the_keyboard_and_finalises_it(
    page_and_watch, live_server, make, db
):
    site = make.site(name="Worcestershire IPS")
    trainer = make.user("trainer", sites=[site], name="Robin Reviewer")
    page, watch = page_and_watch
    log_in(page, trainer.email)
    page.wait_for_url(f"{live_server}/")

    page.goto(f"/sites/{site.id}/fidelity-reviews/new")
    page.wait_for_selector("h1:has-text('New fidelity review')")
    page.wait_for_load_state("networkidle")
    total = page.locator("#running-total")
    assert total.get_attribute("aria-live") == "polite"
    assert total.inner_text() == (
        "Running total: 0 from 0 of 25 items scored. The band shows when all 25 items are scored."
    )
    assert_clean_and_accessible(page, watch)

    page.get_by_role("group", name="Date of the review").get_by_label("Day").focus()
    type_date(page, "reviewed_on", REVIEWED_ON)  # and on into the kinds of review
    assert focused(page)["id"] == "kind"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # external review
    assert page.locator("input[name=kind]:checked").get_attribute("value") == "external_review"
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "lead_reviewer"
    assert page.locator("#lead_reviewer").input_value() == "Robin Reviewer"

    moved = False
    for item in range(1, 26):
        if not moved:
            page.keyboard.press("Tab")  # into the item's radios
        moved = False
        choose_with_keys(page, item, SCORES[item])
        page.keyboard.press("Tab")
        assert focused(page)["id"] == f"note_{item}"
        page.keyboard.press("Tab")  # the "Plan an action" summary
        assert focused(page)["tag"] == "SUMMARY"
        if item == 13:
            # Plan an action for the weak item: open the details with Enter and type it.
            page.keyboard.press("Enter")
            page.keyboard.press("Tab")
            assert focused(page)["id"] == "action_description_13"
            page.keyboard.type("Discuss disclosure with everyone before the job search")
            page.keyboard.press("Tab")
            page.keyboard.type("Team leader")
            page.keyboard.press("Tab")  # the due date: left blank, six weeks after the review
            type_date(page, "action_due_on_13", None)
            moved = True
        if item == 24:
            assert total.inner_text() == (
                "Running total: 113 from 24 of 25 items scored. "
                "The band shows when all 25 items are scored."
            )
    assert total.inner_text() == "Total: 118 of 125 (all 25 items scored). Band: Exemplary."

    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Save draft"
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Check and finalise"
    page.keyboard.press("Enter")

    page.wait_for_selector("h1:has-text('Check the review before you finalise it')")
    page.get_by_role("button", name="Finalise review").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Fidelity review,')")
    body = page.inner_text("body")
    assert "The review is final: 118 of 125, Exemplary. 1 action added to the action plan." in body
    assert page.locator(".nhsuk-summary-list .nhsuk-tag").inner_text() == "Exemplary"
    assert "Discuss disclosure with everyone before the job search" in body
    due = REVIEWED_ON + timedelta(weeks=6)
    assert f"{due.day} {due:%B %Y}" in body
    page.wait_for_selector("#review-scores-chart svg.main-svg", state="attached")
    page.wait_for_load_state("networkidle")
    assert_clean_and_accessible(page, watch)

    db.session.expire_all()
    review = db.session.scalars(sa.select(FidelityReview)).one()
    assert (review.status, review.total, review.kind) == ("final", 118, "external_review")

    page.goto("/fidelity/profile")
    page.wait_for_selector("#fidelity-heatmap svg.main-svg", state="attached")
    page.wait_for_load_state("networkidle")
    assert "1 site with a final review." in page.inner_text("body")
    assert_clean_and_accessible(page, watch)
