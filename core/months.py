"""Calendar months, one way everywhere: a month is held as its first day (a `date`), written
"YYYY-MM". Here are its parser, its URL converter (`<month:month>`), its API schema field and all
month arithmetic, so that no two places can disagree about what a month is.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any, TypeAlias

from marshmallow import ValidationError as MarshmallowValidationError
from marshmallow import fields
from werkzeug.routing import BaseConverter, ValidationError

from core.limits import FIRST_DAY, LAST_DAY, day_in_range

Month: TypeAlias = date  # the first day of a calendar month

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
MONTH_EXAMPLE = "2024-03"
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


MONTH_FORMAT = f"Enter a month as YYYY-MM, like {MONTH_EXAMPLE}"
MONTH_OUT_OF_RANGE = f"Enter a month from {FIRST_DAY:%Y-%m} to {LAST_DAY:%Y-%m}"


def parse_month(text: object) -> Month | None:
    """A "YYYY-MM" month from 1990-01 to 2100-12 (core.limits) as its first day; None for
    anything else (`month_error` says why)."""
    found = _MONTH.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        return None
    month = date(max(int(found[1]), 1), int(found[2]), 1)
    return month if day_in_range(month) else None


def month_error(text: object) -> str | None:
    """Why `parse_month` does not read `text`: not written YYYY-MM, or outside the years the
    portal records; None when it reads it."""
    if parse_month(text) is not None:
        return None
    return MONTH_OUT_OF_RANGE if isinstance(text, str) and _MONTH.fullmatch(text) else MONTH_FORMAT


def month_slug(month: date) -> str:
    """The "YYYY-MM" of the month `month` falls in."""
    return f"{month.year:04d}-{month.month:02d}"


def month_start(day: date) -> Month:
    return date(day.year, day.month, 1)


def month_index(day: date) -> int:
    """Months since year 0: consecutive months have consecutive indexes."""
    return day.year * 12 + day.month - 1


def month_of_index(index: int) -> Month:
    return date(index // 12, index % 12 + 1, 1)


def add_months(month: date, n: int) -> Month:
    """The first day of the month `n` months after (or before, when negative) `month`'s."""
    return month_of_index(month_index(month) + n)


def next_month(month: date) -> Month:
    return add_months(month, 1)


def previous_month(month: date) -> Month:
    return add_months(month, -1)


def month_end(month: date) -> date:
    """The last day of `month`'s month."""
    return date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])


def months_in(first: date, last: date) -> int:
    """How many months from `first`'s month to `last`'s month inclusive (0 when last < first)."""
    return max(month_index(last) - month_index(first) + 1, 0)


def months_between(first: date, last: date) -> list[Month]:
    """Month starts from `first`'s month to `last`'s month inclusive; [] if last < first."""
    if last < first:
        return []
    return [month_of_index(i) for i in range(month_index(first), month_index(last) + 1)]


def financial_year_start(day: date) -> date:
    """NHS financial years run from April to March."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


class MonthConverter(BaseConverter):
    """`<month:month>` in a route: "YYYY-MM" as a Month; anything else is not found (404)."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> Month:
        month = parse_month(value)
        if month is None:
            raise ValidationError()
        return month

    def to_url(self, value: Any) -> str:
        return month_slug(value) if isinstance(value, date) else str(value)


class MonthField(fields.String):
    """An API month: "YYYY-MM" in and out, a Month inside; 1990-01 to 2100-12."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": MONTH_PATTERN, "example": MONTH_EXAMPLE} | kwargs.pop("metadata", {})
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else month_slug(value)

    def _deserialize(  # type: ignore[override]
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> Month:
        month = parse_month(value)
        if month is None:
            raise MarshmallowValidationError(month_error(value) or MONTH_FORMAT)
        return month
