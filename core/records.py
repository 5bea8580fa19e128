"""The Record base every table shares (id, timestamps, version) and the rules for writing one:
optimistic locking and applying validated changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from core.errors import StaleVersion


def utcnow() -> datetime:
    return datetime.now(UTC)


class Record:
    """Every table has an id, timestamps and a version that guards against lost updates."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


def check_version(record: Record, version: int | None) -> None:
    """An edit carries the version it read; a different current version means a lost update."""
    if version is not None and version != record.version:
        raise StaleVersion()


def require_version(record: Record, version: int | None) -> None:
    """An edit that must say which version it read: none, or another, is a lost update."""
    if version is None or version != record.version:
        raise StaleVersion()


def apply(record: Record, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        setattr(record, key, value)
