"""What browser tests share: watching a page for console errors and requests that leave the live
server, logging in through the form, and the axe check. The `page_and_watch` fixture is in
tests/browser/conftest.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tests.browser import axe
from tests.factories import PASSWORD

TIMEOUT_MS = 15_000


INTENDED_STATUSES = (409, 422)


@dataclass
class Watch:
    """What the page did that it should not: console errors, uncaught errors, outside requests."""

    base_url: str
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        self._page = page
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("request", self._request)

    def _console(self, message) -> None:
        if message.type != "error":
            return
        # Chromium logs every 4xx page as a failed resource. A form page that shows its errors
        # answers 422 (or 409 for a conflict) on purpose: that page is not an error of the page.
        intended = any(f"status of {code} " in message.text for code in INTENDED_STATUSES)
        if intended and message.location.get("url") == self.page_url:
            return
        self.errors.append(f"console: {message.text} at {message.location}")

    @property
    def page_url(self) -> str:
        return self._page.url

    def _request(self, request) -> None:
        url = request.url
        if not (url.startswith(self.base_url + "/") or url.startswith(("data:", "blob:"))):
            self.outside.append(url)

    def assert_clean(self) -> None:
        assert self.errors == [], "\n".join(self.errors)
        assert self.outside == [], f"requests left {self.base_url}: {self.outside}"


def fill_date(scope, value: date) -> None:
    """Type a date in the day, month and year boxes of an NHS.UK date input (`scope`: its
    fieldset, found by its legend, or anything that holds one date)."""
    scope.get_by_label("Day", exact=True).fill(str(value.day))
    scope.get_by_label("Month", exact=True).fill(str(value.month))
    scope.get_by_label("Year", exact=True).fill(str(value.year))


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
