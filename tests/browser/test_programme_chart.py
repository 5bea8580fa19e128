"""In a real browser: logging in through the form, and a funder's programme page drawing its
progress chart with the Plotly we serve, with no console errors, no request to any other host and
no serious accessibility problems."""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser.pages import assert_clean_and_accessible, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def funded_programme(make):
    """A funder's user and a programme it funds: two sites, twelve months of approved returns."""
    funder = make.funder(name="Department of Health innovation fund")
    user = make.user("funder", funder=funder)
    programme = make.programme(
        funder=funder,
        name="Making IPS Work",
        starts_on=date(2020, 1, 1),
        ends_on=date(2022, 12, 31),
        job_start_target=180,
    )
    for name in ("Bradford IPS", "Berkshire IPS"):
        site = make.site(name=name)
        make.participation(programme, site)
        for month in range(1, 13):
            make.monthly_return(
                site, date(2020, month, 1), job_starts=2 + month % 3, status="approved"
            )
    return user, programme


def test_login_page_is_clean_and_accessible(page_and_watch, live_server) -> None:
    page, watch = page_and_watch
    response = page.goto("/login")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    assert_clean_and_accessible(page, watch)


def test_logging_in_through_the_form_lands_on_the_dashboard(
    page_and_watch, live_server, make
) -> None:
    page, watch = page_and_watch
    user = make.user("admin")
    log_in(page, user.email)
    page.wait_for_url(f"{live_server}/")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("button", name="Log out").count() == 1
    watch.assert_clean()


def test_wrong_password_shows_the_error_summary(page_and_watch, live_server, make) -> None:
    page, watch = page_and_watch
    user = make.user("site_lead")
    page.goto("/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "not the password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{live_server}/login")
    assert "Enter a correct email address and password" in page.inner_text("body")
    assert_clean_and_accessible(page, watch)


def test_programme_page_draws_its_chart(page_and_watch, live_server, funded_programme) -> None:
    page, watch = page_and_watch
    user, programme = funded_programme
    log_in(page, user.email)
    page.wait_for_url(f"{live_server}/")

    response = page.goto(f"/programmes/{programme.id}")
    assert response.status == 200, f"/programmes/{programme.id} answered {response.status}"
    page.wait_for_selector("[data-figure-id] svg.main-svg", state="attached")
    assert page.locator("[data-figure-id] svg.main-svg").count() >= 1
    page.wait_for_load_state("networkidle")

    assert_clean_and_accessible(page, watch)
