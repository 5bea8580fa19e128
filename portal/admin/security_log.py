"""Programme staff's security log (accounts.security_log): logins, failures, lockouts, password
and second-factor changes, API token use and refusals, newest first; filtered by event, by user
or e-mail address and by date (UTC), paged in SQL, and downloadable as CSV or XLSX with the same
filters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import abort, request
from sqlalchemy.orm import joinedload

from accounts.models import SecurityEvent, User
from accounts.security_log import KINDS
from core.extensions import db
from core.tables import BATCH, CONTENT_TYPES, DATE, ID, TEXT, About, Column, Table, download
from core.web.access import allow
from core.web.forms import query_id
from portal.admin.blueprint import bp
from portal.admin.forms import SecurityLogFilters
from portal.admin.shared import matching, page, paged_records

COLUMNS = (
    Column("time_utc", DATE, width=20, label="Time (UTC)", number_format="d mmm yyyy hh:mm:ss"),
    Column("event", TEXT, width=28, label="Event", labels=KINDS),
    Column("user_id", ID, width=8, label="User id"),
    Column("user_name", TEXT, width=24, label="User"),
    Column("user_email", TEXT, width=30, label="User's email address"),
    Column("email_tried", TEXT, width=30, label="Email address tried"),
    Column("ip_address", TEXT, width=16, label="IP address"),
    Column("browser", TEXT, width=20, label="Browser"),
    Column("detail", TEXT, width=50, label="Detail"),
)


def _start(day: Any) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def filtered(form: SecurityLogFilters, user: User | None, statement: sa.Select[Any]) -> Any:
    """`statement` narrowed by the filters that are valid (a wrong date is shown, not used)."""
    if user is not None:
        statement = statement.where(SecurityEvent.user_id == user.id)
    if form.kind.data:
        statement = statement.where(SecurityEvent.kind == form.kind.data)
    text = form.email.data if not form.email.errors else ""
    if text:
        people = sa.select(User.id).where(
            sa.or_(matching(User.email, text), matching(User.name, text))
        )
        statement = statement.where(
            sa.or_(matching(SecurityEvent.email, text), SecurityEvent.user_id.in_(people))
        )
    if form.since.data and not form.since.errors:
        statement = statement.where(SecurityEvent.created_at >= _start(form.since.data))
    if form.until.data and not form.until.errors:
        end = _start(form.until.data) + timedelta(days=1)
        statement = statement.where(SecurityEvent.created_at < end)
    return statement


def _filters() -> tuple[SecurityLogFilters, User | None]:
    form = SecurityLogFilters(formdata=request.args)
    form.validate()
    user_id = query_id("user")
    user = db.session.get(User, user_id) if user_id and 0 < user_id <= 2_147_483_647 else None
    return form, user


@bp.route("/security-log")
@allow("admin")
def security_log() -> Any:
    form, user = _filters()
    statement = filtered(
        form,
        user,
        sa.select(SecurityEvent)
        .options(joinedload(SecurityEvent.user))
        .order_by(SecurityEvent.created_at.desc(), SecurityEvent.id.desc()),
    )
    downloads = {k: v for k, v in request.args.items() if k != "page" and v}
    return page(
        "admin/security_log.html",
        form,
        page=paged_records(statement),
        kinds=KINDS,
        user=user,
        downloads=downloads,
    )


def _utc(moment: datetime) -> datetime:
    """A time as UTC without its zone: spreadsheets hold no time zones."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _rows(statement: sa.Select[Any]) -> Iterator[tuple[Any, ...]]:
    for row in db.session.execute(statement, execution_options={"yield_per": BATCH}):
        yield (_utc(row[0]), *row[1:])


@bp.route("/security-log.<format>")
@allow("admin")
def security_log_download(format: str) -> Any:
    if format not in CONTENT_TYPES:
        abort(404)
    form, user = _filters()
    statement = filtered(
        form,
        user,
        sa.select(
            SecurityEvent.created_at,
            SecurityEvent.kind,
            SecurityEvent.user_id,
            User.name,
            User.email,
            SecurityEvent.email,
            SecurityEvent.ip_address,
            SecurityEvent.user_agent,
            SecurityEvent.detail,
        )
        .outerjoin(User, User.id == SecurityEvent.user_id)
        .order_by(SecurityEvent.created_at.desc(), SecurityEvent.id.desc()),
    )
    now = datetime.now(UTC)
    chosen = [f"Events: {KINDS[form.kind.data]}." if form.kind.data else "Events: all."]
    if user is not None:
        chosen.append(f"User: {user.name} ({user.email}).")
    if form.email.data and not form.email.errors:
        chosen.append(f"Email address or name containing: {form.email.data}.")
    if form.since.data and not form.since.errors:
        chosen.append(f"From {form.since.data.isoformat()} (UTC).")
    if form.until.data and not form.until.errors:
        chosen.append(f"To {form.until.data.isoformat()} (UTC).")
    chosen.append(f"Generated on {now:%Y-%m-%d at %H:%M} UTC.")
    table = Table(
        name="security_log",
        title="Security log",
        columns=COLUMNS,
        rows=_rows(statement),
        notes=(
            "One row per event, newest first. Times are UTC. 'Email address tried' is the "
            "address typed at a failed login or a password-reset request.",
        ),
    )
    return download(
        [table],
        format,
        f"security-log-{now:%Y-%m-%d}.{format}",
        About("Security log: IPS Network Tracker", tuple(chosen)),
    )
