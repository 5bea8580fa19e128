"""Invitation and password-reset links (accounts.links) and their pages: the secret is stored
only as a hash, a link works once and expires, a new one replaces the old; the e-mails are read
back from a real SMTP server (the `mailbox` fixture), their links followed."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from accounts.links import INVITATION, PASSWORD_RESET, find_link, issue_link
from accounts.models import AccountLink, User, hash_token
from core.mail import EmailDelivery
from core.mail_server import html_part, links, text_part
from core.records import utcnow
from tests.factories import PASSWORD

NEW_PASSWORD = "lamp with a steady light"


def path_of(url: str) -> str:
    return urlsplit(url).path


def only_link(message) -> str:
    found = links(message)
    assert len(found) == 1, found
    return found[0]


def signed_in_as(client) -> str | None:
    response = client.get("/account")
    if response.status_code != 200:
        return None
    return response.get_data(as_text=True)


# --- the links themselves ------------------------------------------------------------------------


def test_only_the_hash_of_a_link_is_stored(db, make) -> None:
    user = make.user("trainer")
    link, secret = issue_link(user, PASSWORD_RESET)
    db.session.commit()
    assert link.token_hash == hash_token(secret) and secret not in link.token_hash
    stored = db.session.execute(sa.select(AccountLink.__table__)).mappings().all()
    assert all(secret not in str(dict(row)) for row in stored)
    assert find_link(secret, PASSWORD_RESET) == link
    assert find_link(secret, INVITATION) is None  # a link is for its purpose only


def test_a_reset_link_expires_after_an_hour_and_an_invitation_after_7_days(db, make) -> None:
    user = make.user("trainer")
    reset, _ = issue_link(user, PASSWORD_RESET)
    invitation, _ = issue_link(user, INVITATION)
    now = utcnow()
    assert timedelta(minutes=59) < reset.expires_at - now <= timedelta(minutes=60)
    assert timedelta(days=6, hours=23) < invitation.expires_at - now <= timedelta(days=7)


def test_an_expired_link_does_not_work(client, db, make) -> None:
    user = make.user("trainer")
    link, secret = issue_link(user, PASSWORD_RESET)
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert find_link(secret, PASSWORD_RESET) is None
    response = client.get(f"/password/reset/{secret}")
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)
    posted = client.post(
        f"/password/reset/{secret}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert posted.status_code == 404
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_a_new_link_replaces_the_old_one(db, make) -> None:
    user = make.user("trainer")
    _, first = issue_link(user, PASSWORD_RESET)
    _, second = issue_link(user, PASSWORD_RESET)
    db.session.commit()
    assert find_link(first, PASSWORD_RESET) is None
    assert find_link(second, PASSWORD_RESET) is not None


def test_a_link_of_a_deactivated_user_does_not_work(db, make) -> None:
    user = make.user("trainer")
    _, secret = issue_link(user, PASSWORD_RESET)
    user.active = False
    db.session.commit()
    assert find_link(secret, PASSWORD_RESET) is None


# --- forgotten password --------------------------------------------------------------------------


def test_login_page_links_to_forgotten_password(client, db) -> None:
    body = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgotten"' in body and "Forgotten your password?" in body


def test_forgotten_password_round_trip(client, db, make, mailbox) -> None:
    user = make.user("site_lead", email="lead@example.org")
    response = client.post("/password/forgotten", data={"email": " Lead@Example.org "})
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)

    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["To"] == "lead@example.org"
    assert message["Subject"] == "Reset your IPS Network Tracker password"
    link = only_link(message)
    assert "60 minutes" in text_part(message)
    assert link in (html_part(message) or "")

    page = client.get(path_of(link))
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    done = client.post(path_of(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert user.email in signed_in_as(client)
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)

    again = client.post(path_of(link), data={"password": "another fine password", "confirm": "x"})
    assert again.status_code == 404  # single use
    delivery = db.session.scalar(sa.select(EmailDelivery))
    assert (delivery.recipient, delivery.purpose, delivery.status) == (
        "lead@example.org",
        "password_reset",
        "sent",
    )


def test_forgotten_password_answers_the_same_for_an_unknown_address(client, db, make, mailbox):
    make.user("site_lead", email="known@example.org")
    known = client.post("/password/forgotten", data={"email": "known@example.org"})
    unknown = client.post("/password/forgotten", data={"email": "unknown@example.org"})
    inactive_user = make.user("site_lead", email="gone@example.org", active=False)
    inactive = client.post("/password/forgotten", data={"email": inactive_user.email})

    def answer(response, email):  # the page but for the address typed and the CSP nonce
        page = response.get_data(as_text=True).replace(email, "EMAIL")
        return re.sub(r'nonce="[^"]+"', "", page)

    assert known.status_code == unknown.status_code == inactive.status_code == 200
    assert answer(known, "known@example.org") == answer(unknown, "unknown@example.org")
    assert answer(known, "known@example.org") == answer(inactive, "gone@example.org")
    assert [m["To"] for m in mailbox.messages] == ["known@example.org"]


def test_forgotten_password_form_shows_its_errors(client, db) -> None:
    response = client.post("/password/forgotten", data={"email": ""})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "There is a problem" in body and "Enter your email address" in body


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short one", "short one", "Password must be 12 characters or more"),
        ("qwertyuiop12", "qwertyuiop12", "This password is too common"),
        (NEW_PASSWORD, "something else", "The passwords do not match"),
        ("", "", "Enter a new password"),
    ],
)
def test_a_reset_with_a_bad_password_keeps_the_link(client, db, make, password, confirm, message):
    user = make.user("trainer")
    _, secret = issue_link(user, PASSWORD_RESET)
    db.session.commit()
    response = client.post(
        f"/password/reset/{secret}", data={"password": password, "confirm": confirm}
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "There is a problem" in body and message in body
    assert find_link(secret, PASSWORD_RESET) is not None
    assert signed_in_as(client) is None


# --- invitations ---------------------------------------------------------------------------------


def invite(client, **fields):
    data = {"email": "new.person@example.org", "name": "New Person", "role": "funder"} | fields
    return client.post("/admin/users/invite", data=data)


def test_admin_invites_a_person_who_sets_a_password_and_is_signed_in(
    client, app, db, make, login_as, mailbox
) -> None:
    admin = login_as("admin")
    funder = make.funder()
    response = invite(client, funder_id=str(funder.id))
    assert response.status_code == 302, response.get_data(as_text=True)
    user = db.session.scalar(sa.select(User).where(User.email == "new.person@example.org"))
    assert (user.role, user.funder_id, user.has_password) == ("funder", funder.id, False)
    users_page = client.get("/admin/users").get_data(as_text=True)
    assert "Invitation sent to new.person@example.org" in users_page and "Invited" in users_page

    (message,) = mailbox.messages
    assert message["Subject"] == "You are invited to the IPS Network Tracker"
    assert admin.name in text_part(message) and "7 days" in text_part(message)
    link = only_link(message)
    assert html_part(message) and link in html_part(message)

    visitor = app.test_client()
    page = visitor.get(path_of(link))
    assert page.status_code == 200 and "Set your password" in page.get_data(as_text=True)
    done = visitor.post(path_of(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert "new.person@example.org" in signed_in_as(visitor)
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)
    assert visitor.get(path_of(link)).status_code == 404  # single use
    assert "Active" in client.get("/admin/users").get_data(as_text=True)


def test_an_invited_person_cannot_log_in_before_setting_a_password(client, db, login_as, mailbox):
    login_as("admin")
    invite(client, role="admin")
    client.post("/logout")
    for password in ("", "anything at all"):
        response = client.post(
            "/login", data={"email": "new.person@example.org", "password": password}
        )
        assert response.status_code in {200, 422}
        assert signed_in_as(client) is None


def test_inviting_again_replaces_the_link(client, db, login_as, mailbox) -> None:
    login_as("admin")
    invite(client, role="admin")
    user = db.session.scalar(sa.select(User).where(User.email == "new.person@example.org"))
    edit_page = client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert "Send the invitation again" in edit_page
    response = client.post(f"/admin/users/{user.id}/invite")
    assert response.status_code == 302
    first, second = (only_link(m) for m in mailbox.messages)
    assert first != second
    assert client.get(path_of(first)).status_code == 404
    assert client.get(path_of(second)).status_code == 200


def test_no_invitation_for_someone_with_a_password(client, db, make, login_as, mailbox) -> None:
    login_as("admin")
    user = make.user("trainer")
    response = client.post(f"/admin/users/{user.id}/invite", follow_redirects=True)
    assert "has set a password already" in response.get_data(as_text=True)
    assert mailbox.messages == []


def test_the_invitation_form_checks_role_and_scope(client, db, login_as, mailbox) -> None:
    login_as("admin")
    response = invite(client, role="site_lead", email="not an address")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Choose at least one site for a site lead" in body
    assert "Enter an email address like name@example.org" in body
    assert mailbox.messages == []


def test_links_use_base_url_when_set(client, app, db, make, mailbox, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "BASE_URL", "https://ips.example.org/")
    make.user("trainer", email="t@example.org")
    client.post(
        "/password/forgotten", data={"email": "t@example.org"}, headers={"Host": "evil.example"}
    )
    assert only_link(mailbox.messages[0]).startswith("https://ips.example.org/password/reset/")
