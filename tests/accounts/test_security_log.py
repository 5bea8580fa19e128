"""The security log (accounts.security_log): an event for each login, failure, logout, password
change and reset, invitation accepted, API token made, revoked and used (its first use each
day), and 403 refusal; with the address and browser; never itself audited. Programme staff read
it under Admin, filter it by event, user and dates, page it and download it as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from accounts.links import INVITATION, PASSWORD_RESET, issue_link
from accounts.models import ApiToken, SecurityEvent
from accounts.security_log import KINDS, record
from core.audit import AuditEvent
from core.records import utcnow
from tests.factories import PASSWORD

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
NEW_PASSWORD = "a lamp with a steady light"


def logged(db, kind: str) -> list[SecurityEvent]:
    return list(
        db.session.scalars(
            sa.select(SecurityEvent).where(SecurityEvent.kind == kind).order_by(SecurityEvent.id)
        )
    )


# --- what is recorded ----------------------------------------------------------------------------


def test_a_login_and_a_logout_are_recorded_with_address_and_browser(client, db, make) -> None:
    user = make.user("trainer")
    client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        headers={"User-Agent": CHROME},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    client.post("/logout", headers={"User-Agent": CHROME})
    (login,) = logged(db, "login")
    assert (login.user_id, login.ip_address, login.user_agent) == (
        user.id,
        "198.51.100.7",
        "Chrome on Linux",
    )
    assert login.detail == "password" and login.email is None
    (logout,) = logged(db, "logout")
    assert logout.user_id == user.id


def test_failed_logins_keep_the_address_tried(client, db, make) -> None:
    user = make.user("trainer")
    client.post("/login", data={"email": "Nobody@Example.org", "password": "whatever it is"})
    client.post("/login", data={"email": user.email, "password": "whatever it is"})
    unknown, known = logged(db, "login_failed")
    assert (unknown.user_id, unknown.email) == (None, "nobody@example.org")
    assert unknown.detail == "no account with this address"
    assert (known.user_id, known.email, known.detail) == (user.id, user.email, "wrong password")


def test_an_inactive_user_failing_is_recorded(client, db, make) -> None:
    user = make.user("trainer", active=False)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    (failed,) = logged(db, "login_failed")
    assert failed.detail == "account deactivated"


def test_password_changes_and_resets_are_recorded(app, client, db, make, login_as) -> None:
    user = login_as("trainer")
    client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    (changed,) = logged(db, "password_changed")
    assert changed.user_id == user.id and "by the user" in changed.detail

    anyone = app.test_client()
    anyone.post("/password/forgotten", data={"email": user.email})
    anyone.post("/password/forgotten", data={"email": "ghost@example.org"})
    asked = logged(db, "password_reset_requested")
    assert [(e.user_id, e.email) for e in asked] == [
        (user.id, user.email),
        (None, "ghost@example.org"),
    ]
    _, secret = issue_link(user, PASSWORD_RESET)
    db.session.commit()
    again = "another steady lamp light"
    anyone.post(f"/password/reset/{secret}", data={"password": again, "confirm": again})
    (reset,) = logged(db, "password_reset")
    assert reset.user_id == user.id
    assert logged(db, "login")[-1].detail == "password reset link"


def test_an_admin_setting_a_password_is_recorded(client, db, make, login_as) -> None:
    person = make.user("trainer")
    admin = login_as("admin", name="Programme Lead")
    client.post(
        f"/admin/users/{person.id}/edit",
        data={
            "name": person.name,
            "role": "trainer",
            "active": "y",
            "password": NEW_PASSWORD,
            "version": person.version,
        },
    )
    (changed,) = logged(db, "password_changed")
    assert changed.user_id == person.id
    assert changed.detail == f"set by Programme Lead (user {admin.id})"


def test_an_accepted_invitation_is_recorded(client, db, make) -> None:
    user = make.user("site_lead")
    user.password_hash = ""
    db.session.commit()
    _, secret = issue_link(user, INVITATION)
    db.session.commit()
    client.post(f"/invitation/{secret}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    (accepted,) = logged(db, "invitation_accepted")
    assert accepted.user_id == user.id
    assert logged(db, "login")[0].detail == "invitation link"


def test_tokens_made_revoked_and_used_once_a_day(client, db, make, login_as) -> None:
    user = login_as("trainer")
    page = client.post("/account", data={"name": "returns script"})
    assert page.status_code == 200
    (made,) = logged(db, "token_created")
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert made.user_id == user.id and made.detail == f"token 'returns script' (id {token.id})"
    secret = page.get_data(as_text=True).split('class="portal-token">')[1].split("<")[0]

    api = {"Authorization": f"Bearer {secret}"}
    for _ in range(3):
        assert client.get("/api/v1/network/summary", headers=api).status_code == 200
    (used,) = logged(db, "token_used")
    assert used.user_id == user.id and "returns script" in used.detail
    db.session.refresh(token)
    assert token.last_used_on == utcnow().date()
    assert "Last used" in client.get("/account").get_data(as_text=True)

    # the next day, its first use is recorded again
    token.last_used_on = date.today() - timedelta(days=1)
    db.session.commit()
    client.get("/api/v1/network/summary", headers=api)
    client.get("/api/v1/network/summary", headers=api)
    assert len(logged(db, "token_used")) == 2

    client.post(f"/account/tokens/{token.id}/revoke")
    (revoked,) = logged(db, "token_revoked")
    assert revoked.user_id == user.id
    assert client.get("/api/v1/network/summary", headers=api).status_code == 401
    assert len(logged(db, "token_used")) == 2


def test_refusals_are_recorded(client, db, make, login_as, api) -> None:
    user = login_as("funder")
    assert client.get("/admin/users").status_code == 403
    caller = api("site_lead")
    assert caller.post("/api/v1/organisations", json={}).status_code == 403
    page, call = logged(db, "access_refused")
    assert (page.user_id, page.detail) == (user.id, "GET /admin/users")
    assert (call.user_id, call.detail) == (caller.user.id, "POST /api/v1/organisations")


def test_a_refused_request_writes_nothing_but_its_event(client, db, make, login_as) -> None:
    login_as("trainer")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert client.post("/admin/organisations/new", data={"name": "Sneaky"}).status_code == 403
    after = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert before == after
    assert len(logged(db, "access_refused")) == 1


def test_the_security_log_is_not_audited(client, db, make) -> None:
    user = make.user("trainer")
    client.post("/login", data={"email": user.email, "password": "not it"})
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert logged(db, "login")
    assert not db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.table_name == "security_event")
    ).all()


def test_an_unknown_kind_is_a_mistake(db) -> None:
    with pytest.raises(ValueError):
        record("logged_in")


# --- the admin page ------------------------------------------------------------------------------


@pytest.fixture
def log(db, make):
    """Events of three kinds for two people, on three days."""
    ann = make.user("trainer", name="Ann Example", email="ann@example.org")
    bob = make.user("site_lead", name="Bob Sample", email="bob@example.org")
    today = utcnow()
    rows = [
        ("login", ann, None, today - timedelta(days=10)),
        ("login_failed", ann, "ann@example.org", today - timedelta(days=5)),
        ("login_failed", None, "mallory@example.net", today - timedelta(days=5)),
        ("logout", bob, None, today),
        ("login", bob, None, today),
    ]
    for kind, user, email, when in rows:
        event = record(kind, user, email=email, detail=f"{kind} detail")
        event.created_at = when
    db.session.commit()
    return {"ann": ann, "bob": bob, "today": today.date()}


def rows_of(html: str) -> int:
    body = html.split('<tbody class="nhsuk-table__body">')
    return body[1].split("</tbody>")[0].count("<tr") if len(body) > 1 else 0


def test_the_security_log_page_lists_and_filters(client, db, log, login_as) -> None:
    login_as("admin")
    assert "Security log" in client.get("/admin/").get_data(as_text=True)
    page = client.get("/admin/security-log")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert rows_of(html) == 5 and "mallory@example.net" in html and "Login failed" in html

    by_kind = client.get("/admin/security-log?kind=login_failed").get_data(as_text=True)
    assert rows_of(by_kind) == 2
    by_user = client.get(f"/admin/security-log?user={log['ann'].id}").get_data(as_text=True)
    assert rows_of(by_user) == 2 and "Showing the events of Ann Example" in by_user
    by_email = client.get("/admin/security-log?email=mallory").get_data(as_text=True)
    assert rows_of(by_email) == 1
    by_name = client.get("/admin/security-log?email=Bob+Sample").get_data(as_text=True)
    assert rows_of(by_name) == 2

    since = log["today"] - timedelta(days=6)
    until = log["today"] - timedelta(days=1)
    dated = client.get(
        "/admin/security-log",
        query_string={
            "since[day]": since.day,
            "since[month]": since.month,
            "since[year]": since.year,
            "until[day]": until.day,
            "until[month]": until.month,
            "until[year]": until.year,
        },
    ).get_data(as_text=True)
    assert rows_of(dated) == 2


def test_wrong_dates_are_shown_as_errors(client, db, log, login_as) -> None:
    login_as("admin")
    page = client.get(
        "/admin/security-log",
        query_string={"since[day]": "31", "since[month]": "2", "since[year]": "2026"},
    )
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "There is a problem" in html and "real date" in html
    assert rows_of(html) == 5  # the wrong filter is not used
    backwards = client.get(
        "/admin/security-log",
        query_string={
            "since[day]": "2",
            "since[month]": "1",
            "since[year]": "2026",
            "until[day]": "1",
            "until[month]": "1",
            "until[year]": "2026",
        },
    )
    assert backwards.status_code == 422
    assert "same as or after the from date" in backwards.get_data(as_text=True)


def test_the_security_log_is_paged_in_sql(app, client, db, log, login_as, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    login_as("admin")
    first = client.get("/admin/security-log").get_data(as_text=True)
    assert rows_of(first) == 2 and "Showing 1 to 2 of 5" in first
    third = client.get("/admin/security-log?page=3").get_data(as_text=True)
    assert rows_of(third) == 1


def test_only_admins_read_the_security_log(client, db, log, login_as) -> None:
    login_as("trainer")
    assert client.get("/admin/security-log").status_code == 403
    assert client.get("/admin/security-log.csv").status_code == 403


def test_the_security_log_downloads_as_csv_with_the_filters(client, db, log, login_as) -> None:
    login_as("admin")
    response = client.get("/admin/security-log.csv?kind=login_failed")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["event"] for row in rows] == ["login_failed", "login_failed"]
    assert {row["email_tried"] for row in rows} == {"ann@example.org", "mallory@example.net"}
    assert rows[0]["time_utc"][:10] == (log["today"] - timedelta(days=5)).isoformat()
    everything = client.get("/admin/security-log.csv").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(everything)))) == 5


def test_the_security_log_downloads_as_xlsx(client, db, log, login_as) -> None:
    login_as("admin")
    response = client.get(f"/admin/security-log.xlsx?user={log['bob'].id}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    sheet = book["Security log"]
    values = list(sheet.values)
    assert values[0][:3] == ("Time (UTC)", "Event", "User id")
    assert {row[1] for row in values[1:]} == {KINDS["logout"], KINDS["login"]}
    assert all(row[3] == "Bob Sample" for row in values[1:])
    assert "User: Bob Sample (bob@example.org)." in [r[0] for r in book["About"].values if r]


def test_an_unknown_download_format_is_not_found(client, db, login_as) -> None:
    login_as("admin")
    assert client.get("/admin/security-log.pdf").status_code == 404
