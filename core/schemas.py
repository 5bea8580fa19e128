"""marshmallow fields the API shares: text PostgreSQL can store, ids, dates, whole counts, each
held to core.limits. (Months are core.months.MonthField.)"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError, fields, validate

from core.limits import (
    COUNT_TOO_LARGE,
    DAY_OUT_OF_RANGE,
    FIRST_DAY,
    ID_OUT_OF_RANGE,
    LAST_DAY,
    MAX_COUNT,
    text_problem,
)
from core.limits import MAX_ID as MAX_ID  # where the API's modules have always found it


class Count(fields.Integer):
    """A whole number from 0 to 1,000,000: a target or a count."""

    default_error_messages = {
        "invalid": "must be a whole number, 0 or more",
        "too_large": "is too large",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            strict=True,
            validate=[
                validate.Range(min=0, error="must be a whole number, 0 or more"),
                validate.Range(max=MAX_COUNT, error=COUNT_TOO_LARGE),
            ],
            **kwargs,
        )


def path_id(name: str) -> str:
    """A route's id part: an id of 0 or beyond 32 bits is simply not found."""
    return f"<int(min=1, max={MAX_ID}):{name}>"


def one_of_message(options: Any) -> str:
    return f"Choose one of: {', '.join(options)}"


class Text(fields.String):
    """A string that PostgreSQL can store: no NUL characters, no lone surrogates."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text)
        if problem:
            raise ValidationError(problem)
        return text


class StrictBoolean(fields.Boolean):
    """JSON true or false only: not 0, 1, "yes" or "on", which marshmallow's Boolean takes."""

    default_error_messages = {"invalid": "Must be true or false"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def date_field(error_messages: dict[str, Any] | None = None, **kwargs: Any) -> fields.Date:
    """A date, YYYY-MM-DD, from 1990-01-01 to 2100-12-31."""
    messages: dict[str, Any] = {"invalid": "Enter a date as YYYY-MM-DD"} | (error_messages or {})
    in_range = validate.Range(min=FIRST_DAY, max=LAST_DAY, error=DAY_OUT_OF_RANGE)
    return fields.Date(error_messages=messages, validate=in_range, **kwargs)


def id_field(
    error_messages: dict[str, Any] | None = None, strict: bool = True, **kwargs: Any
) -> fields.Integer:
    """An id: a JSON integer in bodies (strict), digits in a query string (not strict)."""
    messages: dict[str, Any] = {"invalid": "Must be a whole number"} | (error_messages or {})
    return fields.Integer(
        strict=strict,
        validate=validate.Range(min=1, max=MAX_ID, error=ID_OUT_OF_RANGE),
        error_messages=messages,
        **kwargs,
    )


class UtcDateTime(fields.DateTime):
    """A time in an answer, always with its zone: SQLite hands back the UTC times it stores
    without one, PostgreSQL with one; the document promises an RFC 3339 date-time either way."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)
