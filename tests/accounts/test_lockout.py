"""Logging in: the same work and time for unknown and known addresses; a per-account lockout
after 10 failures in 15 minutes (wrong passwords or wrong codes), which answers like any wrong
password, e-mails the person a reset link, and ends by time, by an admin's button (audited) or by
a password set from an e-mailed link."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from accounts import lockout as lockout_module
from accounts import login as login_module
from accounts.models import SecurityEvent, User
from core.audit import AuditEvent
from core.mail_server import links, text_part
from core.records import utcnow
from tests.accounts.conftest import give_second_factor
from tests.factories import PASSWORD

WRONG = "not the password at all"
FAILED = "Enter a correct email address and password"


def attempt(client, email: str, password: str = WRONG):
    return client.post("/login", data={"email": email, "password": password})


def kinds(db, user: User) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(SecurityEvent.kind)
            .where(SecurityEvent.user_id == user.id)
            .order_by(SecurityEvent.id)
        )
    )


def fail(client, user: User, times: int) -> None:
    for _ in range(times):
        response = attempt(client, user.email)
        assert response.status_code == 200 and FAILED in response.get_data(as_text=True)


def signed_in_after(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/"


# --- the same work for every address -------------------------------------------------------------


def test_an_unknown_address_checks_a_password_hash_too(db, monkeypatch) -> None:
    checked = []
    real = login_module.check_password_hash

    def counting(hash_: str, password: str) -> bool:
        checked.append(hash_)
        return real(hash_, password)

    monkeypatch.setattr(login_module, "check_password_hash", counting)
    assert login_module.authenticate("nobody@example.org", WRONG) is None
    assert len(checked) == 1 and checked[0].startswith("scrypt:")


def test_unknown_and_known_addresses_take_the_same_time(app, client, db, make, monkeypatch):
    """40 logins, unknown and known addresses in turn (the known ones with a wrong password),
    under the tests' settings (no rate limit); the medians are within 20% of each other. The
    machine may be busy, so the measurement is taken up to three times."""
    monkeypatch.setitem(app.config, "LOCKOUT_FAILURES", 1000)  # time the password check alone
    user = make.user("trainer")
    attempt(client, user.email)  # warm up: the dummy hash is made once
    attempt(client, "warm.up@example.org")

    def medians() -> tuple[float, float]:
        times: dict[bool, list[float]] = {True: [], False: []}
        for n in range(40):
            known = n % 2 == 0
            email = user.email if known else f"nobody{n}@example.org"
            start = time.perf_counter()
            response = attempt(client, email)
            times[known].append(time.perf_counter() - start)
            assert response.status_code == 200
        return statistics.median(times[True]), statistics.median(times[False])

    tries = []
    for _ in range(3):
        known, unknown = medians()
        tries.append((round(known * 1000, 1), round(unknown * 1000, 1)))
        if max(known, unknown) <= 1.2 * min(known, unknown):
            break
    else:
        raise AssertionError(f"medians (known, unknown) in ms differ by more than 20%: {tries}")


def test_an_invited_person_without_a_password_is_checked_like_anyone(db, make, monkeypatch):
    user = make.user("trainer")
    user.password_hash = ""
    db.session.commit()
    checked = []
    real = login_module.check_password_hash
    monkeypatch.setattr(
        login_module, "check_password_hash", lambda h, p: checked.append(h) or real(h, p)
    )
    assert login_module.authenticate(user.email, "") is None
    assert len(checked) == 1


# --- the lockout ---------------------------------------------------------------------------------


def test_ten_failures_lock_the_account_and_email_the_person(client, db, make, mailbox) -> None:
    user = make.user("trainer", name="Tess Trainer")
    fail(client, user, 9)
    assert signed_in_after(attempt(client, user.email, PASSWORD))  # 9 are not enough...
    client.post("/logout")
    fail(client, user, 10)  # ...10 since that login are
    db.session.expire_all()
    assert user.locked_until is not None
    assert kinds(db, user).count("locked") == 1

    # while locked, even the right password answers as a wrong one does
    wrong = attempt(client, user.email)
    right = attempt(client, user.email, PASSWORD)
    assert right.status_code == wrong.status_code == 200
    assert main_of(right) == main_of(wrong) and FAILED in main_of(right)
    assert client.get("/account").status_code == 302
    refused = db.session.scalars(
        sa.select(SecurityEvent).where(SecurityEvent.kind == "login_refused_locked")
    ).all()
    assert [event.detail for event in refused] == ["wrong password", "right password"]

    # the e-mail, from the real SMTP server
    (message,) = [m for m in mailbox.messages if "locked" in m["Subject"]]
    assert message["To"] == user.email
    body = text_part(message)
    assert "10 failed attempts to log in to it within 15 minutes" in body
    assert "unlocks by itself at" in body
    (link,) = links(message)
    assert urlsplit(link).path.startswith("/password/reset/")


def main_of(response, email: str = "") -> str:
    """The page's main content (the rest holds a fresh nonce per answer), with the address typed
    taken out."""
    html = response.get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    return main.replace(email, "EMAIL") if email else main


def test_the_login_page_answers_a_locked_account_as_a_wrong_password(client, db, make) -> None:
    """The status and the page are the same for a locked account (right password or not), a
    known address with a wrong password and an unknown address."""
    locked = make.user("trainer")
    fail(client, locked, 10)
    other = make.user("trainer")
    pages = [
        attempt(client, locked.email, PASSWORD),
        attempt(client, other.email),
        attempt(client, "nobody@example.org"),
    ]
    emails = [locked.email, other.email, "nobody@example.org"]
    assert {page.status_code for page in pages} == {200}
    assert len({main_of(page, email) for page, email in zip(pages, emails, strict=True)}) == 1


def test_the_lock_ends_by_time(client, db, make, monkeypatch) -> None:
    user = make.user("trainer")
    fail(client, user, 10)
    assert not signed_in_after(attempt(client, user.email, PASSWORD))
    later = utcnow() + timedelta(minutes=15, seconds=1)
    monkeypatch.setattr(lockout_module, "utcnow", lambda: later)
    assert signed_in_after(attempt(client, user.email, PASSWORD))
    db.session.expire_all()
    assert user.locked_until is None


def test_after_a_lock_runs_out_the_count_starts_afresh(client, db, make, monkeypatch) -> None:
    user = make.user("trainer")
    fail(client, user, 10)
    later = utcnow() + timedelta(minutes=15, seconds=1)
    monkeypatch.setattr(lockout_module, "utcnow", lambda: later)
    fail(client, user, 1)  # one more failure does not lock it again at once
    db.session.expire_all()
    assert lockout_module.locked_until(user) is None
    assert kinds(db, user).count("locked") == 1


def test_failures_older_than_the_window_do_not_count(client, db, make) -> None:
    user = make.user("trainer")
    fail(client, user, 9)
    db.session.execute(
        sa.update(SecurityEvent)
        .where(SecurityEvent.user_id == user.id)
        .values(created_at=utcnow() - timedelta(minutes=16))
    )
    db.session.commit()
    fail(client, user, 9)
    db.session.expire_all()
    assert user.locked_until is None
    assert signed_in_after(attempt(client, user.email, PASSWORD))


def test_wrong_codes_count_towards_the_lock(client, db, make, mailbox) -> None:
    user = make.user("trainer")
    factor = give_second_factor(user)
    fail(client, user, 5)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    for _ in range(4):
        assert client.post("/login/code", data={"code": "000000"}).status_code == 422
    tenth = client.post("/login/code", data={"code": "000000"})
    assert tenth.status_code == 302 and urlsplit(tenth.headers["Location"]).path == "/login"
    assert "your account is locked" in client.get("/login").get_data(as_text=True)
    db.session.expire_all()
    assert user.locked_until is not None
    # the login in progress has ended: a right code now does not sign in
    after = client.post("/login/code", data={"code": factor.code()})
    assert urlsplit(after.headers["Location"]).path == "/login"


def test_an_admin_unlocks_an_account(app, client, db, make, login_as) -> None:
    person = make.user("trainer", name="Locked Out")
    outsider = app.test_client()
    fail(outsider, person, 10)
    admin = login_as("admin", name="Programme Lead")
    page = client.get(f"/admin/users/{person.id}/edit").get_data(as_text=True)
    assert "The account is locked after too many failed logins" in page
    assert "Unlock the account now" in page
    done = client.post(f"/admin/users/{person.id}/unlock")
    assert done.status_code == 302
    assert "account is unlocked" in client.get(f"/admin/users/{person.id}/edit").get_data(
        as_text=True
    )
    db.session.expire_all()
    assert person.locked_until is None
    assert signed_in_after(attempt(outsider, person.email, PASSWORD))
    unlocked = db.session.scalar(sa.select(SecurityEvent).where(SecurityEvent.kind == "unlocked"))
    assert unlocked.user_id == person.id
    assert unlocked.detail == f"by Programme Lead (user {admin.id})"
    audit = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.table_name == "user_account",
            AuditEvent.record_id == person.id,
            AuditEvent.user_id == admin.id,
        )
    ).all()
    assert [(event.action, event.after) for event in audit] == [("update", {"locked_until": None})]


def test_unlocking_an_account_that_is_not_locked_changes_nothing(client, db, make, login_as):
    person = make.user("trainer")
    login_as("admin")
    client.post(f"/admin/users/{person.id}/unlock")
    assert "was not locked" in client.get(f"/admin/users/{person.id}/edit").get_data(as_text=True)
    assert not db.session.scalars(
        sa.select(SecurityEvent).where(SecurityEvent.kind == "unlocked")
    ).all()


def test_only_admins_unlock(client, db, make, login_as) -> None:
    person = make.user("trainer")
    fail(client, person, 10)
    login_as("site_lead")
    assert client.post(f"/admin/users/{person.id}/unlock").status_code == 403
    db.session.expire_all()
    assert person.locked_until is not None


def test_the_emailed_link_sets_a_password_and_unlocks(app, client, db, make, mailbox) -> None:
    person = make.user("trainer")
    fail(client, person, 10)
    (message,) = [m for m in mailbox.messages if "locked" in m["Subject"]]
    (link,) = links(message)
    owner = app.test_client()
    new = "a lamp with a steady light"
    done = owner.post(urlsplit(link).path, data={"password": new, "confirm": new})
    assert signed_in_after(done)
    db.session.expire_all()
    assert person.locked_until is None
    assert "unlocked" in kinds(db, person)
