"""Shared rules for writing records: optimistic locking and applying validated changes."""

from __future__ import annotations

from typing import Any

from accounts.models import Record
from portal.errors import StaleVersion


def check_version(record: Record, version: int | None) -> None:
    """An edit carries the version it read; a different current version means a lost update."""
    if version is not None and version != record.version:
        raise StaleVersion()


def apply(record: Record, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        setattr(record, key, value)
