"""In a real browser, with e-mail through a real SMTP server (the `mailbox` fixture): an admin
invites a person, who follows the link in the invitation e-mail, sets a password and lands
signed in; an admin invited so, where programme staff need a second factor, is made to set one up
(the QR code's key read from the page, the code worked out with pyotp) before landing signed in;
a forgotten password, asked for from the login page, reset the same way; and a person locked out
by wrong passwords follows the lockout e-mail's link back in. No console errors, nothing from
another host, no serious accessibility problems on the way."""

from __future__ import annotations

import pyotp
import pytest

from core.mail_server import links
from tests.accounts.conftest import give_second_factor
from tests.browser import axe
from tests.browser.pages import assert_clean_and_accessible, log_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a lamp with a steady light"


def assert_no_violation_at_all(page, watch) -> None:
    """The second-factor pages, which the crawl cannot reach (they come between the password and
    being signed in), held to the crawl's rule: no axe violation of any impact."""
    assert_clean_and_accessible(page, watch)
    found = axe.violations(page, ("minor", "moderate", "serious", "critical"))
    assert not found, f"on {page.url}:\n{axe.describe(found)}"


def wait_for_mail(page, mailbox, count: int):
    """The SMTP server has the message once the request that sent it has answered; allow a
    moment all the same."""
    for _ in range(50):
        if len(mailbox.messages) >= count:
            return mailbox.messages[count - 1]
        page.wait_for_timeout(100)
    raise AssertionError(f"no e-mail number {count}: {len(mailbox.messages)} received")


def test_an_admin_invites_a_person_who_sets_a_password(
    browser, page_and_watch, live_server, make, db, mailbox
):
    site = make.site(name="Bradford IPS service")
    admin = make.user("admin", name="Programme lead")
    page, watch = page_and_watch
    log_in(page, admin.email)
    page.wait_for_url(f"{live_server}/")

    page.goto("/admin/users")
    page.get_by_role("button", name="Invite a user").click()
    page.wait_for_selector("h1:has-text('Invite a user')")
    assert_clean_and_accessible(page, watch)
    page.get_by_label("Email address").fill("new.lead@example.org")
    page.get_by_label("Full name").fill("Nia Lead")
    page.get_by_label("Role").select_option(value="site_lead")
    page.get_by_label("Bradford IPS service").check()
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_selector("text=Invitation sent to new.lead@example.org")
    assert "Invited" in page.locator("tbody").inner_text()
    assert_clean_and_accessible(page, watch)

    message = wait_for_mail(page, mailbox, 1)
    assert message["To"] == "new.lead@example.org"
    (link,) = links(message)
    assert link.startswith(f"{live_server}/invitation/")

    invited = browser.new_context(base_url=live_server)
    person = invited.new_page()
    watch.attach(person)
    try:
        person.goto(link)
        person.wait_for_selector("h1:has-text('Set your password')")
        assert_clean_and_accessible(person, watch)
        person.get_by_label("New password", exact=True).fill("too short")
        person.get_by_label("Confirm new password").fill("too short")
        person.get_by_role("button", name="Set password and log in").click()
        person.wait_for_selector("text=There is a problem")
        assert_clean_and_accessible(person, watch)
        person.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        person.get_by_label("Confirm new password").fill(NEW_PASSWORD)
        person.get_by_role("button", name="Set password and log in").click()
        person.wait_for_url(f"{live_server}/")
        assert "Nia Lead" in person.locator("header").inner_text()
        assert "Your password is set and you are logged in" in person.content()
        assert_no_violation_at_all(person, watch)
        person.goto("/account")
        assert "Chrome on Linux" in person.locator("table").first.inner_text()
        assert_clean_and_accessible(person, watch)
    finally:
        invited.close()
    assert site.id


def test_a_forgotten_password_is_reset_from_an_emailed_link(
    page_and_watch, live_server, make, db, mailbox
):
    user = make.user("trainer", email="trainer@example.org", name="Regional trainer")
    page, watch = page_and_watch
    page.goto("/login")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.wait_for_selector("h1:has-text('Forgotten your password?')")
    assert_clean_and_accessible(page, watch)
    page.get_by_label("Email address").fill(user.email)
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_selector("h1:has-text('Check your email')")
    assert_clean_and_accessible(page, watch)

    message = wait_for_mail(page, mailbox, 1)
    (link,) = links(message)
    page.goto(link)
    page.wait_for_selector("h1:has-text('Choose a new password')")
    assert_clean_and_accessible(page, watch)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password and log in").click()
    page.wait_for_url(f"{live_server}/")
    assert "Regional trainer" in page.locator("header").inner_text()
    assert_clean_and_accessible(page, watch)

    page.goto(link)  # the link is spent
    page.wait_for_selector("h1:has-text('This link does not work')")


def test_an_invited_admin_sets_up_a_second_factor_before_anything_else(
    app, browser, page_and_watch, live_server, make, db, mailbox, monkeypatch
):
    monkeypatch.setitem(app.config, "SECOND_FACTOR_REQUIRED_ROLES", frozenset({"admin"}))
    inviter = make.user("admin", name="Programme lead")
    factor = give_second_factor(inviter)
    page, watch = page_and_watch
    log_in(page, inviter.email)
    page.wait_for_selector("h1:has-text('Enter your security code')")
    assert_no_violation_at_all(page, watch)
    page.get_by_label("Security code").fill(factor.code())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server}/")

    page.goto("/admin/users/invite")
    page.get_by_label("Email address").fill("new.admin@example.org")
    page.get_by_label("Full name").fill("Ada Admin")
    page.get_by_label("Role").select_option(value="admin")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_selector("text=Invitation sent to new.admin@example.org")
    (link,) = links(wait_for_mail(page, mailbox, 1))

    invited = browser.new_context(base_url=live_server)
    person = invited.new_page()
    watch.attach(person)
    try:
        person.goto(link)
        person.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        person.get_by_label("Confirm new password").fill(NEW_PASSWORD)
        person.get_by_role("button", name="Set password and log in").click()
        person.wait_for_selector("h1:has-text('Set up your second factor')")
        assert "/login/set-up-second-factor" in person.url
        qr_code = person.get_by_role("img", name="QR code for your authenticator app")
        assert qr_code.count() == 1 and qr_code.evaluate("e => e.tagName") == "svg"
        assert_no_violation_at_all(person, watch)
        person.goto("/admin/users")  # nothing else before the second factor
        person.wait_for_selector("h1:has-text('Log in')")
        person.go_back()
        person.wait_for_selector("h1:has-text('Set up your second factor')")

        secret = person.locator("#second-factor-key").inner_text().replace(" ", "")
        person.get_by_label("Security code").fill("000000")
        person.get_by_role("button", name="Turn on second factor").click()
        person.wait_for_selector("text=There is a problem")
        assert_no_violation_at_all(person, watch)
        person.get_by_label("Security code").fill(pyotp.TOTP(secret).now())
        person.get_by_role("button", name="Turn on second factor").click()
        person.wait_for_selector("h1:has-text('Your recovery codes')")
        assert person.locator("#recovery-codes li").count() == 10
        assert "Ada Admin" in person.locator("header").inner_text()  # signed in now
        assert "Your password is set and you are logged in" in person.content()
        assert_no_violation_at_all(person, watch)
        person.get_by_role("button", name="I have kept my codes: continue").click()
        person.wait_for_url(f"{live_server}/")
        assert "Ada Admin" in person.locator("header").inner_text()
        person.goto("/account")
        assert "Your second factor is on" in person.content()
        assert_clean_and_accessible(person, watch)
    finally:
        invited.close()


def test_a_locked_out_person_follows_the_emailed_link_back_in(
    page_and_watch, live_server, make, db, mailbox
):
    user = make.user("trainer", name="Regional trainer")
    page, watch = page_and_watch
    for _ in range(10):
        page.request.post(
            f"{live_server}/login", form={"email": user.email, "password": "a wrong guess"}
        )
    log_in(page, user.email)  # the right password, but the account is locked
    page.wait_for_selector("text=Enter a correct email address and password")
    assert_no_violation_at_all(page, watch)

    message = wait_for_mail(page, mailbox, 1)
    assert message["Subject"] == "Your IPS Network Tracker account is locked"
    (link,) = links(message)
    page.goto(link)
    page.wait_for_selector("h1:has-text('Choose a new password')")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password and log in").click()
    page.wait_for_url(f"{live_server}/")
    assert "Regional trainer" in page.locator("header").inner_text()
    assert_clean_and_accessible(page, watch)
