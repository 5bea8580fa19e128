"""marshmallow fields the API shares."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import ValidationError, fields

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class Month(fields.Field):
    """A calendar month as "YYYY-MM", held as the month's first day."""

    def _serialize(self, value: date | None, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{value.year:04d}-{value.month:02d}"

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        match = MONTH.match(value) if isinstance(value, str) else None
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValidationError("must be a month written YYYY-MM")
        return date(int(match.group(1)), int(match.group(2)), 1)


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
