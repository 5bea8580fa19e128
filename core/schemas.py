"""marshmallow fields the API shares: text without NUL, ids, dates, whole counts. (Months are
core.months.MonthField.)"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate


class Count(fields.Integer):
    """A whole number, 0 or more."""

    default_error_messages = {
        "invalid": "must be a whole number, 0 or more",
        "too_large": "is too large",
    }

    def __init__(self, **kwargs: Any) -> None:
        from marshmallow import validate

        super().__init__(
            strict=True,
            validate=validate.Range(min=0, error="must be a whole number, 0 or more"),
            **kwargs,
        )


MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL


def path_id(name: str) -> str:
    """A route's id part: an id beyond 32 bits is simply not found."""
    return f"<int(max={MAX_ID}):{name}>"


def one_of_message(options: Any) -> str:
    return f"Choose one of: {', '.join(options)}"


class Text(fields.String):
    """A string that PostgreSQL can store: no NUL characters."""

    default_error_messages = {"nul": "Must not contain NUL characters"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("nul")
        return text


def date_field(error_messages: dict[str, Any] | None = None, **kwargs: Any) -> fields.Date:
    messages: dict[str, Any] = {"invalid": "Enter a date as YYYY-MM-DD"} | (error_messages or {})
    return fields.Date(error_messages=messages, **kwargs)


def id_field(
    error_messages: dict[str, Any] | None = None, strict: bool = True, **kwargs: Any
) -> fields.Integer:
    """An id: a JSON integer in bodies (strict), digits in a query string (not strict)."""
    messages: dict[str, Any] = {"invalid": "Must be a whole number"} | (error_messages or {})
    return fields.Integer(
        strict=strict,
        validate=validate.Range(min=1, max=MAX_ID, error=f"Must be from 1 to {MAX_ID}"),
        error_messages=messages,
        **kwargs,
    )
