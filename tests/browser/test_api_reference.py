"""In a real browser: the API reference page passes axe with no violation of any impact."""

from __future__ import annotations

import pytest

from tests.browser import axe
from tests.browser.pages import assert_clean_and_accessible, log_in

pytestmark = pytest.mark.browser


def test_the_api_reference_is_accessible(page_and_watch, live_server, make, db):
    user = make.user("trainer")
    page, watch = page_and_watch
    log_in(page, user.email)
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/account")
    page.get_by_role("link", name="API reference").click()
    page.wait_for_selector("h1:has-text('API reference')")
    assert_clean_and_accessible(page, watch)
    every_impact = axe.violations(page, impacts=("minor", "moderate", "serious", "critical"))
    assert not every_impact, axe.describe(every_impact)
