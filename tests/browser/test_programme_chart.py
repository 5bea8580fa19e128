"""In a real browser: logging in through the form, and a funder's programme page drawing its
progress chart with the Plotly we serve, with no console errors, no request to any other host and
no serious accessibility problems."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest

from tests.browser import axe
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000


@dataclass
class Watch:
    """What the page did that it should not: console errors, uncaught errors, outside requests."""

    base_url: str
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("request", self._request)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} at {message.location}")

    def _request(self, request) -> None:
        url = request.url
        if not (url.startswith(self.base_url + "/") or url.startswith(("data:", "blob:"))):
            self.outside.append(url)

    def assert_clean(self) -> None:
        assert self.errors == [], "\n".join(self.errors)
        assert self.outside == [], f"requests left {self.base_url}: {self.outside}"


@pytest.fixture
def page_and_watch(browser, live_server) -> Iterator[tuple]:
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch = Watch(live_server)
    watch.attach(page)
    try:
        yield page, watch
    finally:
        context.close()


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()


def assert_clean_and_accessible(page, watch: Watch) -> None:
    """No console errors, no outside requests, no serious or critical axe violations: all three
    reported together, so one failure does not hide the others."""
    found = axe.violations(page)
    problems = []
    if watch.errors:
        problems.append("console errors:\n    " + "\n    ".join(watch.errors))
    if watch.outside:
        problems.append(f"requests that left {watch.base_url}: {watch.outside}")
    if found:
        problems.append(f"axe violations:\n{axe.describe(found)}")
    assert not problems, f"on {page.url}:\n" + "\n".join(problems)


@pytest.fixture
def funded_programme(make):
    """A funder's user and a programme it funds: two sites, twelve months of submitted returns."""
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
            make.monthly_return(site, date(2020, month, 1), job_starts=2 + month % 3)
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
