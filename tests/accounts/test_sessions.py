"""Server-side sessions (accounts.sessions): a copied session cookie stops working after logout,
a password change or reset, deactivation or a new role, and after 8 hours idle; "last seen" is
written at most once a minute and not audited; the account page lists the sessions and signs
out of the others."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from accounts.links import PASSWORD_RESET, issue_link
from accounts.models import ApiToken, UserSession, hash_token
from accounts.sessions import SESSION_KEY, browser_summary
from core.audit import AuditEvent
from core.records import utcnow
from tests.factories import PASSWORD

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
NEW_PASSWORD = "lamp with a steady light"


def log_in(client, user, agent: str = CHROME_LINUX):
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        headers={"User-Agent": agent},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def cookie_of(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app, cookie: str):
    """A new browser with a copy of the session cookie asks for the account page."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/account")


def sent_to_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def server_key(client) -> str:
    with client.session_transaction() as session:
        return session[SESSION_KEY]


# --- the cookie and the row ----------------------------------------------------------------------


def test_logging_in_starts_a_server_side_session(client, db, make) -> None:
    user = make.user("trainer")
    log_in(client, user)
    key = server_key(client)
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    assert row.key_hash == hash_token(key) and key not in row.key_hash
    assert row.user_agent == "Chrome on Linux" and row.ended_at is None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.table_name == "user_session"))
    assert event.after["key_hash"] == "(hidden)"


def test_a_cookie_without_a_live_session_is_nobody(app, client, db, make) -> None:
    """A cookie naming a user but no session key (as before server-side sessions, or a
    remember-me cookie turned into one) is sent to log in."""
    user = make.user("admin")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert sent_to_login(client.get("/account"))
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session[SESSION_KEY] = "a key that was never issued"
    assert sent_to_login(client.get("/account"))


def test_a_remember_me_cookie_signs_nobody_in(app, client, db, make) -> None:
    from flask_login.utils import encode_cookie

    user = make.user("admin")
    with app.test_request_context():
        remember = encode_cookie(str(user.id))
    client.set_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"), remember)
    assert sent_to_login(client.get("/account"))


# --- replayed cookies (issue 15, "Done means") ---------------------------------------------------


def test_a_replayed_cookie_after_logout_is_sent_to_login(app, client, db, make) -> None:
    user = make.user("trainer")
    log_in(client, user)
    copied = cookie_of(client)
    assert replay(app, copied).status_code == 200  # the copy works while the session lives
    client.post("/logout")
    assert sent_to_login(replay(app, copied))
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    db.session.refresh(row)
    assert row.ended_at is not None


def test_a_replayed_cookie_after_a_password_change_is_sent_to_login(app, client, db, make):
    user = make.user("site_lead", sites=[make.site()])
    log_in(client, user)
    copied = cookie_of(client)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # the person stays signed in here
    assert sent_to_login(replay(app, copied))


def test_a_replayed_cookie_after_deactivation_is_sent_to_login(app, client, db, make) -> None:
    user = make.user("funder")
    token = make.token(user)
    log_in(client, user)
    copied = cookie_of(client)
    admin_client = app.test_client()
    log_in(admin_client, make.user("admin"))
    response = admin_client.post(
        f"/admin/users/{user.id}/edit",
        data={"name": user.name, "role": "funder", "funder_id": user.funder_id, "version": 1},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert sent_to_login(replay(app, copied))
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id(db, token)).revoked_at is not None
    api = app.test_client().get("/api/v1/programmes", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401


def token_id(db, secret: str) -> int:
    return db.session.scalar(
        sa.select(ApiToken.id).where(ApiToken.token_hash == hash_token(secret))
    )


def test_a_replayed_cookie_after_a_reset_is_sent_to_login(app, client, db, make) -> None:
    user = make.user("trainer")
    log_in(client, user)
    copied = cookie_of(client)
    _, secret = issue_link(user, PASSWORD_RESET)
    db.session.commit()
    other = app.test_client()
    response = other.post(
        f"/password/reset/{secret}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert sent_to_login(replay(app, copied))
    assert other.get("/account").status_code == 200


@pytest.mark.parametrize("change", ["role", "password"])
def test_an_admin_changing_role_or_password_ends_the_sessions(app, client, db, make, change):
    user = make.user("trainer")
    log_in(client, user)
    copied = cookie_of(client)
    admin_client = app.test_client()
    log_in(admin_client, make.user("admin"))
    data = {"name": user.name, "role": "trainer", "active": "y", "version": 1}
    if change == "role":
        data["role"] = "admin"
    else:
        data["password"] = NEW_PASSWORD
    assert admin_client.post(f"/admin/users/{user.id}/edit", data=data).status_code == 302
    assert sent_to_login(replay(app, copied))


def test_an_admin_renaming_someone_keeps_their_sessions(app, client, db, make) -> None:
    user = make.user("trainer")
    log_in(client, user)
    admin_client = app.test_client()
    log_in(admin_client, make.user("admin"))
    data = {"name": "Renamed", "role": "trainer", "active": "y", "version": 1}
    assert admin_client.post(f"/admin/users/{user.id}/edit", data=data).status_code == 302
    assert client.get("/account").status_code == 200


def test_an_admin_setting_their_own_password_stays_signed_in(app, client, db, make) -> None:
    admin = make.user("admin")
    log_in(client, admin)
    copied = cookie_of(client)
    data = {"name": admin.name, "role": "admin", "active": "y", "password": NEW_PASSWORD}
    response = client.post(f"/admin/users/{admin.id}/edit", data=data | {"version": 1})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert sent_to_login(replay(app, copied))


# --- idle sessions and "last seen" ---------------------------------------------------------------


def test_a_session_idle_for_8_hours_ends(app, client, db, make) -> None:
    user = make.user("trainer")
    log_in(client, user)
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    row.last_seen_at = utcnow() - timedelta(hours=7, minutes=59)
    db.session.commit()
    assert client.get("/account").status_code == 200  # and that request counts as use
    db.session.refresh(row)
    assert utcnow() - row.last_seen_at.replace(tzinfo=utcnow().tzinfo) < timedelta(minutes=1)
    row.last_seen_at = utcnow() - timedelta(hours=8, minutes=1)
    db.session.commit()
    assert sent_to_login(client.get("/account"))
    assert client.get("/login").status_code == 200
    with client.session_transaction() as session:  # the dead session's keys are dropped
        assert SESSION_KEY not in session and "_user_id" not in session


def test_last_seen_is_written_at_most_once_a_minute_and_not_audited(client, db, make) -> None:
    user = make.user("trainer")
    log_in(client, user)
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    started = row.last_seen_at
    for _ in range(3):
        assert client.get("/account").status_code == 200
    db.session.refresh(row)
    assert row.last_seen_at == started
    row.last_seen_at = started - timedelta(minutes=2)
    db.session.commit()
    client.get("/account")
    db.session.refresh(row)
    assert row.last_seen_at > started
    updates = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.table_name == "user_session", AuditEvent.action == "update"
        )
    ).all()
    assert all("last_seen_at" not in (event.after or {}) for event in updates)


# --- the account page ----------------------------------------------------------------------------


def test_the_account_page_lists_sessions_and_signs_out_the_others(app, client, db, make) -> None:
    user = make.user("site_lead", sites=[make.site()])
    log_in(client, user, CHROME_LINUX)
    laptop = app.test_client()
    log_in(laptop, user, FIREFOX_WINDOWS)
    body = client.get("/account").get_data(as_text=True)
    assert "Chrome on Linux <strong>(this session)</strong>" in body
    assert "Firefox on Windows" in body
    assert "Sign out of all other sessions" in body

    response = client.post("/account/sessions/sign-out-others", follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "You have signed out of every other session." in body
    assert "Firefox on Windows" not in body
    assert "Sign out of all other sessions" not in body
    assert sent_to_login(laptop.get("/account"))
    assert client.get("/account").status_code == 200


def test_changing_password_asks_for_the_current_one(client, db, make) -> None:
    user = make.user("funder")
    log_in(client, user)
    response = client.post(
        "/account/password",
        data={"current_password": "not it", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "There is a problem" in body and "Your current password is not correct" in body
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("1234567890123", "This password is too common"),
        ("short", "Password must be 12 characters or more"),
        ("funder@example.org", "must not be your email address"),
    ],
)
def test_changing_password_obeys_the_rule(client, db, make, password, message) -> None:
    user = make.user("funder", email="funder@example.org")
    log_in(client, user)
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/account/password"' in page
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": password, "confirm": password},
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


# --- browsers, in people's words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "summary"),
    [
        (CHROME_LINUX, "Chrome on Linux"),
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("python-requests/2.32", "An unknown browser"),
        (None, "An unknown browser"),
    ],
)
def test_browser_summary(agent, summary) -> None:
    assert browser_summary(agent) == summary
