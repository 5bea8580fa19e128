"""In a real browser: programme staff record that a Centre of Excellence mentors a site, then
schedule a fidelity review of that site with two reviewers, the Centre's own staff member refused
for the conflict (the message at the field), and see the mentoring on the Centres page and the
Centre's page and the scheduled review on the site's page. No console errors, nothing from
another host, no serious accessibility problems on the way."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.pages import assert_clean_and_accessible, fill_date, log_in

pytestmark = pytest.mark.browser

TODAY = date.today()


def choose(select, text: str) -> None:
    """Pick the option of `select` whose label includes `text` (labels may add the organisation)."""
    select.select_option(label=select.locator("option", has_text=text).first.inner_text())


def long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def test_staff_record_a_mentoring_and_schedule_a_review_refusing_a_conflict(
    page_and_watch, live_server, make, db
):
    centre = make.site(name="Bradford Centre")
    make.designation(centre, awarded_on=date(2016, 6, 1))
    mentee = make.site(name="Calderdale IPS")
    admin = make.user("admin", name="Programme lead")
    make.user("site_lead", name="Casey Centre", organisation_id=centre.organisation_id)
    make.user("trainer", name="Terry Trainer")
    make.user("trainer", name="Tina Trainer")
    page, watch = page_and_watch
    log_in(page, admin.email)
    page.wait_for_url(f"{live_server}/")

    # The mentoring, from the Centre's page.
    page.goto(f"/sites/{centre.id}")
    page.locator(f"a[href$='/admin/mentoring/new?mentor_site_id={centre.id}']").click()
    page.wait_for_selector("h1:has-text('Record mentoring')")
    assert_clean_and_accessible(page, watch)
    choose(page.get_by_label("Mentored site"), "Calderdale IPS")
    fill_date(page.get_by_role("group", name="Start date"), TODAY - timedelta(days=30))
    page.get_by_role("button", name="Record mentoring").click()
    page.wait_for_selector("#mentees")
    assert "Calderdale IPS" in page.locator("#mentees").inner_text()

    # The review, from the mentored site's page: the Centre's staff member is refused.
    page.goto(f"/sites/{mentee.id}")
    page.get_by_role("link", name="Schedule a fidelity review of Calderdale IPS").click()
    page.wait_for_selector("h1:has-text('Schedule a fidelity review')")
    assert_clean_and_accessible(page, watch)
    planned = TODAY + timedelta(days=21)
    fill_date(page.get_by_role("group", name="Date of the review"), planned)
    page.get_by_label("Kind of review").select_option(label="Peer review")
    page.get_by_label("Lead reviewer").select_option(label="Terry Trainer")
    choose(page.get_by_label("Second reviewer"), "Casey Centre")  # the Centre's staff member
    page.get_by_role("button", name="Schedule review").click()

    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    message = summary.get_by_role("link").inner_text()
    assert "Casey Centre works at" in message and "mentors this site" in message
    assert message in page.locator("#second_reviewer_id-error").inner_text()
    assert_clean_and_accessible(page, watch)
    summary.get_by_role("link").click()
    assert page.evaluate("() => document.activeElement.id") == "second_reviewer_id"

    # Another reviewer; the lead cannot second themselves either.
    page.get_by_label("Second reviewer").select_option(label="Terry Trainer")
    page.get_by_role("button", name="Schedule review").click()
    page.locator(".nhsuk-error-summary").wait_for()
    assert (
        "someone other than the lead reviewer" in page.locator(".nhsuk-error-summary").inner_text()
    )
    page.get_by_label("Second reviewer").select_option(label="Tina Trainer")
    page.get_by_role("button", name="Schedule review").click()

    # The site's page says when and who; the Centres page lists the mentee.
    page.wait_for_selector("#next-scheduled-review")
    assert (
        page.locator("#next-scheduled-review")
        .inner_text()
        .startswith(
            f"Next review: scheduled for {long(planned)}, led by Terry Trainer with Tina Trainer"
        )
    )
    assert "Mentored by Bradford Centre" in page.locator("#mentored-by").inner_text()
    assert_clean_and_accessible(page, watch)
    page.goto("/centres")
    row = page.locator("#centres tr", has_text="Bradford Centre")
    assert "Calderdale IPS" in row.inner_text()
    assert_clean_and_accessible(page, watch)
    page.goto("/reviews/due")
    assert "led by Terry Trainer" in page.locator("tr", has_text="Calderdale IPS").inner_text()
    assert_clean_and_accessible(page, watch)
