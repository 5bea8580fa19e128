"""In a real browser, every page's frame (issue 14, points 2 and 3): text is set in NHS.UK's font
stack (Frutiger where installed, then Arial, then sans-serif) on screen and in print, never the
browser's serif default; the header names the service and the charity, shows no NHS logo, and
passes axe."""

from __future__ import annotations

import pytest

from tests.browser.pages import assert_clean_and_accessible, log_in

pytestmark = pytest.mark.browser

FONT = "getComputedStyle(document.body).fontFamily"


def assert_sans_serif(family: str) -> None:
    families = [name.strip().strip('"').lower() for name in family.split(",")]
    assert "times" not in family.lower() and "serif" not in families, family
    assert families[-1] == "sans-serif", family


def test_pages_use_the_nhsuk_font_stack_and_a_header_without_the_nhs_logo(
    page_and_watch, live_server, app, make, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "ORGANISATION_NAME", "Pathways Employment Trust")
    admin = make.user("admin")
    programme = make.programme(name="Making IPS Work")
    page, watch = page_and_watch

    log_in(page, admin.email)
    page.wait_for_url(f"{live_server}/")
    # static/js/js-enabled.js, in place of NHS.UK's inline snippet (the CSP allows no inline).
    body_classes = page.evaluate("Array.from(document.body.classList)")
    assert {"js-enabled", "nhsuk-frontend-supported"} <= set(body_classes), body_classes
    screen = page.evaluate(FONT)
    assert "arial" in screen.lower() and "Frutiger W01" in screen, screen
    assert_sans_serif(screen)

    header = page.locator("header.nhsuk-header")
    assert header.locator("svg.nhsuk-header__logo, .nhsuk-logo, img").count() == 0
    home = header.get_by_role("link", name="Pathways Employment Trust IPS Network Tracker")
    assert home.is_visible() and home.get_attribute("href") == "/"
    assert header.get_by_role("link", name="Home").is_visible()
    assert_clean_and_accessible(page, watch)

    page.goto(f"/programmes/{programme.id}/report")
    page.emulate_media(media="print")
    assert_sans_serif(page.evaluate(FONT))
    assert_sans_serif(page.locator("h1").evaluate("h1 => getComputedStyle(h1).fontFamily"))
