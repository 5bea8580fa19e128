"""The second factor (accounts.second_factor, accounts.login): set up from the account page with
a QR code drawn on the server, confirmed with a code, ten recovery codes shown once; asked for at
login after the password (the half-signed-in state grants nothing); required for programme
staff when the setting says so, who then set it up before anything else; codes within one step
of now, never twice; reset by programme staff (audited, sessions end)."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pyotp
import pytest
import sqlalchemy as sa

from accounts import login as login_module
from accounts import second_factor as second_factor_module
from accounts.models import RecoveryCode, SecondFactor, SecurityEvent, UserSession, hash_token
from accounts.second_factor import matching_step
from config import Config, DevelopmentConfig, TestConfig
from core.audit import AuditEvent
from core.records import utcnow
from tests.accounts.conftest import give_second_factor
from tests.accounts.test_sessions import cookie_of, replay, sent_to_login
from tests.factories import PASSWORD


def log_in(client, user, next_: str | None = None):
    url = "/login" if next_ is None else f"/login?next={next_}"
    return client.post(url, data={"email": user.email, "password": PASSWORD})


def path_of(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return urlsplit(response.headers["Location"]).path


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def factor_row(db, user) -> SecondFactor | None:
    return db.session.scalar(sa.select(SecondFactor).where(SecondFactor.user_id == user.id))


def events(db, kind: str, user=None) -> list[SecurityEvent]:
    statement = sa.select(SecurityEvent).where(SecurityEvent.kind == kind)
    if user is not None:
        statement = statement.where(SecurityEvent.user_id == user.id)
    return list(db.session.scalars(statement.order_by(SecurityEvent.id)))


class Page(HTMLParser):
    """What these tests read in a page: its scripts, images, the SVG and the key shown."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict]]:
    parser = Page()
    parser.feed(html)
    return parser.tags


def key_on(html: str) -> str:
    match = re.search(r'id="second-factor-key">([A-Z2-7 ]+)<', html)
    assert match, "the set-up page shows no key"
    return match.group(1).replace(" ", "")


def codes_on(html: str) -> list[str]:
    block = re.search(r'id="recovery-codes">(.*?)</ol>', html, re.S)
    assert block, "no recovery codes on the page"
    return re.findall(r"<code>([a-z0-9-]+)</code>", block.group(1))


# --- the settings --------------------------------------------------------------------------------


def test_programme_staff_need_one_in_production_and_nobody_in_development_or_tests() -> None:
    assert frozenset({"admin"}) == Config.SECOND_FACTOR_REQUIRED_ROLES
    assert frozenset() == DevelopmentConfig.SECOND_FACTOR_REQUIRED_ROLES
    assert frozenset() == TestConfig.SECOND_FACTOR_REQUIRED_ROLES


def test_without_the_setting_an_admin_logs_in_with_a_password_alone(client, db, make) -> None:
    admin = make.user("admin")
    assert path_of(log_in(client, admin)) == "/"
    assert signed_in(client)


def test_an_unknown_role_in_the_setting_stops_the_app(tmp_path) -> None:
    from portal import create_app

    with pytest.raises(RuntimeError, match="SECOND_FACTOR_REQUIRED_ROLES"):
        create_app(
            "test",
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.db'}",
            SECOND_FACTOR_REQUIRED_ROLES=frozenset({"admins"}),
        )


# --- set-up from the account page ----------------------------------------------------------------


def test_the_account_page_offers_it(client, db, login_as) -> None:
    login_as("trainer")
    page = client.get("/account")
    html = page.get_data(as_text=True)
    assert "Your second factor is off" in html
    assert 'href="/account/second-factor"' in html
    assert page.headers["Cache-Control"] == "no-store"


def test_the_set_up_page_draws_the_qr_code_on_the_server_without_script(
    client, db, login_as
) -> None:
    user = login_as("trainer")
    page = client.get("/account/second-factor")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    factor = factor_row(db, user)
    assert factor is not None and factor.confirmed_at is None
    assert key_on(html) == factor.secret  # the secret as text, for typing in by hand
    found = tags(html)
    svgs = [attrs for tag, attrs in found if tag == "svg" and "segno" in attrs.get("class", "")]
    assert len(svgs) == 1 and svgs[0]["role"] == "img"
    assert "<title>QR code for your authenticator app</title>" in html
    svg = html[html.index('<svg role="img"') : html.index("</svg>")]
    assert "<script" not in svg and "style=" not in svg and "href" not in svg
    # no image request carries the secret: nothing but the page's own assets
    assert not [attrs for tag, attrs in found if tag == "img"]
    for tag, attrs in found:
        if tag == "script":
            assert "src" in attrs or attrs.get("nonce"), attrs  # the layout's, no new inline code
    # reloading keeps the same secret, so a code scanned already still works
    again = client.get("/account/second-factor").get_data(as_text=True)
    assert key_on(again) == factor.secret


def test_the_qr_code_holds_the_provisioning_address(db, make) -> None:
    user = make.user("trainer", email="t.rainer@example.org")
    factor = second_factor_module.factor_to_set_up(user)
    uri = second_factor_module.provisioning_uri(factor, user)
    assert uri.startswith("otpauth://totp/IPS%20Network%20Tracker:t.rainer%40example.org?")
    assert f"secret={factor.secret}" in uri and "issuer=IPS%20Network%20Tracker" in uri
    svg = second_factor_module.qr_code_svg(uri, "QR")
    assert svg.startswith('<svg role="img"') and "<path" in svg


def test_setting_it_up_needs_a_right_code_then_shows_ten_recovery_codes_once(
    client, db, login_as
) -> None:
    user = login_as("trainer")
    html = client.get("/account/second-factor").get_data(as_text=True)
    secret = key_on(html)

    wrong = client.post("/account/second-factor", data={"code": "000000"})
    assert wrong.status_code == 422
    text = wrong.get_data(as_text=True)
    assert "There is a problem" in text and 'href="#code"' in text and "not right" in text
    assert db.session.scalar(sa.select(SecondFactor.confirmed_at)) is None

    empty = client.post("/account/second-factor", data={"code": ""})
    assert empty.status_code == 422 and "Enter the security code" in empty.get_data(as_text=True)

    done = client.post("/account/second-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    assert done.headers["Cache-Control"] == "no-store"
    codes = codes_on(done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)

    db.session.expire_all()
    factor = factor_row(db, user)
    assert factor.confirmed_at is not None and factor.secret == secret
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert {hash_token(code.replace("-", "")) for code in codes} == set(stored)
    assert not any(code.replace("-", "") in value for value in stored for code in codes)
    assert len(events(db, "second_factor_set_up", user)) == 1

    # audited, without the secret
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.table_name == "second_factor")
    ).all()
    assert [event.action for event in audit] == ["create"]
    assert audit[0].user_id == user.id and secret not in str(audit[0].after)
    assert not db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.table_name.in_(["recovery_code", "security_event"]))
    ).all()

    # shown once: the account page says it is on, and never shows them again
    account = client.get("/account").get_data(as_text=True)
    assert "Your second factor is on" in account and "10 unused recovery codes" in account
    assert codes[0] not in account
    assert path_of(client.get("/account/second-factor")) == "/account"


# --- at login ------------------------------------------------------------------------------------


def test_a_user_with_a_second_factor_is_asked_for_a_code_after_the_password(
    client, db, make
) -> None:
    user = make.user("trainer")
    factor = give_second_factor(user)
    response = log_in(client, user, next_="/account")
    assert path_of(response) == "/login/code"
    # half signed in: nothing is open yet, and no session has started
    assert not signed_in(client)
    assert sent_to_login(client.get("/"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0

    page = client.get("/login/code")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Enter your security code" in page.get_data(as_text=True)

    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 422
    assert "There is a problem" in wrong.get_data(as_text=True)
    assert not signed_in(client)
    assert len(events(db, "second_factor_failed", user)) == 1

    right = client.post("/login/code", data={"code": factor.code()})
    assert path_of(right) == "/account"  # where the login was going
    assert signed_in(client)
    (login,) = events(db, "login", user)
    assert login.detail == "password and authenticator code"


def test_the_api_ignores_a_half_signed_in_browser(client, db, make) -> None:
    user = make.user("admin")
    give_second_factor(user)
    log_in(client, user)
    assert client.get("/api/v1/network/summary").status_code == 401
    assert client.get("/admin/").status_code == 302


def test_a_code_is_accepted_within_one_step_of_now(db, monkeypatch) -> None:
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    now = utcnow()
    monkeypatch.setattr(second_factor_module, "utcnow", lambda: now)
    step = totp.timecode(now)
    for offset in (-1, 0, 1):
        assert matching_step(secret, totp.generate_otp(step + offset)) == step + offset
    for offset in (-3, -2, 2, 3):
        assert matching_step(secret, totp.generate_otp(step + offset)) is None
    code = totp.generate_otp(step)
    assert matching_step(secret, f"{code[:3]} {code[3:]}") == step  # as apps show it
    for bad in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        assert matching_step(secret, bad) is None


def test_a_code_is_refused_when_used_again_within_its_window(client, db, make) -> None:
    user = make.user("trainer")
    factor = give_second_factor(user)
    code = factor.code()
    log_in(client, user)
    assert path_of(client.post("/login/code", data={"code": code})) == "/"
    client.post("/logout")

    log_in(client, user)
    replayed = client.post("/login/code", data={"code": code})
    assert replayed.status_code == 422 and not signed_in(client)
    # an older code than the one used is refused too; the next step's code works
    older = client.post("/login/code", data={"code": factor.code(-1)})
    assert older.status_code == 422
    assert path_of(client.post("/login/code", data={"code": factor.code(+1)})) == "/"


def test_the_window_follows_the_clock(client, db, make, monkeypatch) -> None:
    """The server's clock decides: a code two steps old is refused, one step old accepted."""
    user = make.user("trainer")
    factor = give_second_factor(user)
    later = utcnow() + timedelta(minutes=5)
    monkeypatch.setattr(second_factor_module, "utcnow", lambda: later)
    totp = pyotp.TOTP(factor.secret)
    log_in(client, user)
    two_old = totp.at(later.timestamp() - 60)
    assert client.post("/login/code", data={"code": two_old}).status_code == 422
    one_old = totp.at(later.timestamp() - 30)
    assert path_of(client.post("/login/code", data={"code": one_old})) == "/"


def test_a_recovery_code_works_once_instead_of_a_code(client, db, make) -> None:
    user = make.user("trainer")
    factor = give_second_factor(user)
    code = factor.recovery_codes[3]
    log_in(client, user)
    done = client.post("/login/code", data={"code": code.upper().replace("-", " ")})
    assert path_of(done) == "/"
    assert "9 left" in client.get("/").get_data(as_text=True)
    (used,) = events(db, "recovery_code_used", user)
    assert used.detail == "9 left"
    assert events(db, "login", user)[0].detail == "password and recovery code"
    client.post("/logout")

    log_in(client, user)
    assert client.post("/login/code", data={"code": code}).status_code == 422
    assert not signed_in(client)


def test_the_half_signed_in_state_expires(client, db, make, monkeypatch) -> None:
    user = make.user("trainer")
    factor = give_second_factor(user)
    log_in(client, user)
    later = utcnow() + timedelta(minutes=login_module.PENDING_MINUTES, seconds=1)
    monkeypatch.setattr(login_module, "utcnow", lambda: later)
    expired = client.post("/login/code", data={"code": factor.code()})
    assert path_of(expired) == "/login"
    assert not signed_in(client)


def test_a_new_password_ends_the_half_signed_in_state(client, db, make) -> None:
    user = make.user("trainer")
    factor = give_second_factor(user)
    log_in(client, user)
    user.set_password("a completely new passphrase")
    db.session.commit()
    assert path_of(client.post("/login/code", data={"code": factor.code()})) == "/login"


def test_the_code_page_without_a_login_in_progress_sends_to_login(client, db) -> None:
    assert path_of(client.get("/login/code")) == "/login"
    assert path_of(client.get("/login/set-up-second-factor")) == "/login"


def test_a_reset_link_does_not_get_round_the_second_factor(client, db, make) -> None:
    from accounts.links import PASSWORD_RESET, issue_link

    user = make.user("trainer")
    factor = give_second_factor(user)
    _, secret = issue_link(user, PASSWORD_RESET)
    db.session.commit()
    new = "a lamp with a steady light"
    response = client.post(f"/password/reset/{secret}", data={"password": new, "confirm": new})
    assert path_of(response) == "/login/code"
    assert not signed_in(client)
    done = client.post("/login/code", data={"code": factor.code()})
    assert path_of(done) == "/"
    assert "Your password has been changed" in client.get("/").get_data(as_text=True)
    assert events(db, "login", user)[0].detail == "password reset link and authenticator code"


# --- required for programme staff ----------------------------------------------------------------


def test_programme_staff_without_one_set_it_up_before_anything_else(
    client, db, make, second_factor_required
) -> None:
    admin = make.user("admin")
    response = log_in(client, admin, next_="/admin/users")
    assert path_of(response) == "/login/set-up-second-factor"
    assert not signed_in(client)
    assert sent_to_login(client.get("/admin/users"))

    page = client.get("/login/set-up-second-factor")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "Your role, programme staff, needs a second factor" in html
    secret = key_on(html)
    assert client.post("/login/set-up-second-factor", data={"code": "1"}).status_code == 422
    assert not signed_in(client)

    done = client.post("/login/set-up-second-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    text = done.get_data(as_text=True)
    assert len(codes_on(text)) == 10 and 'href="/admin/users"' in text
    assert signed_in(client)
    assert client.get("/admin/users").status_code == 200
    assert events(db, "login", admin)[0].detail == "password and second factor set up"


def test_other_roles_are_not_made_to_set_one_up(client, db, make, second_factor_required) -> None:
    assert path_of(log_in(client, make.user("trainer"))) == "/"


def test_programme_staff_cannot_turn_theirs_off(
    client, db, make, login_as, second_factor_required
) -> None:
    admin = login_as("admin")
    give_second_factor(admin)
    assert "Turn off your second factor" not in client.get("/account").get_data(as_text=True)
    refused = client.post("/account/second-factor/turn-off", data={"password": PASSWORD})
    assert path_of(refused) == "/account"
    assert factor_row(db, admin)


def test_others_turn_theirs_off_with_their_password(client, db, login_as) -> None:
    user = login_as("site_lead")
    give_second_factor(user)
    assert client.get("/account/second-factor/turn-off").status_code == 200
    wrong = client.post("/account/second-factor/turn-off", data={"password": "not my password"})
    assert wrong.status_code == 422 and "Your password is not correct" in wrong.get_data(
        as_text=True
    )
    done = client.post("/account/second-factor/turn-off", data={"password": PASSWORD})
    assert path_of(done) == "/account"
    assert factor_row(db, user) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    assert len(events(db, "second_factor_turned_off", user)) == 1
    audit = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.table_name == "second_factor")
    ).all()
    assert audit == ["delete"]


def test_new_recovery_codes_replace_the_old_ones(client, db, make) -> None:
    user = make.user("trainer")
    factor = give_second_factor(user)
    log_in(client, user)
    client.post("/login/code", data={"code": factor.code()})
    assert client.get("/account/second-factor/recovery-codes").status_code == 200
    wrong = client.post("/account/second-factor/recovery-codes", data={"password": "nope"})
    assert wrong.status_code == 422
    page = client.post("/account/second-factor/recovery-codes", data={"password": PASSWORD})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    new_codes = codes_on(page.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(factor.recovery_codes)
    assert len(events(db, "recovery_codes_renewed", user)) == 1
    client.post("/logout")
    log_in(client, user)
    assert client.post("/login/code", data={"code": factor.recovery_codes[0]}).status_code == 422
    assert path_of(client.post("/login/code", data={"code": new_codes[0]})) == "/"


# --- reset by programme staff --------------------------------------------------------------------


def test_an_admin_resets_a_lost_second_factor(app, client, db, make, login_as) -> None:
    person = make.user("trainer", name="Phone Lost")
    factor = give_second_factor(person)
    elsewhere = app.test_client()
    log_in(elsewhere, person)
    elsewhere.post("/login/code", data={"code": factor.code()})
    stolen = cookie_of(elsewhere)
    assert replay(app, stolen).status_code == 200

    admin = login_as("admin", name="Programme Lead")
    page = client.get(f"/admin/users/{person.id}/edit").get_data(as_text=True)
    assert "Second factor: on since" in page and "Reset second factor" in page
    done = client.post(f"/admin/users/{person.id}/second-factor/reset")
    assert path_of(done) == f"/admin/users/{person.id}/edit"
    assert "second factor is reset" in client.get(f"/admin/users/{person.id}/edit").get_data(
        as_text=True
    )

    assert factor_row(db, person) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    assert sent_to_login(replay(app, stolen))  # their sessions ended
    (event,) = events(db, "second_factor_reset", person)
    assert event.detail == f"by Programme Lead (user {admin.id})"
    (audit,) = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.table_name == "second_factor", AuditEvent.action == "delete"
        )
    ).all()
    assert audit.user_id == admin.id and audit.before["user_id"] == person.id
    assert factor.secret not in str(audit.before)
    # they log in with the password alone now (their role does not need one)
    fresh = app.test_client()
    assert path_of(log_in(fresh, person)) == "/"


def test_an_admin_cannot_reset_their_own(client, db, login_as) -> None:
    admin = login_as("admin")
    give_second_factor(admin)
    page = client.get(f"/admin/users/{admin.id}/edit").get_data(as_text=True)
    assert "Reset second factor" not in page
    client.post(f"/admin/users/{admin.id}/second-factor/reset")
    assert factor_row(db, admin)


def test_only_admins_reset(client, db, make, login_as) -> None:
    person = make.user("trainer")
    give_second_factor(person)
    login_as("trainer")
    assert client.post(f"/admin/users/{person.id}/second-factor/reset").status_code == 403
    assert factor_row(db, person)


# --- the code form is rate-limited like the login ------------------------------------------------


def test_code_posts_are_rate_limited(limited_app) -> None:
    from core.extensions import db as _db
    from tests.factories import Factory

    app = limited_app(LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        user = Factory(_db).user("trainer")
        give_second_factor(user)
        email = user.email
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})  # the login's own limit
    assert client.post("/login/code", data={"code": "000000"}).status_code == 422
    assert client.post("/login/code", data={"code": "000000"}).status_code == 422
    assert client.post("/login/code", data={"code": "000000"}).status_code == 422
    assert client.post("/login/code", data={"code": "000000"}).status_code == 429
    assert client.get("/login/code").status_code == 200
