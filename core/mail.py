"""E-mail through an SMTP server, sent only once the transaction that asked for it has committed.

A change calls `send_after_commit(message)`: that adds an EmailDelivery row (recipient, subject,
purpose and status, never the body, which may carry a secret link) to the session and keeps the
message in the session's outbox. When the session commits, the outbox is ready to send; when it
rolls back, the outbox is dropped with the row, and nothing is sent. After each request the
ready messages go through the SMTP server of the MAIL_* settings and each row says "sent" or
"failed" with the error. A failure is logged, and, when the caller gave a `report_failure`
message, flashed to the person whose request sent it; it is never an error page. Code that runs
outside a request (a CLI command) calls `deliver()` after its commit.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, flash, has_request_context
from flask_sqlalchemy.session import Session
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.records import Record, utcnow

TLS_MODES = ("none", "starttls", "implicit")
STATUSES = {"queued": "Queued", "sent": "Sent", "failed": "Failed"}

OUTBOX = "mail.outbox"  # session.info keys: queued in this transaction, and committed
READY = "mail.ready"


class EmailDelivery(Record, db.Model):  # type: ignore[name-defined,misc]
    """One message handed to the SMTP server, or that failed to be. The body is never kept."""

    __tablename__ = "email_delivery"
    __audited__ = False  # itself a log of what was sent: no audit rows about it

    recipient: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    purpose: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(10), default="queued", index=True)
    error: Mapped[str | None] = mapped_column(sa.Text)
    attempted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)


@dataclass(frozen=True)
class Message:
    """A message to one person: always a plain-text body, optionally an HTML one as well."""

    to: str
    subject: str
    text: str
    purpose: str
    html: str | None = None


@dataclass(frozen=True)
class Pending:
    delivery_id: int
    message: Message
    report_failure: str | None


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    message: Message
    error: str | None
    report_failure: str | None

    @property
    def sent(self) -> bool:
        return self.error is None


def send_after_commit(message: Message, *, report_failure: str | None = None) -> EmailDelivery:
    """Queue `message` to go once the session commits. `report_failure` is flashed to the person
    whose request sent it if the SMTP server does not take it (leave it out where that would
    tell them something they should not know, such as whether an address has an account)."""
    delivery = EmailDelivery(
        recipient=message.to[:254],
        subject=message.subject[:200],
        purpose=message.purpose[:40],
        status="queued",
    )
    db.session.add(delivery)
    db.session.flush()
    db.session.info.setdefault(OUTBOX, []).append(Pending(delivery.id, message, report_failure))
    return delivery


def _committed(session: Any) -> None:
    queued = session.info.pop(OUTBOX, None)
    if queued:
        session.info.setdefault(READY, []).extend(queued)


def _rolled_back(session: Any, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a nested savepoint
        session.info.pop(OUTBOX, None)


def tls_context() -> ssl.SSLContext:
    """The certificate checks for STARTTLS and implicit TLS: the system's trusted authorities."""
    return ssl.create_default_context()


def _sender_domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "localhost"


def as_email(message: Message, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.to
    email["Date"] = formatdate(localtime=False, usegmt=True)
    email["Message-ID"] = make_msgid(domain=_sender_domain(sender))
    email.set_content(message.text)
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
    return email


def _connect(config: Any) -> smtplib.SMTP:
    host, port, timeout = config["MAIL_HOST"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    smtp: smtplib.SMTP
    if config["MAIL_TLS"] == "implicit":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config["MAIL_TLS"] == "starttls":
            smtp.starttls(context=tls_context())
        if config["MAIL_USER"]:
            smtp.login(config["MAIL_USER"], config["MAIL_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


def _send(pending: list[Pending], config: Any) -> list[Outcome]:
    """Hand each message to the server over one connection; a failure is an outcome, never an
    exception."""
    try:
        smtp = _connect(config)
    except (OSError, smtplib.SMTPException) as error:
        failed = _describe(error)
        return [Outcome(p.delivery_id, p.message, failed, p.report_failure) for p in pending]
    outcomes = []
    try:
        for item in pending:
            try:
                smtp.send_message(as_email(item.message, config["MAIL_SENDER"]))
                error_text = None
            except (OSError, smtplib.SMTPException) as error:
                error_text = _describe(error)
            outcomes.append(
                Outcome(item.delivery_id, item.message, error_text, item.report_failure)
            )
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return outcomes


def deliver() -> list[Outcome]:
    """Send what committed transactions queued and record how it went (and commit that)."""
    pending: list[Pending] = db.session.info.pop(READY, None) or []
    if not pending:
        return []
    outcomes = _send(pending, current_app.config)
    now = utcnow()
    for outcome in outcomes:
        if not outcome.sent:
            current_app.logger.error(
                "E-mail %s (%s) was not sent: %s",
                outcome.delivery_id,
                outcome.message.purpose,
                outcome.error,
            )
        db.session.execute(
            sa.update(EmailDelivery)
            .where(EmailDelivery.id == outcome.delivery_id)
            .values(
                status="sent" if outcome.sent else "failed",
                error=outcome.error,
                attempted_at=now,
                updated_at=now,
            )
        )
    try:
        db.session.commit()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("Could not record how %d e-mails went", len(outcomes))
    return outcomes


def _deliver_after_request(response: Response) -> Response:
    if not db.session.info.get(READY):
        return response
    try:
        outcomes = deliver()
    except Exception:  # never an error page for mail: the log says what happened
        db.session.rollback()
        current_app.logger.exception("Sending e-mail failed")
        return response
    if has_request_context():
        for outcome in outcomes:
            if not outcome.sent and outcome.report_failure:
                flash(outcome.report_failure)
    return response


def init_app(app: Flask) -> None:
    if app.config["MAIL_TLS"] not in TLS_MODES:
        raise RuntimeError(f"MAIL_TLS must be one of {', '.join(TLS_MODES)}")
    app.after_request(_deliver_after_request)
    if not sa.event.contains(Session, "after_commit", _committed):
        sa.event.listen(Session, "after_commit", _committed)
        sa.event.listen(Session, "after_soft_rollback", _rolled_back)
