"""The errors a change can raise, whatever the caller: bad input per field, or a stale version."""

from __future__ import annotations

from typing import Any

from flask import request

Fields = dict[str, list[str]]


def add_message(fields: Fields, key: str, message: str) -> None:
    fields.setdefault(key, []).append(message)


class ValidationFailed(Exception):
    """Bad input for a change: a message per field. Nothing has been written."""

    def __init__(
        self,
        fields: Fields,
        message: str = "The data sent is not valid.",
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.fields = fields
        self.message = message
        self.extra = extra or {}  # more of the answer, e.g. the import's "rows"


class StaleVersion(Exception):
    """Someone changed the record after the caller read it."""

    def __init__(
        self, message: str = "This record was changed by someone else since you read it."
    ) -> None:
        super().__init__(message)
        self.message = message


# The one page under /api/: the API's reference for signed-in people, a page like any other.
API_PAGES = frozenset({"/api/docs"})


def is_api_request() -> bool:
    """A call of the JSON API: bearer tokens, not the session; answers in the contract's shape."""
    return request.path.startswith("/api/") and request.path not in API_PAGES
