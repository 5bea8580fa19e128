"""Every change is audited: a flush writes one AuditEvent per inserted, updated or deleted Record.

Hooked to the session, so a service cannot forget it; the event is part of the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeGuard

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user
from flask_sqlalchemy.session import Session
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.records import Record, utcnow

if TYPE_CHECKING:
    from accounts.models import User

SECRET_COLUMNS = {"password_hash", "token_hash", "key_hash"}
# last_seen_at: a signed-in session's "last seen", written at most once a minute, is no change.
UNAUDITED_COLUMNS = {"created_at", "updated_at", "version", "last_seen_at"}


def audited(obj: object) -> TypeGuard[Record]:
    """A Record is audited unless its class says `__audited__ = False` (a log of its own, such
    as core.mail's EmailDelivery)."""
    return isinstance(obj, Record) and bool(getattr(obj, "__audited__", True))


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """Who changed what, with the record's fields before and after. Written by the hook below."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_record", "table_name", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    table_name: Mapped[str] = mapped_column(sa.String(60))
    record_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(sa.String(20))
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    user: Mapped[User | None] = relationship()


def plain(value: Any) -> Any:
    """A column value as JSON can hold it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _columns(obj: Record) -> list[str]:
    return [c.key for c in sa.inspect(obj).mapper.column_attrs if c.key not in UNAUDITED_COLUMNS]


def _shown(key: str, value: Any) -> Any:
    return "(hidden)" if key in SECRET_COLUMNS and value is not None else plain(value)


def snapshot(obj: Record) -> dict[str, Any]:
    return {key: _shown(key, getattr(obj, key)) for key in _columns(obj)}


def _changes(obj: Record) -> tuple[dict[str, Any], dict[str, Any]]:
    state = sa.inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key in _columns(obj):
        history = state.attrs[key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                before[key] = _shown(key, old)
                after[key] = _shown(key, new)
    return before, after


def _actor_id() -> int | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return int(current_user.id)
    return None


def event_row(
    table_name: str,
    record_id: int,
    action: str,
    before: Any,
    after: Any,
    *,
    user_id: int | None,
    now: datetime,
) -> dict[str, Any]:
    """An AuditEvent as a row for a bulk insert (writes made with Core insert, which the flush
    hook does not see, audit themselves with these)."""
    return {
        "created_at": now,
        "updated_at": now,
        "user_id": user_id,
        "table_name": table_name,
        "record_id": record_id,
        "action": action,
        "before": before,
        "after": after,
    }


def _record_flush(session: Session, _flush_context: Any) -> None:
    rows: list[dict[str, Any]] = []
    actor = _actor_id()
    now = utcnow()

    def add(obj: Record, action: str, before: Any, after: Any) -> None:
        rows.append(
            event_row(
                sa.inspect(obj).mapper.local_table.name,
                obj.id,
                action,
                before,
                after,
                user_id=actor,
                now=now,
            )
        )

    for obj in session.new:
        if audited(obj):
            add(obj, "create", None, snapshot(obj))
    for obj in session.dirty:
        if audited(obj) and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if after:
                add(obj, "update", before, after)
    for obj in session.deleted:
        if audited(obj):
            add(obj, "delete", snapshot(obj), None)
    if rows:
        session.connection().execute(sa.insert(AuditEvent), rows)


def init_audit() -> None:
    if not sa.event.contains(Session, "after_flush", _record_flush):
        sa.event.listen(Session, "after_flush", _record_flush)
