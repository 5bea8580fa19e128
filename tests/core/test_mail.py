"""E-mail (core.mail) through a real SMTP server (aiosmtpd, the `mailbox` fixture): a plain-text
part always, sent only after the transaction commits, nothing when it rolls back, and an SMTP
server that is down is logged, recorded and shown to the admin, never a 500."""

from __future__ import annotations

import logging
import ssl
import subprocess

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.audit import AuditEvent
from core.mail import EmailDelivery, Message, deliver, send_after_commit
from core.mail_server import Mailbox, html_part, text_part
from tests.conftest import MAIL_SETTINGS, free_port

MESSAGE = Message(
    to="someone@example.org",
    subject="A subject",
    text="The plain text, with a secret link https://x.example/s3cret",
    html="<p>The <strong>HTML</strong></p>",
    purpose="test",
)


def test_a_message_has_a_plain_text_part_and_an_html_one(app, db, mailbox) -> None:
    send_after_commit(MESSAGE)
    db.session.commit()
    (outcome,) = deliver()
    assert outcome.sent
    (received,) = mailbox.messages
    assert received["To"] == "someone@example.org" and received["Subject"] == "A subject"
    assert received["From"] == app.config["MAIL_SENDER"]
    assert received["Message-ID"] and received["Date"]
    assert text_part(received).strip() == MESSAGE.text
    assert "<strong>HTML</strong>" in html_part(received)
    assert mailbox.envelopes[0][1] == ["someone@example.org"]


def test_plain_text_alone_is_a_plain_message(db, mailbox) -> None:
    send_after_commit(Message(to="a@example.org", subject="S", text="Only text", purpose="test"))
    db.session.commit()
    deliver()
    (received,) = mailbox.messages
    assert received.get_content_type() == "text/plain" and html_part(received) is None


def test_nothing_is_sent_before_the_commit(db, mailbox) -> None:
    send_after_commit(MESSAGE)
    assert deliver() == [] and mailbox.messages == []
    db.session.commit()
    deliver()
    assert len(mailbox.messages) == 1


def test_a_rolled_back_transaction_sends_nothing(db, mailbox) -> None:
    send_after_commit(MESSAGE)
    db.session.rollback()
    db.session.commit()
    assert deliver() == [] and mailbox.messages == []
    assert db.session.scalar(sa.select(sa.func.count(EmailDelivery.id))) == 0


def test_the_record_keeps_no_body_and_is_not_audited(db, mailbox) -> None:
    send_after_commit(MESSAGE)
    db.session.commit()
    deliver()
    delivery = db.session.scalar(sa.select(EmailDelivery))
    db.session.refresh(delivery)
    assert (delivery.recipient, delivery.subject, delivery.purpose, delivery.status) == (
        "someone@example.org",
        "A subject",
        "test",
        "sent",
    )
    assert delivery.attempted_at is not None and delivery.error is None
    row = db.session.execute(sa.select(EmailDelivery.__table__)).mappings().one()
    assert "s3cret" not in str(dict(row))
    audited = sa.select(AuditEvent).where(AuditEvent.table_name == "email_delivery")
    assert db.session.scalars(audited).all() == []


def test_a_request_that_fails_after_queueing_sends_nothing(
    client, db, login_as, mailbox, monkeypatch
) -> None:
    """The invitation is queued, then the request fails: the 500 handler rolls back, and
    neither the user nor the e-mail exists."""
    from portal.admin import users as admin_users

    real_invite = admin_users.invite_user

    def invite_then_fail(**kwargs):
        real_invite(**kwargs)
        raise RuntimeError("something broke after the invitation was queued")

    monkeypatch.setattr(admin_users, "invite_user", invite_then_fail)
    login_as("admin")
    response = client.post(
        "/admin/users/invite",
        data={"email": "x@example.org", "name": "X", "role": "admin"},
    )
    assert response.status_code == 500
    assert mailbox.messages == []
    assert db.session.scalar(sa.select(sa.func.count(EmailDelivery.id))) == 0


@pytest.fixture
def smtp_down(app):
    """The mail settings point at a port where nothing listens."""
    saved = {name: app.config[name] for name in MAIL_SETTINGS}
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=free_port(), MAIL_TLS="none")
    yield
    app.config.update(saved)


def test_smtp_down_is_logged_recorded_and_shown_to_the_admin(
    client, db, login_as, smtp_down, caplog
) -> None:
    login_as("admin")
    with caplog.at_level(logging.ERROR):
        response = client.post(
            "/admin/users/invite",
            data={"email": "x@example.org", "name": "X", "role": "admin"},
        )
    assert response.status_code == 302
    assert any("was not sent" in record.getMessage() for record in caplog.records)

    users = client.get("/admin/users").get_data(as_text=True)
    assert "The invitation e-mail to x@example.org could not be sent" in users
    assert "Invitation not sent" in users

    delivery = db.session.scalar(sa.select(EmailDelivery))
    db.session.refresh(delivery)
    assert delivery.status == "failed" and "ConnectionRefusedError" in delivery.error
    emails = client.get("/admin/emails").get_data(as_text=True)
    assert "x@example.org" in emails and "Failed" in emails and "ConnectionRefusedError" in emails
    assert "x@example.org" in client.get("/admin/emails?status=failed").get_data(as_text=True)
    assert "x@example.org" not in client.get("/admin/emails?status=sent").get_data(as_text=True)

    user_id = db.session.scalar(sa.select(User.id).where(User.email == "x@example.org"))
    edit = client.get(f"/admin/users/{user_id}/edit").get_data(as_text=True)
    assert "The last invitation e-mail could not be sent" in edit


def test_smtp_down_on_a_reset_tells_nobody_but_the_log(client, db, make, smtp_down, caplog):
    make.user("trainer", email="t@example.org")
    with caplog.at_level(logging.ERROR):
        response = client.post("/password/forgotten", data={"email": "t@example.org"})
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    assert any("was not sent" in record.getMessage() for record in caplog.records)
    assert "could not be sent" not in client.get("/login").get_data(as_text=True)


def test_the_emails_page_is_for_admins(client, db, login_as) -> None:
    login_as("trainer")
    assert client.get("/admin/emails").status_code == 403


# --- TLS and a login ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


@pytest.mark.parametrize("mode", ["starttls", "implicit"])
def test_tls_and_a_login(app, db, certificate, mode, monkeypatch) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"mail secret")

    box = Mailbox()
    options = {"authenticator": authenticator, "auth_require_tls": True}
    if mode == "starttls":
        options |= {"tls_context": server_context, "require_starttls": True}
    else:  # aiosmtpd counts only STARTTLS as TLS for AUTH; the whole connection is TLS here
        options |= {"ssl_context": server_context, "auth_require_tls": False}
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    monkeypatch.setattr("core.mail.tls_context", lambda: ssl.create_default_context(cafile=cert))
    saved = {name: app.config[name] for name in MAIL_SETTINGS}
    app.config.update(
        MAIL_HOST="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_TLS=mode,
        MAIL_USER="portal",
        MAIL_PASSWORD="mail secret",
    )
    try:
        send_after_commit(MESSAGE)
        db.session.commit()
        (outcome,) = deliver()
        assert outcome.sent, outcome.error
        assert len(box.messages) == 1 and logins == [(b"portal", b"mail secret")]
    finally:
        app.config.update(saved)
        controller.stop()


def test_an_unknown_tls_mode_stops_the_app() -> None:
    from portal import create_app

    with pytest.raises(RuntimeError, match="MAIL_TLS"):
        create_app("test", MAIL_TLS="ssl-please")
